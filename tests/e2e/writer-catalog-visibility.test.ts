// Issue 18 acceptance: the writer's catalog calls are visible. A REAL writer process with
// `log_level: debug` talks to the real catalog through the auth gateway of the test harness
// (OAuth2 client credentials, so a token is fetched). One write job later, its log holds a
// catalog line for the config, the token, the table load and the commit — each with status and
// duration — and an info line for the issued token with its expiry; nothing in the log is the
// client secret or the bearer token. Its /metrics counts the same calls in
// floe_catalog_requests_total{operation,status}.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestCatalog } from '@floe/catalog';
import { compileAndResolve } from '@floe/config';
import { FloeProducer } from '@floe/producer-sdk';
import {
  type AuthGateway,
  loadStackEnv,
  stackCredentialEnv,
  stackFloeYaml,
  startAuthGateway,
  startFloeProcess,
  WRITER_WORKER,
} from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stack = loadStackEnv();
const run = randomUUID().slice(0, 8);
const table = `visible_${run}.events`;
let gateway: AuthGateway;
let worker: ChildProcess | undefined;
let producer: FloeProducer | undefined;
let output = '';

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const lines = (): LogLine[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

beforeAll(async () => {
  gateway = await startAuthGateway({ upstream: stack.catalogUri, tokenTtlMs: 60_000 });
  const yaml = `${stackFloeYaml(stack, {
    catalogUri: gateway.url,
    queue: { prefix: 'floe-test', write_queue: `visible-${run}`, maintenance_queue: `visible-maint-${run}` },
    writer: { metrics_port: 0 },
  }).replace(
    `  warehouse: ${stack.catalogWarehouse}\n`,
    `  warehouse: ${stack.catalogWarehouse}\n  credential:\n    client_id: \${env:TEST_CATALOG_CLIENT_ID}\n    client_secret: \${env:TEST_CATALOG_CLIENT_SECRET}\n`,
  )}observability:\n  log_level: debug\n`;
  const env = {
    ...stackCredentialEnv(stack),
    TEST_CATALOG_CLIENT_ID: gateway.clientId,
    TEST_CATALOG_CLIENT_SECRET: gateway.clientSecret,
  };
  const configPath = join(mkdtempSync(join(tmpdir(), 'floe-visible-')), 'floe.yaml');
  writeFileSync(configPath, yaml);
  worker = await startFloeProcess(WRITER_WORKER, {
    configPath,
    env: { ...process.env, ...env },
    onOutput: (chunk) => {
      output += chunk;
    },
  });
  producer = FloeProducer.fromArtifacts(compileAndResolve(yaml, env, configPath));
  // The table exists before the job, so the job's own calls are a load and a commit.
  const direct = new RestCatalog({ uri: stack.catalogUri, warehouse: stack.catalogWarehouse });
  await direct.createNamespace(table.split('.')[0] as string);
  await direct.createTable(table, {
    schema: {
      type: 'struct',
      'schema-id': 0,
      fields: [{ id: 1, name: 'id', type: 'long', required: false }],
    },
  });
  await direct.close();
}, 90_000);

afterAll(async () => {
  await producer?.close();
  if (worker !== undefined && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await gateway.close();
}, 60_000);

describe('catalog calls in the writer log and metrics', () => {
  it('logs config, token, load and commit for one job, and counts them', async () => {
    const batch = new arrow.Table({ id: arrow.makeVector(BigInt64Array.from([1n, 2n, 3n])) });
    const handle = await (producer as FloeProducer).write(table, batch, { idempotencyKey: `visible-${run}` });
    await handle.result(60_000);

    const log = lines();
    const catalogLine = (msg: string) => log.find((line) => line.msg === msg);
    for (const msg of ['catalog getConfig ok', 'catalog oauthToken request', 'catalog commitTable ok']) {
      expect(catalogLine(msg), `no "${msg}" line in:\n${output.slice(-3000)}`).toBeDefined();
      expect(catalogLine(msg)).toMatchObject({ level: 'debug', status: 200, durationMs: expect.any(Number) });
    }
    const load = log.find((line) => line.msg === 'catalog loadTable ok' && line['table'] === table);
    expect(load).toMatchObject({
      level: 'debug',
      operation: 'loadTable',
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(catalogLine('catalog commitTable ok')).toMatchObject({ operation: 'commitTable', table });
    const token = catalogLine('catalog token issued');
    expect(token).toMatchObject({ level: 'info', clientId: gateway.clientId, expiresInMs: 60_000 });
    expect(Date.parse(String(token?.['expiresAt']))).toBeGreaterThan(Date.now());
    expect(output).not.toContain(gateway.clientSecret);

    const started = log.find((line) => line.msg === 'writer worker started');
    const metrics = await (
      await fetch(`http://127.0.0.1:${String(started?.['metricsPort'])}/metrics`)
    ).text();
    for (const operation of ['getConfig', 'oauthToken', 'loadTable', 'commitTable']) {
      expect(metrics).toMatch(
        new RegExp(
          `floe_catalog_requests_total\\{[^}]*operation="${operation}"[^}]*status="200"[^}]*\\} [1-9]`,
        ),
      );
    }
    expect(metrics).toContain('floe_catalog_request_duration_seconds_bucket');
  });
});
