import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${repoRoot}${path}`, 'utf8');

describe('observability profile', () => {
  const dashboard = JSON.parse(read('infra/grafana/dashboards/store-monitoring.json')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const exported = [read('apps/api/src/plugins/app/prometheus.ts'), read('apps/worker/src/worker-metrics.ts')].join('\n');

  it('charts queue depth, report latency and refresh age', () => {
    const titles = dashboard.panels.map((panel) => panel.title.toLowerCase()).join('\n');
    expect(titles).toMatch(/queue depth/);
    expect(titles).toMatch(/report latency/);
    expect(titles).toMatch(/refresh age/);
  });

  it('only queries metrics the api and workers export', () => {
    const names = new Set(
      dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/\b(?:sm|http)_[a-z_]+/g) ?? [])),
    );
    expect(names.size).toBeGreaterThan(3);
    for (const name of names) expect(exported).toContain(`'${name.replace(/_(bucket|sum|count)$/, '')}'`);
  });

  it('scrapes the api and every worker replica', () => {
    const prometheus = parse(read('infra/prometheus/prometheus.yml')) as { scrape_configs: { job_name: string }[] };
    expect(prometheus.scrape_configs.map((config) => config.job_name).sort()).toEqual(['api', 'worker']);
  });
});
