// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax
// `floe namespace …`, `floe table …` and the catalog check of `floe compile`, run as the real
// binary (`node apps/cli/src/main.ts`) against the local stack's Iceberg REST catalog. The
// floe.yaml is generated to point at the stack; tables are created with RestCatalog directly
// (the CLI has no `table create`), and one snapshot with id 2^63-1 is committed so that the
// JSON output's decimal-string snapshot ids are checked on the largest long there is.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestCatalog } from '@floe/catalog';
import { loadStackEnv, type StackEnv, stackFloeYaml } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FloeRun, runFloeBinary, runFloeInProcess } from './run-floe.test-helper.ts';

const stack: StackEnv = loadStackEnv();
const MAX_LONG = 9223372036854775807n;
const env = { ...process.env, TEST_S3_KEY_ID: stack.s3AccessKeyId, TEST_S3_SECRET: stack.s3SecretAccessKey };

function floeYaml(catalogUri: string): string {
  return stackFloeYaml(stack, {
    catalogUri,
    catalogRetry: { max_attempts: 1, timeout_ms: 5000 },
    accessKeyEnv: 'TEST_S3_KEY_ID',
    secretKeyEnv: 'TEST_S3_SECRET',
    queue: { prefix: 'floe-catalog-cli-test' },
  });
}

let cwd: string;

/** `floe …` in-process (see run-floe.test-helper.ts); the OAuth2 test runs the real binary. */
function floe(...argv: string[]): Promise<FloeRun> {
  return runFloeInProcess(argv, { cwd, env });
}

async function floeJson(...argv: string[]): Promise<unknown> {
  const run = await floe(...argv, '--format', 'json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

const suffix = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
const root = `cli_${suffix}`;
const catalog = new RestCatalog({ uri: stack.catalogUri, warehouse: stack.catalogWarehouse });

const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'event_id', required: true, type: 'long' },
    { id: 2, name: 'ts', required: true, type: 'timestamptz' },
    {
      id: 3,
      name: 'tags',
      required: false,
      type: { type: 'list', 'element-id': 5, element: 'string', 'element-required': true },
    },
    { id: 4, name: 'note', required: false, type: 'string', doc: 'free text' },
  ],
};

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'floe-catalog-cli-'));
  await writeFile(join(cwd, 'floe.yaml'), floeYaml(stack.catalogUri));
});

afterAll(async () => {
  await catalog.close();
});

describe('floe namespace against the local catalog', () => {
  it('creates a nested namespace with its parents, lists, describes, sets and removes properties', async () => {
    const created = await floe('namespace', 'create', `${root}.raw.events`, '--prop', 'owner=data-eng');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^✓ created namespace ${root}\\.raw\\.events\\n`));
    expect(created.stdout).toMatch(/ {2}owner +data-eng\n/);
    expect(await catalog.namespaceExists(`${root}.raw`)).toBe(true);

    const again = await floe('namespace', 'create', `${root}.raw.events`, '--prop', 'owner=x');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      `- namespace ${root}.raw.events already exists; the --prop values were not applied (use \`floe namespace set\`)\n`,
    );

    const top = await floe('namespace', 'list');
    expect(top.code).toBe(0);
    expect(top.stdout.split('\n')).toContain(root);
    expect(await floeJson('namespace', 'list', `${root}.raw`)).toEqual([
      { namespace: `${root}.raw.events`, levels: [root, 'raw', 'events'] },
    ]);
    const empty = await floe('namespace', 'list', `${root}.raw.events`);
    expect(empty.stdout).toBe(`no namespaces under ${root}.raw.events\n`);

    const set = await floe(
      'namespace',
      'set',
      `${root}.raw.events`,
      '--prop',
      'tier=gold',
      '--remove',
      'owner',
      '--remove',
      'absent',
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(
      `✓ updated namespace ${root}.raw.events\n  set      tier\n  removed  owner\n  missing  absent (nothing to remove)\n`,
    );
    const described = (await floeJson('namespace', 'describe', `${root}.raw.events`)) as {
      properties: Record<string, string>;
    };
    expect(described.properties['tier']).toBe('gold');
    expect(described.properties['owner']).toBeUndefined();
    const text = await floe('namespace', 'describe', `${root}.raw.events`);
    expect(text.stdout).toContain(`Namespace ${root}.raw.events\n\nProperties\n`);
    expect(text.stdout).toMatch(/ {2}tier +gold\n/);
  });

  it('explains a missing namespace with exit 1', async () => {
    const run = await floe('namespace', 'describe', `${root}.nowhere`);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      `✗ loadNamespace namespace ${root}.nowhere failed: the namespace does not exist`,
    );
  });
});

describe('floe table against the local catalog', () => {
  const ns = `${root}.tables`;
  const table = `${ns}.events`;

  beforeAll(async () => {
    await catalog.createNamespace(ns);
    await catalog.createTable(table, {
      schema: SCHEMA,
      partitionSpec: {
        'spec-id': 0,
        fields: [{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }],
      },
      writeOrder: {
        'order-id': 1,
        fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }],
      },
      properties: { 'write.format.default': 'parquet' },
    });
    await catalog.commitTable(table, {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
      updates: [
        {
          action: 'add-snapshot',
          snapshot: {
            'snapshot-id': MAX_LONG,
            'sequence-number': 1,
            'timestamp-ms': Date.now(),
            'manifest-list': `${stack.catalogWarehouse}cli-test/snap-${suffix}.avro`,
            summary: { operation: 'append' },
            'schema-id': 0,
          },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': MAX_LONG },
      ],
    });
  });

  it('lists the tables of a namespace', async () => {
    const run = await floe('table', 'list', ns);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`table\n${'-'.repeat(table.length)}\n${table}\n`);
    expect(await floeJson('table', 'list', ns)).toEqual([
      { table, namespace: [root, 'tables'], name: 'events' },
    ]);
  });

  it('describes schema, partition spec, sort order, properties, current snapshot and location', async () => {
    const run = await floe('table', 'describe', table);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Table ${table}\n  location           s3://warehouse/`);
    expect(run.stdout).toMatch(/ {2}1 +event_id +long +required/);
    expect(run.stdout).toMatch(/ {2}3 +tags +list<string> +optional/);
    expect(run.stdout).toMatch(/ {2}5 +tags\.element +string +required/);
    expect(run.stdout).toMatch(/ {2}4 +note +string +optional +free text/);
    expect(run.stdout).toMatch(/ {2}1000 +ts_day +day +ts \(id 2\)/);
    expect(run.stdout).toMatch(/ {2}event_id \(id 1\) +identity +asc +nulls-first/);
    expect(run.stdout).toMatch(/ {2}write\.format\.default +parquet/);
    expect(run.stdout).toContain(`  snapshot id        ${MAX_LONG}\n`);
    expect(run.stdout).toContain('  operation          append\n');

    const json = (await floeJson('table', 'describe', table)) as {
      location: string;
      metadata_location: string;
      current_snapshot: { snapshot_id: string; sequence_number: string };
      schema: { fields: { id: number; name: string; required: boolean }[] };
      partition_spec: { fields: { transform: string; source_name: string }[] };
    };
    expect(json.current_snapshot.snapshot_id).toBe('9223372036854775807');
    expect(json.current_snapshot.sequence_number).toBe('1');
    expect(json.schema.fields.map((field) => field.id)).toEqual([1, 2, 3, 5, 4]);
    expect(json.partition_spec.fields).toEqual([
      { field_id: 1000, name: 'ts_day', source_id: 2, source_name: 'ts', transform: 'day' },
    ]);
    expect(json.metadata_location).toMatch(/\.metadata\.json$/);
    expect(json.location).toMatch(/^s3:\/\/warehouse\//);
  });

  it('renames, drops without purge and registers the metadata back', async () => {
    const renamedTo = `${ns}.events_v2`;
    const renamed = await floe('table', 'rename', table, renamedTo);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toBe(`✓ renamed table ${table} to ${renamedTo}\n`);
    expect(await catalog.tableExists(table)).toBe(false);

    const { metadata_location: metadataLocation } = (await floeJson('table', 'describe', renamedTo)) as {
      metadata_location: string;
    };
    const dropped = await floe('table', 'drop', renamedTo);
    expect(dropped.code).toBe(0);
    expect(dropped.stdout).toBe(`✓ dropped table ${renamedTo} (data and metadata files kept)\n`);
    expect(await catalog.tableExists(renamedTo)).toBe(false);

    const registered = await floe('table', 'register', table, metadataLocation);
    expect(registered.stderr).toBe('');
    expect(registered.code).toBe(0);
    expect(registered.stdout).toBe(
      `✓ registered table ${table} from ${metadataLocation} (current snapshot ${MAX_LONG})\n`,
    );
    const reloaded = await catalog.loadTable(table, { bypassCache: true });
    expect(reloaded.metadata['current-snapshot-id']).toBe(MAX_LONG);
  });

  it('refuses to drop a namespace that still holds a table, then drops it once empty', async () => {
    const refused = await floe('namespace', 'drop', ns);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `✗ namespace ${ns} is not empty, so it was not dropped: drop or move its tables (\`floe table list ${ns}\`) and child namespaces (\`floe namespace list ${ns}\`) first\n`,
    );
    expect(await catalog.namespaceExists(ns)).toBe(true);

    // The snapshot committed above points at a manifest list that was never written, so a
    // purge of that table would fail on the server; it is dropped without purge, and a plain
    // table shows --purge.
    expect((await floe('table', 'drop', table)).code).toBe(0);
    const plain = `${ns}.plain`;
    await catalog.createTable(plain, { schema: SCHEMA });
    const purged = await floe('table', 'drop', plain, '--purge', '--format', 'json');
    expect(purged.stderr).toBe('');
    expect(purged.code).toBe(0);
    expect(JSON.parse(purged.stdout)).toEqual({ table: plain, dropped: true, purged: true });
    expect(await catalog.tableExists(plain)).toBe(false);
    expect((await floe('table', 'list', ns)).stdout).toBe(`no tables in namespace ${ns}\n`);

    const dropped = await floe('namespace', 'drop', ns);
    expect(dropped.code).toBe(0);
    expect(dropped.stdout).toBe(`✓ dropped namespace ${ns}\n`);
    expect(await catalog.namespaceExists(ns)).toBe(false);
  });

  it('reads compiled artifacts with --artifacts', async () => {
    const compiled = await floe('compile', '--skip-checks');
    expect(compiled.code).toBe(0);
    const run = await floe(
      'namespace',
      'list',
      root,
      '--artifacts',
      'floe.compiled.json',
      '--format',
      'json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toContainEqual({ namespace: `${root}.raw`, levels: [root, 'raw'] });
  });
});

describe('floe compile checks the catalog', () => {
  it('passes against the local catalog', async () => {
    const run = await floe('compile');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `✓ catalog at ${stack.catalogUri} answered GET /v1/config for warehouse "${stack.catalogWarehouse}" without credentials; \\d+ top-level namespaces? \\(\\d+ ms\\)\\n`,
      ),
    );
  });

  it('fails with an actionable line for a URI without an Iceberg REST catalog behind it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-catalog-cli-bad-'));
    const wrongUri = `${stack.catalogUri}/api/catalog`;
    await writeFile(join(dir, 'floe.yaml'), floeYaml(wrongUri));
    const run = await runFloeInProcess(['compile'], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `✗ no Iceberg REST catalog answers at ${wrongUri}/v1/config (HTTP 400): check the path in catalog.uri (Polaris serves the REST API under /api/catalog, e.g. http://polaris:8181/api/catalog)\n`,
    );
    expect(run.stdout).toContain(`✓ Redis at ${stack.redisUrl} answered PING`);
    expect(run.stderr).toBe('✗ 1 of 3 checks failed; the artifacts were written anyway\n');
  });

  it('names the client id and token endpoint when OAuth2 credentials are rejected, never the secret', async () => {
    const { startAuthGateway } = await import('@floe/test-support');
    const gateway = await startAuthGateway({
      upstream: stack.catalogUri,
      clientId: 'etl',
      clientSecret: 'right',
    });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'floe-catalog-cli-auth-'));
      const yaml = floeYaml(gateway.polarisUrl).replace(
        '  retry:\n',
        '  credential:\n    client_id: etl\n    client_secret: ${env:CATALOG_SECRET}\n  retry:\n',
      );
      await writeFile(join(dir, 'floe.yaml'), yaml);
      // The real binary: no secret may reach the process's own stdout or stderr.
      const compileWith = (secret: string) =>
        runFloeBinary(['compile'], { cwd: dir, env: { ...env, CATALOG_SECRET: secret } });
      const ok = await compileWith('right');
      expect(ok.stdout).toContain(
        `✓ catalog at ${gateway.polarisUrl} answered GET /v1/config for warehouse "${stack.catalogWarehouse}" as client id "etl" (OAuth2 token from ${gateway.polarisUrl}/v1/oauth/tokens, scope PRINCIPAL_ROLE:ALL)`,
      );
      // The namespace commands resolve the ${env:…} secret from floe.yaml the same way.
      const listed = await runFloeInProcess(['namespace', 'list', '--format', 'json'], {
        cwd: dir,
        env: { ...env, CATALOG_SECRET: 'right' },
      });
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true);
      const wrongSecret = 'wrong-secret-3c4d5e';
      const bad = await compileWith(wrongSecret);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain(
        `✗ the catalog rejected client id "etl" at ${gateway.polarisUrl}/v1/oauth/tokens (HTTP 401 invalid_client): check catalog.credential.client_id / client_secret (Polaris: the principal's credentials) and catalog.scope (PRINCIPAL_ROLE:ALL)\n`,
      );
      expect(`${bad.stdout}${bad.stderr}`).not.toContain(wrongSecret);
    } finally {
      await gateway.close();
    }
  });
});
