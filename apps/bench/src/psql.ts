import { spawn } from 'node:child_process';

export interface TimedCopy {
  /** Rows psql reported (`COPY n`). */
  rows: number;
  /** psql's own `\timing` of the \copy: the statement alone, without starting psql or connecting. */
  seconds: number;
}

/** Runs psql with the given meta-commands and statements, failing with its stderr when it fails. */
export function runPsql(databaseUrl: string, commands: string[]): Promise<string> {
  const args = ['-X', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, ...commands.flatMap((command) => ['-c', command])];
  return new Promise((resolve, reject) => {
    const child = spawn('psql', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error) => reject(new Error(`psql could not be started (is the PostgreSQL client installed?): ${error.message}`)));
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`psql exited with code ${code}: ${stderr.trim() || stdout.trim()}`));
    });
  });
}

/** One `\copy` timed by psql itself. */
export async function timedCopy(databaseUrl: string, copyCommand: string): Promise<TimedCopy> {
  const output = await runPsql(databaseUrl, ['\\timing on', copyCommand]);
  const rows = /^COPY (\d+)$/m.exec(output);
  const time = /^Time: ([\d.]+) ms/m.exec(output);
  if (!rows || !time) throw new Error(`psql printed no row count or timing for ${copyCommand}: ${output.trim()}`);
  return { rows: Number(rows[1]), seconds: Number(time[1]) / 1_000 };
}

/** A string literal for psql's \copy line (single quotes doubled). */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
