// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
import { describe, expect, it } from 'vitest';
import { serializeCompiledArtifacts } from './artifacts.ts';
import { compileConfig } from './compile.ts';
import { ConfigError } from './errors.ts';
import { DEFAULT_SCHEDULES, effectiveSchedules } from './schema/maintenance.ts';
import { CLIENT_SECRET, EXAMPLE_ENV, exampleYaml, MINIMAL_YAML, S3_SECRET } from './test-fixtures.ts';

function compileError(yaml: string, env: Record<string, string> = {}): ConfigError {
  try {
    compileConfig(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected compileConfig to fail');
}

function issueLines(error: ConfigError): string[] {
  return error.message
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
}

describe('compileConfig on floe.example.yaml', () => {
  it('produces version-1 artifacts with defaults filled and secrets kept as references', () => {
    const artifacts = compileConfig(exampleYaml(), EXAMPLE_ENV);
    expect(artifacts.version).toBe(1);
    expect(artifacts.catalog).toMatchObject({
      type: 'rest',
      uri: 'http://127.0.0.1:8181',
      warehouse: 'analytics',
      scope: 'PRINCIPAL_ROLE:ALL',
      credential: { client_id: 'floe', client_secret: '${env:FLOE_CATALOG_CLIENT_SECRET}' },
    });
    expect(artifacts.storage.secret_access_key).toBe('${env:AWS_SECRET_ACCESS_KEY}');
    expect(artifacts.storage.access_key_id).toBe('${env:AWS_ACCESS_KEY_ID}');
    // redis_url may carry a password, so a referenced URL stays a reference too.
    expect(artifacts.queue).toEqual({
      redis_url: '${env:FLOE_REDIS_URL:-redis://127.0.0.1:6379}',
      prefix: 'floe',
      write_queue: 'floe-write',
      maintenance_queue: 'floe-maintenance',
    });
    expect(artifacts.maintenance.schedules.map((schedule) => schedule.name)).toEqual([
      'nightly-expire',
      'weekly-orphans',
      'hourly-compact',
      'staging-sweep',
    ]);
    // Your compact, expire, orphans and staging schedules replace those defaults; rewrite-manifests stays.
    expect(effectiveSchedules(artifacts.maintenance).map((schedule) => schedule.name)).toEqual([
      'nightly-expire',
      'weekly-orphans',
      'hourly-compact',
      'staging-sweep',
      'floe-default-rewrite-manifests',
    ]);
    const json = serializeCompiledArtifacts(artifacts);
    expect(json).not.toContain(CLIENT_SECRET);
    expect(json).not.toContain(S3_SECRET);
  });
});

describe('compileConfig defaults', () => {
  it('fills every optional section of a minimal file', () => {
    const artifacts = compileConfig(MINIMAL_YAML, {});
    // No maintenance section: floe's default schedules keep every table healthy.
    expect(artifacts.maintenance.default_schedules).toBe(true);
    expect(effectiveSchedules(artifacts.maintenance)).toEqual(DEFAULT_SCHEDULES);
    expect(DEFAULT_SCHEDULES.map((s) => s.action).sort()).toEqual([
      'compact',
      'expire',
      'orphans',
      'rewrite-manifests',
      'staging',
    ]);
    expect(artifacts.catalog.retry).toEqual({
      max_attempts: 5,
      initial_delay_ms: 100,
      max_delay_ms: 10_000,
      timeout_ms: 30_000,
      breaker: { threshold: 5, half_open_after_ms: 30_000 },
    });
    expect(artifacts.catalog.access_delegation).toBe('none');
    expect(artifacts.catalog.headers).toEqual({});
    expect(artifacts.storage).toMatchObject({
      region: 'us-east-1',
      path_style: false,
      staging: { bucket: 'floe-staging', prefix: 'staging/' },
      max_staged_object_bytes: 256 * 1024 * 1024,
    });
    expect(artifacts.writer).toEqual({
      concurrency: 16,
      target_file_size_bytes: 128 * 1024 * 1024,
      commit_linger_ms: 200,
      max_jobs_per_commit: 32,
      commit_interval_ms: 150,
      compaction_trigger_small_files: 200,
      compaction_trigger_interval_ms: 10_000,
      commit_lease: { enabled: true, ttl_ms: 5_000, answer_timeout_ms: 60_000 },
      shutdown_deadline_ms: 30_000,
      lock_duration_ms: 30_000,
      stalled_interval_ms: 30_000,
      max_stalled_count: 3,
      catalog_recheck_ms: 15_000,
      metrics_port: 9464,
      metrics_host: '127.0.0.1',
    });
    expect(artifacts.maintenance.retention).toEqual({
      max_snapshot_age_ms: 5 * 86_400_000,
      min_snapshots_to_keep: 1,
      max_snapshots: 500,
      orphan_older_than_ms: 3 * 86_400_000,
      staging_retention_ms: 7 * 86_400_000,
    });
    expect(artifacts.observability).toEqual({
      log_level: 'info',
      otel: { exporter: 'none', service_name: 'floe' },
    });
  });
});

describe('compileConfig env interpolation', () => {
  it('resolves references, defaults (unset or empty), numbers, booleans and $$ escapes', () => {
    const yaml = `${MINIMAL_YAML}
writer:
  concurrency: \${env:WRITER_CONCURRENCY}
  metrics_port: \${env:METRICS_PORT:-9100}
  commit_linger_ms: \${env:EMPTY:-50}
observability:
  otel:
    service_name: floe-\${env:POD}-$\${literal}
`.replace('bucket: floe-staging', 'bucket: ${env:BUCKET}');
    const artifacts = compileConfig(yaml, {
      WRITER_CONCURRENCY: '8',
      EMPTY: '',
      POD: 'w1',
      BUCKET: 'stage-b',
    });
    expect(artifacts.writer.concurrency).toBe(8);
    expect(artifacts.writer.metrics_port).toBe(9100);
    expect(artifacts.writer.commit_linger_ms).toBe(50);
    expect(artifacts.storage.staging.bucket).toBe('stage-b');
    expect(artifacts.observability.otel.service_name).toBe('floe-w1-${literal}');
  });

  it('names the unset variable and the field that uses it', () => {
    const error = compileError(
      MINIMAL_YAML.replace('warehouse: s3://warehouse/', 'warehouse: ${env:WAREHOUSE}'),
    );
    expect(error.kind).toBe('missing-env');
    expect(issueLines(error)).toEqual([
      'catalog.warehouse: environment variable WAREHOUSE is not set — export WAREHOUSE, or give a default with ${env:WAREHOUSE:-value}',
    ]);
  });

  it('rejects placeholders that are not env references', () => {
    const error = compileError(MINIMAL_YAML.replace('warehouse: s3://warehouse/', 'warehouse: ${WAREHOUSE}'));
    expect(issueLines(error)).toEqual([
      'catalog.warehouse: unsupported placeholder `${WAREHOUSE}` — write ${env:NAME} or ${env:NAME:-default} to read an environment variable, or $${…} for a literal',
    ]);
  });
});

describe('compileConfig errors', () => {
  const broken = `
catalog:
  type: hive
  uri: ftp://catalog
  wharehouse: analytics
  accessDelegation: none
  retry: { max_attempts: 0, breaker: { threshold: abc } }
storage:
  staging: { bucket: B }
  access_key_id: AKID
queue:
  redis_url: redis://127.0.0.1:6379
  write_queue: "a:b"
writer: { concurrency: 2000, metrics_port: 70000, commit_lease: { enabled: yes, ttl_ms: 100 } }
maintenance:
  schedules:
    - { name: a, action: expire }
    - { name: b, cron: "often", every_ms: 5, tables: [events], action: nuke }
    - { name: c, every_ms: 60000, tz: Mars/Olympus, namespaces: [x], action: staging }
observability: { log_level: loud, otel: { exporter: otlp } }
extra: 1
`;

  it('reports every bad field with its path, what is wrong and how to fix it', () => {
    const error = compileError(broken);
    expect(error.kind).toBe('invalid-config');
    const lines = issueLines(error);
    expect(lines).toEqual(
      expect.arrayContaining([
        'catalog.type: must be one of rest, sql, got the text "hive" — write type: sql (the embedded SQL catalog: SQLite or PostgreSQL) or type: rest (the Iceberg REST protocol; Polaris speaks it)',
        'catalog.uri: must be a http:// or https:// URL (type rest) or a sqlite:// or postgresql:// database (type sql), got the text "ftp://catalog" — write a full URL such as http://127.0.0.1:8181 (Polaris: http://polaris:8181/api/catalog), or sqlite:////absolute/path/catalog.db',
        'catalog.warehouse: is required — write the warehouse name (Polaris: the catalog name), e.g. warehouse: analytics',
        'catalog.wharehouse: is not a known key — did you mean "warehouse"?',
        'catalog.accessDelegation: is not a known key — did you mean "access_delegation"?',
        'catalog.retry.max_attempts: must be ≥ 1, got number 0 — raise it (see floe.example.yaml for the meaning)',
        'catalog.retry.breaker.threshold: must be a number, got the text "abc" — write a number',
        'storage.staging.bucket: is not a valid S3 bucket name, got the text "B" — use 3–63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
        'storage.secret_access_key: is missing while access_key_id is set — add secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}, or remove access_key_id',
        'queue.write_queue: contains ":", got the text "a:b" — BullMQ queue names cannot contain ":"; use letters, digits and -',
        'writer.concurrency: must be ≤ 1024, got number 2000 — lower it (see floe.example.yaml for the meaning)',
        'writer.metrics_port: must be ≤ 65535, got number 70000 — lower it (see floe.example.yaml for the meaning)',
        'writer.commit_lease.enabled: must be true or false, got the text "yes" — write true or false',
        'writer.commit_lease.ttl_ms: must be ≥ 500, got number 100 — raise it (see floe.example.yaml for the meaning)',
        'maintenance.schedules[0].cron: is missing (and so is every_ms) — give exactly one of cron (e.g. "0 3 * * *") or every_ms',
        'maintenance.schedules[0].tables: is missing (and so are namespaces and all_tables) — give exactly one of tables, namespaces or all_tables: true for action expire',
        'maintenance.schedules[1].cron: is not a cron pattern, got the text "often" — write 5 fields (minute hour day month weekday), e.g. "0 3 * * *"',
        'maintenance.schedules[1].every_ms: must be ≥ 1000, got number 5 — raise it (see floe.example.yaml for the meaning)',
        'maintenance.schedules[1].tables[0]: is not a table identifier, got the text "events" — write namespace.table, e.g. analytics.events (nested: a.b.table)',
        'maintenance.schedules[1].action: must be one of expire, orphans, staging, compact, rewrite-manifests, got the text "nuke" — write expire, orphans, staging, compact or rewrite-manifests',
        'maintenance.schedules[2].tz: is not an IANA time zone, got the text "Mars/Olympus" — write a zone such as UTC or Europe/Paris',
        'observability.log_level: must be one of fatal, error, warn, info, debug, trace, silent, got the text "loud" — write one of fatal, error, warn, info, debug, trace, silent',
        'observability.otel.endpoint: is required when exporter is otlp — set it to the collector, e.g. http://127.0.0.1:4318/v1/traces, or use exporter: none',
        'extra: is not a known key — remove it; keys allowed here: catalog, storage, queue, writer, maintenance, observability',
      ]),
    );
    expect(error.message.split('\n')[0]).toBe(`floe.yaml has ${lines.length} problems:`);
    expect(error.issues).toHaveLength(lines.length);
    expect(error.retryable).toBe(false);
  });

  it('reports cross-field rules: credentials, retry delays, staging schedules, duplicate names, queue names', () => {
    const yaml = `
catalog:
  type: rest
  uri: http://127.0.0.1:8181
  warehouse: w
  credential: { client_id: etl }
  retry: { initial_delay_ms: 500, max_delay_ms: 100 }
storage: { staging: { bucket: floe-staging }, session_token: "\${env:TOKEN}" }
queue: { redis_url: redis://127.0.0.1:6379, write_queue: q, maintenance_queue: q }
maintenance:
  schedules:
    - { name: sweep, every_ms: 60000, tables: [a.b], action: staging }
    - { name: expire, cron: "0 3 * * *", tables: [a.b], namespaces: [a], action: expire }
    - { name: expire, cron: "0 3 * * *", tables: [a.c], action: expire }
`;
    const lines = issueLines(compileError(yaml, { TOKEN: 'tok-123' }));
    expect(lines).toEqual([
      'catalog.credential.client_secret: is missing while client_id is set — add client_secret: ${env:FLOE_CATALOG_CLIENT_SECRET}',
      'catalog.retry.max_delay_ms: is 100, below initial_delay_ms (500) — make max_delay_ms ≥ initial_delay_ms',
      'storage.session_token: is set without access_key_id/secret_access_key — a session token only works with temporary keys: set all three, or none',
      'queue.maintenance_queue: is the same queue as write_queue ("q") — give the maintenance queue its own name, e.g. floe-maintenance',
      'maintenance.schedules[0].tables: is set for action staging — staging cleans storage.staging, not tables: remove tables/namespaces/all_tables',
      'maintenance.schedules[1].namespaces: is set together with tables — give exactly one of tables, namespaces or all_tables: true for action expire',
      'maintenance.schedules[2].name: "expire" is used by an earlier schedule — give every schedule its own name',
    ]);
  });

  it('reports duplicate schedule names and a token given together with client credentials', () => {
    const yaml = `${MINIMAL_YAML.replace(
      'warehouse: s3://warehouse/',
      'warehouse: w\n  credential: { client_id: a, client_secret: "${env:S}", token: "${env:T}" }',
    )}
maintenance:
  schedules:
    - { name: expire, cron: "0 3 * * *", tables: [a.b], action: expire }
    - { name: expire, cron: "0 4 * * *", tables: [a.c], action: expire }
`;
    expect(issueLines(compileError(yaml, { S: 'sss', T: 'ttt' }))).toEqual([
      'catalog.credential.token: is set together with client_id/client_secret — use either client_id + client_secret (OAuth2 client credentials) or token, not both',
      'maintenance.schedules[1].name: "expire" is used by an earlier schedule — give every schedule its own name',
    ]);
  });

  it('rejects secrets written inline, naming a variable to move them to', () => {
    const yaml = `
catalog:
  type: rest
  uri: http://127.0.0.1:8181
  warehouse: w
  credential: { client_id: etl, client_secret: plain-text-secret }
  headers: { Authorization: Bearer abc, X-Tenant: t1 }
storage:
  staging: { bucket: floe-staging }
  access_key_id: AKID
  secret_access_key: plain-s3-secret
queue: { redis_url: "redis://:plain-redis-pw@127.0.0.1:6379" }
`;
    const error = compileError(yaml);
    expect(issueLines(error)).toEqual([
      'catalog.credential.client_secret: holds a secret written inline — put the value in an environment variable and write ${env:FLOE_CATALOG_CLIENT_SECRET}',
      'storage.secret_access_key: holds a secret written inline — put the value in an environment variable and write ${env:AWS_SECRET_ACCESS_KEY}',
      'queue.redis_url: holds a password written inline — write the password as a reference, e.g. redis://:${env:REDIS_PASSWORD}@host:6379',
      'catalog.headers.Authorization: holds a secret written inline — put the value in an environment variable and write ${env:FLOE_CATALOG_HEADER}',
    ]);
    for (const secret of ['plain-text-secret', 'plain-s3-secret', 'plain-redis-pw', 'Bearer abc']) {
      expect(error.message).not.toContain(secret);
    }
  });

  it('never quotes a secret resolved from the environment, even when it lands in a wrong field', () => {
    const yaml = MINIMAL_YAML.replace('uri: http://127.0.0.1:8181', 'uri: ${env:LEAKY}').replace(
      'warehouse: s3://warehouse/',
      'warehouse: w\n  credential: { client_id: etl, client_secret: "${env:LEAKY}" }',
    );
    const error = compileError(yaml, { LEAKY: 'not-a-url-but-a-secret' });
    expect(error.message).toContain(
      'catalog.uri: must be a http:// or https:// URL (type rest) or a sqlite:// or postgresql:// database (type sql), got the text "[REDACTED]"',
    );
    expect(error.message).not.toContain('not-a-url-but-a-secret');
  });

  it('reports YAML syntax errors with line and column, and empty or non-mapping files', () => {
    expect(compileError('catalog:\n  type: [rest\nqueue: 1\n').message).toMatch(
      /^floe\.yaml is not valid YAML:\n {2}floe\.yaml:\d+:\d+: .+ — fix the YAML syntax there$/,
    );
    expect(compileError('queue: 1\nqueue: 2\n').message).toBe(
      'floe.yaml is not valid YAML:\n  floe.yaml:2:1: Map keys must be unique — keep one of the duplicated keys',
    );
    expect(compileError('').message).toBe(
      'floe.yaml is empty:\n  (root): holds no settings — start from floe.example.yaml',
    );
    expect(compileError('- catalog').message).toBe(
      'floe.yaml is not a mapping:\n  (root): must be a mapping of sections — start from floe.example.yaml',
    );
  });

  it('names missing sections with what to add', () => {
    expect(issueLines(compileError('writer: {}\n'))).toEqual([
      'catalog: is required — add a catalog: section with type, uri and warehouse (see floe.example.yaml)',
      'storage: is required — add a storage: section with at least staging.bucket (see floe.example.yaml)',
      'queue: is required — add a queue: section with redis_url (see floe.example.yaml)',
    ]);
  });
});
