import type { ChildProcess } from 'node:child_process';

/**
 * Everything a run must undo (child processes, databases, Redis keys, scratch files), undone in
 * reverse order whether the run finishes, fails or is interrupted.
 */
export class CleanupStack {
  private readonly steps: { label: string; undo: () => Promise<unknown> }[] = [];

  push(label: string, undo: () => Promise<unknown>): () => Promise<void> {
    const step = { label, undo };
    this.steps.push(step);
    // Undo one step early (e.g. a database no longer needed); it is then not undone again.
    return async () => {
      const index = this.steps.indexOf(step);
      if (index < 0) return;
      this.steps.splice(index, 1);
      await step.undo();
    };
  }

  /** A child process the run must not leave behind: SIGTERM at clean-up unless it has exited by then. */
  endChild(label: string, child: ChildProcess): void {
    const stop = this.push(label, async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    });
    child.once('exit', () => void stop());
  }

  /** Undoes every step, newest first; a failing step does not stop the others. Returns the failures. */
  async runAll(): Promise<string[]> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.undo();
      } catch (error) {
        failures.push(`${step.label}: ${(error as Error).message}`);
      }
    }
    return failures;
  }
}
