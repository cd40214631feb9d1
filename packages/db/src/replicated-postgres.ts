import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A throw-away PostgreSQL primary with hot standbys (streaming replication), on loopback ports and
 * temporary directories of its own, for tests of the read routing. Built with the server's own
 * tools: `initdb` for the primary and `pg_basebackup -R` for each standby, run as the `postgres`
 * user when the test runs as root (initdb refuses root).
 */
export interface PostgresServer {
  port: number;
  dataDir: string;
  /** Connection string to `database` on this server. */
  url(database?: string): string;
  /** Stops the server: `immediate` is a crash (no shutdown checkpoint, connections cut). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Runs one statement as the superuser and returns its rows. */
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
}

export interface ReplicatedPostgres {
  primary: PostgresServer;
  standbys: PostgresServer[];
  /** Writes settings into a standby's configuration and reloads it (reloadable settings only). */
  configureStandby(index: number, settings: Record<string, string>): Promise<void>;
  pauseReplay(index: number): Promise<void>;
  resumeReplay(index: number): Promise<void>;
  /** Waits until the standby has replayed up to the primary's position now. */
  waitForReplay(index: number, timeoutMs?: number): Promise<void>;
  /** Stops every server and removes every directory. */
  close(): Promise<void>;
}

export interface ReplicatedPostgresOptions {
  standbys?: number;
  /** Settings of every standby (hot_standby_feedback, max_standby_streaming_delay…). */
  standbySettings?: Record<string, string>;
}

/** The server binaries: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin, else PATH. */
function binary(name: string): string {
  if (process.env.PG_BIN) return join(process.env.PG_BIN, name);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) if (existsSync(join(root, version, 'bin', name))) return join(root, version, 'bin', name);
  }
  return name;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** util-linux's runuser, which a root PATH may not name. */
const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((path) => existsSync(path)) ?? 'runuser';

/** Runs a server tool, as the `postgres` user when this process is root. */
async function tool(name: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [file, argv] = asRoot ? [RUNUSER, ['-u', 'postgres', '--', binary(name), ...args]] : [binary(name), args];
  try {
    const { stdout } = await run(file, argv, { timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${name} ${args.join(' ')} failed: ${(error as Error).message}\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function ownedDirectory(parent: string, label: string): Promise<string> {
  const dir = await mkdtemp(join(parent, `${label}-`));
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  await chmod(dir, 0o700);
  return dir;
}

function server(port: number, dataDir: string): PostgresServer {
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    dataDir,
    url,
    async start() {
      await tool('pg_ctl', ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-w', '-t', '60', 'start']);
    },
    async stop(mode = 'fast') {
      await tool('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']).catch(() => undefined);
    },
    async query<Row>(text: string, values: unknown[] = []) {
      const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        return (await client.query(text, values)).rows as Row[];
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

/** Lines appended to a server's configuration; later lines win. */
function settingLines(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([name, value]) => `${name} = '${value.replace(/'/g, "''")}'\n`)
    .join('');
}

export async function startReplicatedPostgres(options: ReplicatedPostgresOptions = {}): Promise<ReplicatedPostgres> {
  const parent = await mkdtemp(join(tmpdir(), 'sm-replicated-pg-'));
  await chmod(parent, 0o755);
  const started: PostgresServer[] = [];
  const close = async () => {
    await Promise.all(started.map((one) => one.stop('immediate')));
    await rm(parent, { recursive: true, force: true });
  };
  try {
    const primaryDir = await ownedDirectory(parent, 'primary');
    await tool('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const primaryPort = await freePort();
    await appendFile(
      join(primaryDir, 'postgresql.conf'),
      settingLines({
        port: String(primaryPort),
        listen_addresses: '127.0.0.1',
        unix_socket_directories: primaryDir,
        wal_level: 'replica',
        max_wal_senders: '10',
        wal_keep_size: '512MB',
        hot_standby: 'on',
        // Throw-away data: no need to wait for the disk.
        fsync: 'off',
        full_page_writes: 'off',
        shared_buffers: '32MB',
        max_connections: '60',
        // Standby feedback travels this often (and at once when it is switched on).
        wal_receiver_status_interval: '1s',
      }),
    );
    await appendFile(join(primaryDir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n');
    const primary = server(primaryPort, primaryDir);
    await primary.start();
    started.push(primary);

    const standbys: PostgresServer[] = [];
    for (let index = 0; index < (options.standbys ?? 2); index++) {
      const dir = await ownedDirectory(parent, `standby${index + 1}`);
      await tool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', dir, '-R', '-X', 'stream', '--no-sync', '-c', 'fast']);
      const port = await freePort();
      await appendFile(join(dir, 'postgresql.conf'), settingLines({ port: String(port), unix_socket_directories: dir, ...options.standbySettings }));
      const standby = server(port, dir);
      await standby.start();
      started.push(standby);
      standbys.push(standby);
    }

    const topology: ReplicatedPostgres = {
      primary,
      standbys,
      async configureStandby(index, settings) {
        const standby = standbys[index]!;
        await appendFile(join(standby.dataDir, 'postgresql.conf'), settingLines(settings));
        await standby.query('SELECT pg_reload_conf()');
        // The reload is asynchronous: wait until the settings show.
        const deadline = Date.now() + 10_000;
        for (;;) {
          const rows = await standby.query<{ name: string; setting: string; unit: string | null }>('SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)', [Object.keys(settings)]);
          const applied = rows.every((row) => settingMatches(row, settings[row.name]!));
          if (applied) return;
          if (Date.now() > deadline) throw new Error(`standby ${index + 1} did not apply ${JSON.stringify(settings)}: ${JSON.stringify(rows)}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      async pauseReplay(index) {
        await standbys[index]!.query('SELECT pg_wal_replay_pause()');
      },
      async resumeReplay(index) {
        await standbys[index]!.query('SELECT pg_wal_replay_resume()');
      },
      async waitForReplay(index, timeoutMs = 30_000) {
        const [{ lsn }] = (await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')) as [{ lsn: string }];
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const [row] = await standbys[index]!.query<{ reached: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS reached', [lsn]).catch(() => [{ reached: false }]);
          if (row?.reached) return;
          if (Date.now() > deadline) throw new Error(`standby ${index + 1} did not replay up to ${lsn} within ${timeoutMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      close,
    };
    return topology;
  } catch (error) {
    await close();
    throw error;
  }
}

/** Whether a pg_settings row shows a configured value (`on`/`off`, or a number with its unit such as `10min`). */
function settingMatches(row: { setting: string; unit: string | null }, wanted: string): boolean {
  if (row.setting === wanted) return true;
  const number = /^(-?\d+)\s*(ms|s|min|h)?$/.exec(wanted);
  if (!number) return false;
  const toMs = { ms: 1, s: 1_000, min: 60_000, h: 3_600_000 } as const;
  const wantedMs = Number(number[1]) * toMs[(number[2] ?? row.unit ?? 'ms') as keyof typeof toMs];
  const unitMs = row.unit && row.unit in toMs ? toMs[row.unit as keyof typeof toMs] : 1;
  return Number(row.setting) * unitMs === wantedMs || (Number(number[1]) === -1 && row.setting === '-1');
}
