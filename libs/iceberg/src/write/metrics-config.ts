// Which metrics to keep per column, from table properties (Iceberg's MetricsConfig):
// `write.metadata.metrics.default` (default `truncate(16)`) and per-column overrides
// `write.metadata.metrics.column.<full.column.name>`. Modes: `none` (nothing), `counts` (value,
// null and NaN counts plus column size), `truncate(N)` (counts plus bounds, strings and binary cut
// to N), `full` (untruncated bounds). Wide tables without an explicit default only keep metrics
// for their first `write.metadata.metrics.max-inferred-column-defaults` (100) columns, as
// manifests otherwise balloon.

import { IcebergError } from '../errors.ts';

export type MetricsMode =
  | { readonly kind: 'none' }
  | { readonly kind: 'counts' }
  | { readonly kind: 'truncate'; readonly length: number }
  | { readonly kind: 'full' };

export const METRICS_DEFAULT_PROPERTY = 'write.metadata.metrics.default';
export const METRICS_COLUMN_PREFIX = 'write.metadata.metrics.column.';
export const METRICS_MAX_INFERRED_PROPERTY = 'write.metadata.metrics.max-inferred-column-defaults';
const DEFAULT_MODE: MetricsMode = { kind: 'truncate', length: 16 };
const DEFAULT_MAX_INFERRED = 100;

export function parseMetricsMode(text: string, property: string): MetricsMode {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'none' || trimmed === 'counts' || trimmed === 'full') return { kind: trimmed };
  const match = /^truncate\((\d+)\)$/.exec(trimmed);
  const length = match ? Number(match[1]) : Number.NaN;
  if (Number.isSafeInteger(length) && length > 0) return { kind: 'truncate', length };
  throw new IcebergError(
    'invalid-argument',
    `invalid metrics mode '${text}' in ${property}: use none, counts, truncate(N) with N > 0, or full`,
    { context: { property, value: text } },
  );
}

/**
 * Resolves the mode for each leaf column, given in file order by full dotted name.
 * Unknown column names in overrides are ignored (the column may have been dropped).
 */
export function resolveMetricsModes(
  columnNames: readonly string[],
  properties: Readonly<Record<string, string>>,
): MetricsMode[] {
  const explicitDefault = properties[METRICS_DEFAULT_PROPERTY];
  const defaultMode =
    explicitDefault === undefined
      ? DEFAULT_MODE
      : parseMetricsMode(explicitDefault, METRICS_DEFAULT_PROPERTY);
  const maxInferredText = properties[METRICS_MAX_INFERRED_PROPERTY];
  const maxInferred = maxInferredText === undefined ? DEFAULT_MAX_INFERRED : Number(maxInferredText);
  if (!Number.isSafeInteger(maxInferred) || maxInferred < 0) {
    throw new IcebergError(
      'invalid-argument',
      `${METRICS_MAX_INFERRED_PROPERTY} must be a non-negative integer, got '${maxInferredText}'`,
      { context: { property: METRICS_MAX_INFERRED_PROPERTY, value: maxInferredText } },
    );
  }
  return columnNames.map((name, index) => {
    const property = `${METRICS_COLUMN_PREFIX}${name}`;
    const override = properties[property];
    if (override !== undefined) return parseMetricsMode(override, property);
    if (explicitDefault === undefined && index >= maxInferred) return { kind: 'none' };
    return defaultMode;
  });
}
