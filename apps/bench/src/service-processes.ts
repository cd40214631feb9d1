import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './options.js';

export const API_MAIN = join(REPO_ROOT, 'apps/api/dist/main.js');
export const WORKER_MAIN = join(REPO_ROOT, 'apps/worker/dist/main.js');
/**
 * The worker's Node flags, as its start commands pass them (docker-compose.yml, `pnpm start:worker`):
 * a young generation capped at 2 × 16 MB, so the heap does not grow with the length of a report.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=16'];

/** A spawned API or worker process whose JSON log lines are watched for a start-up message. */
export class ServiceProcess {
  private readonly child: ChildProcess;
  private output = '';
  private readonly exited: Promise<void>;

  /** `logFile`: every line the process writes is also kept there (for reading a run afterwards). */
  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
    logFile?: string,
    nodeFlags: string[] = [],
  ) {
    this.child = spawn(process.execPath, [...nodeFlags, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (logFile) mkdirSync(dirname(logFile), { recursive: true });
    const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    // Logs are read (the pipe must not fill up) but only the recent tail is kept, for error messages.
    const keep = (chunk: string) => {
      log?.write(chunk);
      this.output = (this.output + chunk).slice(-20_000);
    };
    this.child.stdout!.setEncoding('utf8').on('data', keep);
    this.child.stderr!.setEncoding('utf8').on('data', keep);
    this.exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve())).then(() => new Promise<void>((resolve) => (log ? log.end(resolve) : resolve())));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process wrote, for a failure message. */
  tail(lines = 15): string {
    return this.output.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Waits until a log line contains `text`; fails if the process exits first or the time is up. */
  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (!this.running) throw new Error(`${this.name} exited before "${text}":\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not log "${text}" within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(50);
    }
  }

  /** SIGTERM (a graceful stop), then SIGKILL if it is still running after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!stopped) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port that was free a moment ago, for the API to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls a URL until it answers 200 (the API's readiness check). */
export async function waitForHttpOk(url: string, service: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!service.running) throw new Error(`${service.name} exited during start-up:\n${service.tail()}`);
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${service.name} was not ready at ${url} within ${timeoutMs} ms:\n${service.tail()}`);
    await sleep(100);
  }
}
