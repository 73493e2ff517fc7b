// Checks for the Grafana dashboard JSON (infra/grafana/dashboards/floe.json): which metric names a
// PromQL expression uses, and which panels query a metric no floe process exports.

export interface GrafanaTarget {
  readonly expr: string;
}

export interface GrafanaPanel {
  readonly id: number;
  readonly title: string;
  readonly datasource?: { readonly uid?: string };
  readonly targets: readonly GrafanaTarget[];
}

export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly GrafanaPanel[];
}

/** Suffixes Prometheus adds to a histogram's (or summary's) own name. */
const SERIES_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/** The floe metric names in a PromQL expression (histogram series mapped to their metric). */
export function metricNamesOf(expr: string): string[] {
  const names = new Set<string>();
  // Label values ("{{table}}", state="waiting") are not names: drop quoted strings first.
  const unquoted = expr.replace(/"[^"]*"/g, '""');
  for (const match of unquoted.matchAll(/\bfloe_[a-z0-9_]+/g)) names.add(match[0]);
  return [...names];
}

function exportedAs(name: string, exported: ReadonlySet<string>): boolean {
  if (exported.has(name)) return true;
  const suffix = SERIES_SUFFIXES.find((s) => name.endsWith(s));
  return suffix !== undefined && exported.has(name.slice(0, -suffix.length));
}

export function dashboardProblems(dashboard: GrafanaDashboard, exported: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const panel of dashboard.panels) {
    if (panel.targets.length === 0) problems.push(`panel ${panel.id} '${panel.title}' has no query`);
    for (const target of panel.targets) {
      const names = metricNamesOf(target.expr);
      if (names.length === 0)
        problems.push(`panel ${panel.id} '${panel.title}' queries no floe metric: ${target.expr}`);
      for (const name of names) {
        if (!exportedAs(name, exported)) {
          problems.push(
            `panel ${panel.id} '${panel.title}' queries ${name}, which neither worker exports: fix the query or the metric name`,
          );
        }
      }
    }
  }
  return problems;
}
