#!/usr/bin/env node
// `pnpm start`: migrate, then run the API and one worker in the foreground (the no-Docker way).
// Ctrl-C / SIGTERM stops both gracefully; if either exits, the other is stopped too.
import { spawn, spawnSync } from 'node:child_process';

const env = { ...process.env, TZ: 'UTC' };
const migrate = spawnSync(process.execPath, ['apps/cli/dist/main.js', 'migrate'], { stdio: 'inherit', env });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const children = [
  spawn(process.execPath, ['apps/api/dist/main.js'], { stdio: 'inherit', env }),
  spawn(process.execPath, ['--max-semi-space-size=16', 'apps/worker/dist/main.js'], { stdio: 'inherit', env }),
];
let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
let exitCode = 0;
for (const child of children) {
  child.on('exit', (code) => {
    if (code) exitCode = code;
    stop('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
