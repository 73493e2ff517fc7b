// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
// What to write for a field, used as the "how to fix" of a required-field or wrong-type issue.
// Keyed by path with array indexes written as `[]`. floe.example.yaml documents the same keys.

export const FIELD_HINTS: Readonly<Record<string, string>> = {
  catalog: 'add a catalog: section with type, uri and warehouse (see floe.example.yaml)',
  'catalog.type': 'write type: rest (the Iceberg REST protocol; Polaris speaks it)',
  'catalog.uri': 'write the catalog base URL, e.g. uri: http://127.0.0.1:8181',
  'catalog.warehouse': 'write the warehouse name (Polaris: the catalog name), e.g. warehouse: analytics',
  'catalog.access_delegation': 'write none or vended-credentials',
  'catalog.credential.client_secret': 'write client_secret: ${env:FLOE_CATALOG_CLIENT_SECRET}',
  'catalog.credential.token': 'write token: ${env:FLOE_CATALOG_TOKEN}',
  storage: 'add a storage: section with at least staging.bucket (see floe.example.yaml)',
  'storage.staging': 'add staging: { bucket: <bucket for staged batches> }',
  'storage.staging.bucket': 'write the bucket producers stage Arrow batches in, e.g. bucket: floe-staging',
  'storage.path_style': 'write true (MinIO and most S3-compatible servers) or false (AWS)',
  'storage.secret_access_key': 'write secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}',
  'storage.session_token': 'write session_token: ${env:AWS_SESSION_TOKEN}',
  queue: 'add a queue: section with redis_url (see floe.example.yaml)',
  'queue.redis_url': 'write the Redis URL, e.g. redis_url: redis://127.0.0.1:6379',
  'maintenance.schedules[].name': 'name the schedule, e.g. name: nightly-expire',
  'maintenance.schedules[].action': 'write expire, orphans, staging, compact or rewrite-manifests',
  'observability.log_level': 'write one of fatal, error, warn, info, debug, trace, silent',
  'observability.otel.exporter': 'write none, otlp or console',
};

export function hintFor(path: readonly PropertyKey[]): string | undefined {
  const key = path.map((segment) => (typeof segment === 'number' ? '[]' : String(segment))).join('.');
  return FIELD_HINTS[key.replaceAll('.[]', '[]')];
}
