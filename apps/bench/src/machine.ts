import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { runPsql } from './psql.js';

export interface MachineDescription {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  redis: string;
  /** 1-minute load average when the run started and when it ended: other work on the machine. */
  loadAtStart: number;
  loadAtEnd: number | null;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // Not Linux: fall through.
  }
  return 'unknown CPU';
}

export async function describeMachine(databaseUrl: string, redisVersion: string): Promise<MachineDescription> {
  // psql's aligned output: header, dashes, then the value.
  const lines = (await runPsql(databaseUrl, ['SHOW server_version']).catch(() => '')).split('\n');
  const dashes = lines.findIndex((line) => line.startsWith('---'));
  const postgres = (dashes >= 0 ? lines[dashes + 1]?.trim() : undefined) || 'unknown';
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres,
    redis: redisVersion,
    loadAtStart: loadavg()[0]!,
    loadAtEnd: null,
  };
}

export function currentLoad(): number {
  return loadavg()[0]!;
}
