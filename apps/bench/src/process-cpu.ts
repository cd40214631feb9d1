import { readFileSync } from 'node:fs';

/** Linux reports process times in USER_HZ ticks, 100 per second on every architecture. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start with the state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds some processes spend over an interval: how much of a report is JavaScript. */
export class CpuTimeMeter {
  private readonly start: number[];

  constructor(private readonly pids: number[]) {
    this.start = pids.map(cpuSeconds);
  }

  /** CPU seconds of each process since construction, in the order the pids were given. */
  stop(): number[] {
    return this.pids.map((pid, index) => cpuSeconds(pid) - this.start[index]!);
  }
}

/**
 * CPU seconds of a changing set of processes (Postgres backends come and go with the pools): a
 * process that appeared during the interval counts from its start; one that ended is lost.
 */
export class CpuTimeOfGroup {
  private readonly start = new Map<number, number>();

  private constructor(private readonly listPids: () => Promise<number[]>) {}

  static async start(listPids: () => Promise<number[]>): Promise<CpuTimeOfGroup> {
    const meter = new CpuTimeOfGroup(listPids);
    for (const pid of await listPids()) meter.start.set(pid, cpuSeconds(pid));
    return meter;
  }

  async stop(): Promise<number> {
    let total = 0;
    for (const pid of await this.listPids()) total += cpuSeconds(pid) - (this.start.get(pid) ?? 0);
    return total;
  }
}
