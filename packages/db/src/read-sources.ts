import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DbHandle } from './create-db.js';
import { isDatabaseUnavailable } from './database-errors.js';
import type { Database } from './database.js';

/**
 * Where a long read runs: the primary, or one of the hot standbys (DATABASE_REPLICA_URLS) that has
 * replayed the primary's WAL far enough to hold every commit the read depends on. Writes, pins and
 * anything that must see the latest commit never come here: they use the primary's pool directly.
 */
export interface ReadSource {
  /** `primary`, or the standby's host:port. */
  name: string;
  role: 'primary' | 'replica';
  db: Kysely<Database>;
  pool: pg.Pool;
}

/** What the read is for, as counted in the metrics. */
export type ReadPurpose = 'report_shard' | 'history';

/** A standby as last seen: reachable, how far it has replayed and how far behind the primary it is. */
export interface ReplicaState {
  name: string;
  /** `up`: replaying and close behind; `lagging`: more than the wait bound behind, or replay paused; `down`: unreachable or not a standby. */
  state: 'up' | 'lagging' | 'down';
  replayLsn: string | null;
  /** WAL bytes between the primary's position and the standby's replay position. */
  lagBytes: number | null;
  /** Seconds since the newest transaction the standby has replayed, 0 while it has replayed all it received. */
  lagSeconds: number | null;
  /** Why it is down or lagging. */
  reason?: string;
}

/** Told of every routing decision, for the metrics. */
export interface ReadSourceObserver {
  routed?(source: ReadSource, purpose: ReadPurpose): void;
  /** No standby had reached the position (in time, for a read that may wait): the primary serves it. */
  fellBack?(purpose: ReadPurpose): void;
  /** A read failed on a standby (it died, or cancelled the read in a recovery conflict) and runs again elsewhere. */
  retried?(source: ReadSource, purpose: ReadPurpose, error: unknown): void;
}

export interface ReadSourcesSettings {
  primary: DbHandle;
  /** The standbys' pools, each with the name it is reported under. */
  replicas: { name: string; handle: DbHandle }[];
  /** How long a read that may wait waits for a standby to reach its position (REPLICA_WAIT_MS). */
  replicaWaitMs: number;
  /** How often a waiting read asks the standbys again; default 100 ms. */
  pollIntervalMs?: number;
  /** How long one standby's position check may take before the standby counts as unreachable; default 1 s. */
  checkTimeoutMs?: number;
  observer?: ReadSourceObserver;
}

/** A WAL position (`16/B374D848`) as a number that orders like the position. */
export function lsnValue(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/**
 * SQLSTATE 40001 with this message: the standby cancelled the read (or ended its session) because
 * replaying the primary's WAL would remove rows the read could still see.
 */
const RECOVERY_CONFLICT = /conflict with recovery/i;

/** A read that failed because of its standby (gone, restarting, or in a recovery conflict), not because of the read itself. */
export function isReplicaReadLost(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === '40001' || code === '40P01') return typeof message === 'string' && RECOVERY_CONFLICT.test(message);
  return typeof message === 'string' && (RECOVERY_CONFLICT.test(message) || /terminating connection|Connection terminated unexpectedly|Query read timeout/i.test(message));
}

/** The message of a lost read, for a log line. */
export function redactedReadError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return `${typeof code === 'string' ? `${code} ` : ''}${typeof message === 'string' ? message : String(error)}`;
}

/** How long an unreachable standby is left out before it is asked again. */
const DOWN_FOR_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** The "which pool serves this read" chooser of a process. */
export class ReadSources {
  readonly primary: ReadSource;
  readonly replicas: readonly ReadSource[];
  private readonly handles: DbHandle[];
  private readonly replicaWaitMs: number;
  private readonly pollIntervalMs: number;
  private readonly checkTimeoutMs: number;
  private readonly observers: ReadSourceObserver[] = [];
  /** Replay positions last seen per standby: a lower bound, since a standby only moves forward. */
  private readonly replayed = new Map<string, bigint>();
  private readonly downUntil = new Map<string, number>();
  /** The primary's position when this process first saw a data version (API reads of that version need it). */
  private readonly versionPositions = new Map<string, string>();
  private nextReplica = 0;
  private refreshing: Promise<void> | null = null;
  private refreshedAt = 0;

  constructor(settings: ReadSourcesSettings) {
    this.primary = { name: 'primary', role: 'primary', db: settings.primary.db, pool: settings.primary.pool };
    this.replicas = settings.replicas.map(({ name, handle }) => ({ name, role: 'replica' as const, db: handle.db, pool: handle.pool }));
    this.handles = settings.replicas.map(({ handle }) => handle);
    this.replicaWaitMs = settings.replicaWaitMs;
    this.pollIntervalMs = settings.pollIntervalMs ?? 100;
    this.checkTimeoutMs = settings.checkTimeoutMs ?? 1_000;
    if (settings.observer) this.observers.push(settings.observer);
  }

  /** Adds an observer (the metrics and the log are wired after the sources are built). */
  observe(observer: ReadSourceObserver): void {
    this.observers.push(observer);
  }

  /**
   * A source that holds every commit up to `lsn`. `wait: true` (a report shard): a standby that
   * has replayed up to it, else another one, waiting up to REPLICA_WAIT_MS for one to get there,
   * then the primary. `wait: false` (an API read): a standby already known to be there, else the
   * primary at once. A null position (a report recorded before positions were) reads the primary.
   */
  async choose(lsn: string | null, purpose: ReadPurpose, options: { wait: boolean; exclude?: ReadonlySet<string> }): Promise<ReadSource> {
    const candidates = this.replicas.filter((replica) => !options.exclude?.has(replica.name));
    if (lsn === null || candidates.length === 0) return this.routed(this.primary, purpose, false);
    const needed = lsnValue(lsn);
    const start = this.nextReplica++;
    const ordered = candidates.map((_, index) => candidates[(start + index) % candidates.length]!);

    const known = ordered.find((replica) => (this.replayed.get(replica.name) ?? -1n) >= needed && !this.isDown(replica));
    if (known) return this.routed(known, purpose, false);
    if (!options.wait) {
      // Never waits: the primary serves this one, and the standbys are asked in the background so
      // that the next read finds one that has caught up.
      this.refreshInBackground();
      return this.routed(this.primary, purpose, true);
    }

    const deadline = Date.now() + this.replicaWaitMs;
    for (;;) {
      // Every standby unreachable: nothing to wait for.
      if (ordered.every((replica) => this.isDown(replica))) return this.routed(this.primary, purpose, true);
      for (const replica of ordered) {
        if (this.isDown(replica)) continue;
        const position = await this.replayPosition(replica);
        if (position !== null && position >= needed) return this.routed(replica, purpose, false);
      }
      if (Date.now() + this.pollIntervalMs > deadline) return this.routed(this.primary, purpose, true);
      await sleep(this.pollIntervalMs);
    }
  }

  /**
   * Runs a read on a source chosen as `choose` does. A read lost with its standby (the standby
   * died or restarted, or cancelled the read in a recovery conflict) runs again from the start on
   * another source, the primary last; it costs a retry, not the read. Failures on the primary are
   * the caller's.
   */
  async read<T>(lsn: string | null, purpose: ReadPurpose, options: { wait: boolean }, run: (db: Kysely<Database>, source: ReadSource) => Promise<T>): Promise<T> {
    const failed = new Set<string>();
    for (;;) {
      const source = await this.choose(lsn, purpose, { ...options, exclude: failed });
      try {
        return await run(source.db, source);
      } catch (error) {
        if (source.role === 'primary' || !isReplicaReadLost(error)) throw error;
        failed.add(source.name);
        this.replayed.delete(source.name);
        this.downUntil.set(source.name, Date.now() + DOWN_FOR_MS);
        for (const observer of this.observers) observer.retried?.(source, purpose, error);
      }
    }
  }

  /**
   * The WAL position an API read of `dataVersion` needs: the primary's position the first time
   * this process saw the version (every commit of the version lies before it). Null without
   * standbys or without a version.
   */
  async versionPosition(dataVersion: string | null): Promise<string | null> {
    if (dataVersion === null || this.replicas.length === 0) return null;
    const known = this.versionPositions.get(dataVersion);
    if (known) return known;
    const position = await this.primaryPosition();
    this.versionPositions.set(dataVersion, position);
    return position;
  }

  /** The primary's current WAL position. */
  async primaryPosition(): Promise<string> {
    const result = await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(this.primary.db);
    return result.rows[0]!.lsn;
  }

  /**
   * Every standby's state now: reachable, replay position, lag in bytes behind the primary and in
   * seconds. For the metrics and /health/ready; each check is bounded, so a dead standby answers
   * `down` within the check timeout.
   */
  async replicaStates(): Promise<ReplicaState[]> {
    if (this.replicas.length === 0) return [];
    const primary = await this.primaryPosition().then(lsnValue, () => null);
    return Promise.all(
      this.replicas.map(async (replica): Promise<ReplicaState> => {
        try {
          const row = await this.bounded(
            sql<{ replay: string | null; lag_seconds: number | null; paused: boolean | null }>`
              SELECT pg_last_wal_replay_lsn()::text AS replay,
                CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                  ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS lag_seconds,
                CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS paused`.execute(replica.db),
          );
          const { replay, lag_seconds: lagSeconds, paused } = row.rows[0]!;
          if (replay === null) return { name: replica.name, state: 'down', replayLsn: null, lagBytes: null, lagSeconds: null, reason: 'not a standby' };
          const position = lsnValue(replay);
          this.remember(replica.name, position);
          const lagBytes = primary === null ? null : Math.max(0, Number(primary - position));
          const lagging = paused === true || (lagSeconds ?? 0) * 1_000 > this.replicaWaitMs;
          return {
            name: replica.name,
            state: lagging ? 'lagging' : 'up',
            replayLsn: replay,
            lagBytes,
            lagSeconds: lagSeconds === null ? null : Math.max(0, lagSeconds),
            ...(lagging ? { reason: paused ? 'WAL replay is paused' : `replay is ${Math.round(lagSeconds ?? 0)} s behind` } : {}),
          };
        } catch (error) {
          return { name: replica.name, state: 'down', replayLsn: null, lagBytes: null, lagSeconds: null, reason: (error as Error).message };
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.handles.map((handle) => handle.close()));
  }

  private routed(source: ReadSource, purpose: ReadPurpose, fellBack: boolean): ReadSource {
    for (const observer of this.observers) {
      if (fellBack) observer.fellBack?.(purpose);
      observer.routed?.(source, purpose);
    }
    return source;
  }

  private refreshInBackground(): void {
    if (this.refreshing || Date.now() - this.refreshedAt < this.pollIntervalMs) return;
    this.refreshing = Promise.all(this.replicas.filter((replica) => !this.isDown(replica)).map((replica) => this.replayPosition(replica))).then(() => {
      this.refreshedAt = Date.now();
      this.refreshing = null;
    });
  }

  private isDown(replica: ReadSource): boolean {
    return (this.downUntil.get(replica.name) ?? 0) > Date.now();
  }

  private remember(name: string, position: bigint): void {
    this.replayed.set(name, position);
    this.downUntil.delete(name);
  }

  /** The standby's replay position now, or null when it does not answer in time (then it is left out for a while). */
  private async replayPosition(replica: ReadSource): Promise<bigint | null> {
    try {
      const result = await this.bounded(sql<{ lsn: string | null }>`SELECT pg_last_wal_replay_lsn()::text AS lsn`.execute(replica.db));
      const lsn = result.rows[0]?.lsn ?? null;
      if (lsn === null) return null;
      const position = lsnValue(lsn);
      this.remember(replica.name, position);
      return position;
    } catch {
      this.replayed.delete(replica.name);
      this.downUntil.set(replica.name, Date.now() + DOWN_FOR_MS);
      return null;
    }
  }

  private bounded<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.checkTimeoutMs} ms`)), this.checkTimeoutMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}

/** A standby's name in logs, metrics and /health/ready: host:port of its URL (never the password). */
export function replicaName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}`;
}

/**
 * The read sources of a process: the primary's pool, and one pool per standby URL built like the
 * primary's (`createPool`). Without standbys every read goes to the primary.
 */
export function createReadSources(
  primary: DbHandle,
  replicaUrls: readonly string[],
  createPool: (url: string) => DbHandle,
  options: Omit<ReadSourcesSettings, 'primary' | 'replicas'>,
): ReadSources {
  const names = new Map<string, number>();
  const replicas = replicaUrls.map((url) => {
    const base = replicaName(url);
    const seen = names.get(base) ?? 0;
    names.set(base, seen + 1);
    return { name: seen === 0 ? base : `${base}#${seen + 1}`, handle: createPool(url) };
  });
  return new ReadSources({ primary, replicas, ...options });
}

/** DATABASE_REPLICA_URLS as a list. */
export function replicaUrlList(text: string): string[] {
  return text
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
}
