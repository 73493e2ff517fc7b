// The Grafana dashboard (infra/grafana/dashboards/floe.json) and its provisioning in
// docker-compose.yml: every panel's query must name only metrics floe exports — collected from
// the writer's and the maintenance worker's real metric registries, not from a hand list — so a
// renamed metric breaks this test instead of silently emptying a panel. Prometheus must scrape
// both workers, and Grafana must mount the provisioning the dashboard relies on.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMaintenanceMetrics } from '@floe/maintenance-worker';
import { createWriterMetrics } from '@floe/writer-worker';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ComposeFile } from './compose-checks.ts';
import { dashboardProblems, type GrafanaDashboard, metricNamesOf } from './grafana-checks.ts';

const infraDir = dirname(fileURLToPath(import.meta.url));
const dashboard = JSON.parse(
  readFileSync(join(infraDir, 'grafana', 'dashboards', 'floe.json'), 'utf8'),
) as GrafanaDashboard;
const compose = parse(readFileSync(join(infraDir, 'docker-compose.yml'), 'utf8')) as ComposeFile;

async function exported(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const registry of [createWriterMetrics().registry, createMaintenanceMetrics().registry]) {
    for (const metric of await registry.getMetricsAsJSON()) names.add(metric.name);
  }
  return names;
}

describe('the Grafana dashboard', () => {
  it('queries only metrics the writer and the maintenance worker export', async () => {
    const names = await exported();
    expect(names.has('floe_writer_commit_conflicts_total')).toBe(true);
    expect(names.has('floe_table_manifests')).toBe(true);
    expect(dashboardProblems(dashboard, names)).toEqual([]);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
  });

  it('covers queue depth, job latency, commits, conflicts, breaker state and file sizes', () => {
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNamesOf(t.expr))));
    for (const name of [
      'floe_queue_jobs',
      'floe_writer_job_latency_seconds',
      'floe_writer_commit_attempts_total',
      'floe_writer_commit_conflicts_total',
      'floe_catalog_circuit_breaker_state',
      'floe_table_median_file_bytes',
      'floe_table_small_file_share',
      'floe_table_manifests',
    ]) {
      expect(used.has(name) || used.has(`${name}_bucket`), name).toBe(true);
    }
  });

  it('names a panel whose query uses an unknown metric, with the fix', async () => {
    const broken: GrafanaDashboard = {
      ...dashboard,
      panels: [{ id: 99, title: 'Typo', targets: [{ expr: 'rate(floe_writer_jobz_total[5m])' }] }],
    };
    expect(dashboardProblems(broken, await exported())).toEqual([
      "panel 99 'Typo' queries floe_writer_jobz_total, which neither worker exports: fix the query or the metric name",
    ]);
  });
});

describe('Prometheus and Grafana in docker-compose.yml', () => {
  it('scrapes both workers and provisions the dashboard', () => {
    const prometheus = parse(readFileSync(join(infraDir, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(['maintenance-worker:9464', 'writer-worker:9464']);
    expect(compose.services['prometheus']?.volumes).toContain(
      './prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
    expect(compose.services['grafana']?.volumes).toEqual([
      './grafana/provisioning:/etc/grafana/provisioning:ro',
      './grafana/dashboards:/var/lib/grafana/dashboards:ro',
    ]);
    const datasource = readFileSync(
      join(infraDir, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'),
      'utf8',
    );
    const uids = new Set(dashboard.panels.map((p) => p.datasource?.uid));
    expect([...uids]).toEqual(['floe-prometheus']);
    expect(datasource).toContain('uid: floe-prometheus');
    expect(datasource).toContain('url: http://prometheus:9090');
  });
});
