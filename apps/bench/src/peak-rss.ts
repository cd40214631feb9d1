import { readFileSync, writeFileSync } from 'node:fs';

const SAMPLE_INTERVAL_MS = 50;

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1_024 : null;
  } catch {
    return null; // the process is gone
  }
}

/**
 * Peak resident memory of some processes over an interval. The kernel's high-water mark (VmHWM)
 * is reset at the start (`clear_refs` 5) so it covers this interval only; VmRSS is also sampled
 * every 50 ms, which is what counts where the reset is not permitted.
 */
export class PeakRssTracker {
  private readonly sampled = new Map<number, number>();
  private readonly resetWorked = new Map<number, boolean>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: number[]) {
    for (const pid of pids) {
      let reset = true;
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        reset = false;
      }
      this.resetWorked.set(pid, reset);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
  }

  private sample(): void {
    for (const pid of this.pids) {
      const rss = statusField(pid, 'VmRSS');
      if (rss !== null) this.sampled.set(pid, Math.max(this.sampled.get(pid) ?? 0, rss));
    }
  }

  /** Stops sampling; the peak of each process in bytes, in the order the pids were given. */
  stop(): number[] {
    clearInterval(this.timer);
    this.sample();
    return this.pids.map((pid) => {
      const sampled = this.sampled.get(pid) ?? 0;
      const highWater = this.resetWorked.get(pid) ? statusField(pid, 'VmHWM') : null;
      return Math.max(sampled, highWater ?? 0);
    });
  }
}
