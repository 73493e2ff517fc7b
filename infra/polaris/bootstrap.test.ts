// Runs infra/polaris/bootstrap.sh (with the machine's sh and curl) against a small stand-in for
// Polaris's OAuth2 and management endpoints. Real Polaris needs Docker, which the test machines lack;
// the stand-in answers the way polaris-management-service.yml specifies (201 on create, 409 when the
// entity exists, PrincipalWithCredentials bodies) so the script's control flow — idempotent re-runs,
// keeping working credentials, resetting lost ones, and the messages it prints on failure — is
// exercised for real. Whether Polaris accepts the bodies is for the Docker stack to prove.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), 'bootstrap.sh');
const ROOT_ID = 'floe-root';
const ROOT_SECRET = 'root-secret-for-tests';

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly realm: string | undefined;
}

/** In-memory Polaris stand-in: just enough state to answer like the management API spec says. */
class PolarisStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly entities = new Set<string>();
  readonly credentials = new Map<string, string>([[ROOT_ID, ROOT_SECRET]]);
  catalogCreateStatus: number | undefined;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const path = (request.url ?? '').split('?')[0] ?? '';
        const realmHeader = request.headers['polaris-realm'];
        this.requests.push({ method: request.method ?? '', path, body, realm: realmHeader?.toString() });
        const [status, answer] = this.answer(request.method ?? '', path, body, request.headers.authorization);
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Forget everything, as Polaris's in-memory metastore does on restart. */
  restart(): void {
    this.entities.clear();
    this.credentials.clear();
    this.credentials.set(ROOT_ID, ROOT_SECRET);
  }

  managementCalls(): string[] {
    return this.requests
      .filter((request) => request.path.startsWith('/api/management/v1'))
      .map((request) => `${request.method} ${request.path.slice('/api/management/v1'.length)}`);
  }

  private answer(
    method: string,
    path: string,
    body: string,
    authorization: string | undefined,
  ): [number, unknown] {
    if (path === '/api/catalog/v1/oauth/tokens') {
      const form = new URLSearchParams(body);
      const id = form.get('client_id') ?? '';
      if (
        form.get('grant_type') !== 'client_credentials' ||
        this.credentials.get(id) !== form.get('client_secret')
      ) {
        return [401, { error: 'unauthorized_client', error_description: 'The client is not authorized' }];
      }
      return [200, { access_token: `token-${id}`, token_type: 'bearer', expires_in: 3600 }];
    }
    if (authorization !== `Bearer token-${ROOT_ID}`) return [401, { error: { message: 'not authorized' } }];
    const route = path.slice('/api/management/v1'.length);
    if (method === 'POST' && route === '/catalogs' && this.catalogCreateStatus !== undefined) {
      return [
        this.catalogCreateStatus,
        { error: { message: 'Invalid storage configuration', code: this.catalogCreateStatus } },
      ];
    }
    if (method === 'POST' && /^\/principals\/[^/]+\/reset$/.test(route)) {
      const name = route.split('/')[2] ?? '';
      return [200, this.issueCredentials(name)];
    }
    if (method === 'POST') {
      const parsed = JSON.parse(body) as Record<string, { name?: string }>;
      const entity = `${route}/${Object.values(parsed)[0]?.name ?? ''}`;
      if (this.entities.has(entity))
        return [409, { error: { message: `${entity} already exists`, code: 409 } }];
      this.entities.add(entity);
      if (route === '/principals') return [201, this.issueCredentials(parsed['principal']?.name ?? '')];
      return [201, parsed];
    }
    if (method === 'PUT') return [201, {}];
    return [404, { error: { message: 'no route' } }];
  }

  private issueCredentials(name: string): unknown {
    const clientId = randomBytes(8).toString('hex');
    const clientSecret = randomBytes(16).toString('hex');
    this.credentials.set(clientId, clientSecret);
    return { principal: { name, clientId, properties: {} }, credentials: { clientId, clientSecret } };
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => resolve(body));
  });
}

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runBootstrap(env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      'sh',
      [script],
      { env: { PATH: process.env['PATH'] ?? '', ...env } },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr,
        });
      },
    );
  });
}

function readCredentials(dir: string): Map<string, string> {
  const lines = readFileSync(join(dir, 'catalog-credentials.env'), 'utf8').trim().split('\n');
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('polaris bootstrap script', () => {
  let polaris: PolarisStandIn;
  let outputDir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    polaris = new PolarisStandIn();
    outputDir = mkdtempSync(join(tmpdir(), 'floe-polaris-bootstrap-'));
    env = {
      POLARIS_URL: await polaris.start(),
      POLARIS_ROOT_CLIENT_ID: ROOT_ID,
      POLARIS_ROOT_CLIENT_SECRET: ROOT_SECRET,
      FLOE_OUTPUT_DIR: outputDir,
      S3_ENDPOINT: 'http://minio:9000',
    };
  });

  afterEach(async () => {
    await polaris.stop();
    rmSync(outputDir, { recursive: true, force: true });
  });

  it('creates the catalog, roles, grants and principal, and writes working credentials', async () => {
    const result = await runBootstrap(env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(polaris.managementCalls()).toEqual([
      'POST /catalogs',
      'POST /principal-roles',
      'POST /catalogs/floe/catalog-roles',
      'PUT /catalogs/floe/catalog-roles/floe_content_manager/grants',
      'PUT /principal-roles/floe_writer/catalog-roles/floe',
      'POST /principals',
      'PUT /principals/floe_worker/principal-roles',
    ]);
    expect(polaris.requests.every((request) => request.realm === 'POLARIS')).toBe(true);

    const catalog = JSON.parse(polaris.requests.find((r) => r.path.endsWith('/catalogs'))?.body ?? '{}');
    expect(catalog).toEqual({
      catalog: {
        type: 'INTERNAL',
        name: 'floe',
        properties: {
          'default-base-location': 's3://warehouse/',
          'polaris.config.drop-with-purge.enabled': 'true',
        },
        storageConfigInfo: {
          storageType: 'S3',
          allowedLocations: ['s3://warehouse/'],
          endpoint: 'http://minio:9000',
          endpointInternal: 'http://minio:9000',
          stsEndpoint: 'http://minio:9000',
          pathStyleAccess: true,
          region: 'us-east-1',
          // As verified on MinIO with Polaris 1.4.1: no KMS there, and with access delegation none
          // (the default) Polaris never calls STS.
          kmsUnavailable: true,
          stsUnavailable: true,
        },
      },
    });
    const grant = polaris.requests.find((r) => r.path.endsWith('/grants'));
    expect(JSON.parse(grant?.body ?? '{}')).toEqual({
      grant: { type: 'catalog', privilege: 'CATALOG_MANAGE_CONTENT' },
    });

    const written = readCredentials(outputDir);
    const clientId = written.get('FLOE_CATALOG_CLIENT_ID') ?? '';
    const clientSecret = written.get('FLOE_CATALOG_CLIENT_SECRET') ?? '';
    expect(polaris.credentials.get(clientId)).toBe(clientSecret);
    expect(written.get('FLOE_CATALOG_WAREHOUSE')).toBe('floe');
    expect(JSON.parse(readFileSync(join(outputDir, 'catalog-credentials.json'), 'utf8'))).toEqual({
      catalog: 'floe',
      principal: 'floe_worker',
      clientId,
      clientSecret,
    });
    expect(statSync(join(outputDir, 'catalog-credentials.env')).mode & 0o077).toBe(0);
    // The last token request proves the new credentials before they are handed over.
    expect(new URLSearchParams(polaris.requests.at(-1)?.body).get('client_id')).toBe(clientId);
    expect(result.stdout).toContain(`client id: ${clientId}`);
    expect(result.stdout).not.toContain(clientSecret);
    expect(result.stdout).not.toContain(ROOT_SECRET);
  });

  it('lets Polaris vend credentials through MinIO STS when the workers use vended-credentials', async () => {
    const result = await runBootstrap({
      ...env,
      FLOE_ACCESS_DELEGATION: 'vended-credentials',
      S3_ENDPOINT_INTERNAL: 'http://minio-internal:9000',
    });
    expect(result.code).toBe(0);
    const body = JSON.parse(polaris.requests.find((r) => r.path.endsWith('/catalogs'))?.body ?? '{}');
    expect(body.catalog.storageConfigInfo).toMatchObject({
      endpoint: 'http://minio:9000',
      endpointInternal: 'http://minio-internal:9000',
      stsEndpoint: 'http://minio-internal:9000',
      kmsUnavailable: true,
      stsUnavailable: false,
    });
    expect(result.stdout).toContain('STS http://minio-internal:9000, access delegation vended-credentials');
  });

  it('refuses an access delegation floe.yaml does not know', async () => {
    const result = await runBootstrap({ ...env, FLOE_ACCESS_DELEGATION: 'remote-sign' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "FLOE_ACCESS_DELEGATION='remote-sign' must be none or vended-credentials (as catalog.access_delegation in floe.yaml)",
    );
    expect(polaris.requests).toEqual([]);
  });

  it('re-runs against the same Polaris without resetting working credentials', async () => {
    expect((await runBootstrap(env)).code).toBe(0);
    const first = readCredentials(outputDir);
    polaris.requests.length = 0;

    const again = await runBootstrap(env);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("catalog 'floe' already exists");
    expect(again.stdout).toContain("keeping the existing credentials of principal 'floe_worker'");
    expect(polaris.managementCalls()).not.toContain('POST /principals');
    expect(polaris.managementCalls().some((call) => call.endsWith('/reset'))).toBe(false);
    expect(readCredentials(outputDir)).toEqual(first);
  });

  it('recreates everything after a Polaris restart lost its in-memory state', async () => {
    expect((await runBootstrap(env)).code).toBe(0);
    const before = readCredentials(outputDir).get('FLOE_CATALOG_CLIENT_ID');
    polaris.restart();

    const result = await runBootstrap(env);
    expect(result.code).toBe(0);
    const after = readCredentials(outputDir).get('FLOE_CATALOG_CLIENT_ID') ?? '';
    expect(after).not.toBe(before);
    expect(polaris.credentials.has(after)).toBe(true);
  });

  it('resets the credentials of an existing principal when the credentials file was lost', async () => {
    expect((await runBootstrap(env)).code).toBe(0);
    rmSync(join(outputDir, 'catalog-credentials.env'));
    polaris.requests.length = 0;

    const result = await runBootstrap(env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "principal 'floe_worker' exists without usable credentials here: resetting them",
    );
    expect(polaris.managementCalls()).toContain('POST /principals/floe_worker/reset');
    const reset = readCredentials(outputDir);
    expect(polaris.credentials.get(reset.get('FLOE_CATALOG_CLIENT_ID') ?? '')).toBe(
      reset.get('FLOE_CATALOG_CLIENT_SECRET'),
    );
  });

  it('names the variables to check when Polaris refuses the root credentials, without printing the secret', async () => {
    const result = await runBootstrap({ ...env, POLARIS_ROOT_CLIENT_SECRET: 'wrong-secret' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Polaris refused the root credentials for client id 'floe-root'");
    expect(result.stderr).toContain(
      'check POLARIS_ROOT_CLIENT_ID/POLARIS_ROOT_CLIENT_SECRET match POLARIS_BOOTSTRAP_CREDENTIALS',
    );
    expect(result.stderr + result.stdout).not.toContain('wrong-secret');
    expect(polaris.managementCalls()).toEqual([]);
  });

  it("reports Polaris's answer when a management call fails", async () => {
    polaris.catalogCreateStatus = 400;
    const result = await runBootstrap(env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'ERROR: POST /catalogs answered 400: {"error":{"message":"Invalid storage configuration","code":400}}',
    );
  });

  it('says where Polaris could not be reached', async () => {
    await polaris.stop();
    const result = await runBootstrap(env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `cannot reach Polaris at ${env['POLARIS_URL']}/api/catalog/v1/oauth/tokens`,
    );
  });

  it('rejects names that cannot go into JSON and URLs unescaped', async () => {
    const result = await runBootstrap({ ...env, FLOE_CATALOG_NAME: 'my catalog' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "FLOE_CATALOG_NAME='my catalog' must be non-empty and use only letters, digits, '_' and '-'",
    );
    expect(polaris.requests).toEqual([]);
  });

  it('refuses to start without the root credentials', async () => {
    const { POLARIS_ROOT_CLIENT_SECRET: _omitted, ...withoutSecret } = env;
    const result = await runBootstrap(withoutSecret);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'set POLARIS_ROOT_CLIENT_SECRET to the secret Polaris was bootstrapped with',
    );
  });

  it('leaves a pre-existing credentials file untouched when it cannot finish', async () => {
    writeFileSync(
      join(outputDir, 'catalog-credentials.env'),
      'FLOE_CATALOG_CLIENT_ID=old\nFLOE_CATALOG_CLIENT_SECRET=old\n',
    );
    polaris.catalogCreateStatus = 500;
    expect((await runBootstrap(env)).code).not.toBe(0);
    expect(readCredentials(outputDir).get('FLOE_CATALOG_CLIENT_ID')).toBe('old');
  });
});
