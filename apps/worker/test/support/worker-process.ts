import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far (stdout). */
  logs: Record<string, unknown>[];
  /** Resolves with the first log line matching, or rejects after `timeoutMs`. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process ends. */
  exited: Promise<number | string>;
  signal(signal: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/** A real worker process (`node apps/worker/dist/main.js`) with the given environment. */
export function startWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC', LOG_LEVEL: 'info', METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', INGEST_ON_START: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const logs: Record<string, unknown>[] = [];
  const waiters: { predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { msg: text };
      }
      logs.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    child,
    logs,
    exited,
    signal: (signal) => child.kill(signal),
    waitForLog(predicate, timeoutMs = 20_000) {
      const found = logs.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker log not seen within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}; last logs: ${JSON.stringify(logs.slice(-5))}`)), timeoutMs);
        waiters.push({
          predicate,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`worker exited (${code}) before the expected log; stderr: ${stderr.slice(-2000)}`));
        });
      });
    },
  };
}

/** Starts a worker and waits until it has connected and taken its queues. */
export async function startReadyWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const worker = startWorker(env);
  // Several replicas upserting the same schedulers at once can take a while on a busy machine.
  await worker.waitForLog((line) => line.msg === 'worker ready', 45_000);
  return worker;
}

/** Ends every worker a suite started (SIGKILL): called from afterAll so no child outlives the tests. */
export async function killAllWorkers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Stops a worker the polite way and returns its exit code. */
export async function stopWorker(worker: WorkerProcess): Promise<number | string> {
  worker.signal('SIGTERM');
  return worker.exited;
}
