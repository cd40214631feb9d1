import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReadSources } from './read-sources.js';

/** A scrape must not hang on a standby that stopped answering. */
const COLLECT_TIMEOUT_MS = 1_500;

/**
 * The read routing's metrics, the same in every process that routes reads: reads per source and
 * purpose, fallbacks to the primary, retries after a lost standby, and each standby's lag (bytes
 * and seconds, read at scrape time; absent while it is unreachable).
 */
export function registerReadSourceMetrics(registry: Registry, sources: ReadSources): void {
  const routed = new Counter({
    name: 'sm_db_reads_routed_total',
    help: 'Long reads (report shards, histories) by the source that served them (primary or a standby host:port)',
    labelNames: ['source', 'purpose'] as const,
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: 'sm_db_read_fallbacks_total',
    help: 'Long reads served by the primary because no standby had replayed up to the position they need (in REPLICA_WAIT_MS, for shards)',
    labelNames: ['purpose'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'sm_db_read_retries_total',
    help: 'Reads lost with their standby (it died, or cancelled the read in a recovery conflict) and run again on another source',
    labelNames: ['source', 'purpose'] as const,
    registers: [registry],
  });
  sources.observe({
    routed: (source, purpose) => routed.inc({ source: source.name, purpose }),
    fellBack: (purpose) => fallbacks.inc({ purpose }),
    retried: (source, purpose) => retries.inc({ source: source.name, purpose }),
  });
  if (sources.replicas.length === 0) return;

  let states: ReturnType<ReadSources['replicaStates']> | null = null;
  // One check per scrape serves the three gauges.
  const current = () => {
    states ??= withTimeout(sources.replicaStates()).finally(() => {
      setTimeout(() => (states = null), 100).unref();
    });
    return states.catch(() => []);
  };
  new Gauge({
    name: 'sm_db_replica_lag_bytes',
    help: "WAL bytes a standby has yet to replay to reach the primary's position",
    labelNames: ['replica'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const state of await current()) if (state.lagBytes !== null) this.set({ replica: state.name }, state.lagBytes);
    },
  });
  new Gauge({
    name: 'sm_db_replica_lag_seconds',
    help: 'Seconds since the newest transaction a standby has replayed (0 while it has replayed all it received)',
    labelNames: ['replica'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const state of await current()) if (state.lagSeconds !== null) this.set({ replica: state.name }, state.lagSeconds);
    },
  });
  new Gauge({
    name: 'sm_db_replica_up',
    help: 'Whether a standby answers as a standby (1) or not (0)',
    labelNames: ['replica'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const state of await current()) this.set({ replica: state.name }, state.state === 'down' ? 0 : 1);
    },
  });
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('replica check timed out')), COLLECT_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
