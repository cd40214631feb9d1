import cliProgress from 'cli-progress';

/** One named step with a known total (bytes, stores) whose progress is shown on stderr. */
export interface ProgressDisplay {
  step(label: string, total: number, unit: string): void;
  update(value: number): void;
  stop(): void;
}

/**
 * A bar on a terminal; elsewhere (CI, logs, pipes) one plain line per tenth of a step, which
 * stays readable. stdout is left alone: it carries the JSON summary.
 */
export function createProgressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!stream.isTTY) {
    let label = '';
    let total = 0;
    let unit = '';
    let shownTenth = -1;
    return {
      step(nextLabel, nextTotal, nextUnit) {
        label = nextLabel;
        total = nextTotal;
        unit = nextUnit;
        shownTenth = -1;
      },
      update(value) {
        const tenth = total > 0 ? Math.floor((value / total) * 10) : 10;
        if (tenth === shownTenth) return;
        shownTenth = tenth;
        stream.write(`${label}: ${Math.min(100, tenth * 10)}% (${value}/${total} ${unit})\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: '{label} [{bar}] {percentage}% {value}/{total} {unit}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    step(label, total, unit) {
      if (running) bar.stop();
      bar.start(total, 0, { label, unit });
      running = true;
    },
    update(value) {
      if (running) bar.update(value);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
