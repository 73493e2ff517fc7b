// Credential refresh through the endpoint the table names, end to end: the auth gateway plays
// Polaris — vended credentials (the stack's MinIO keys, 3 s lifetime) in load responses, with
// `client.refresh-credentials-endpoint` pointing at the table's `…/credentials`, which it serves
// without advertising it. Before expiry the provider refreshes through that endpoint, not by
// reloading the table, and the refreshed credentials read the table's metadata file from MinIO.
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type AuthGateway, loadStackEnv, stackS3Properties, startAuthGateway } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestCatalog } from './index.ts';

const env = loadStackEnv();
const run = `refresh_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
const lifetimeMs = 3000;

let gateway: AuthGateway;
let catalog: RestCatalog;

beforeAll(async () => {
  gateway = await startAuthGateway({
    upstream: env.catalogUri,
    requireAuth: false,
    etag: true,
    serveCredentials: true,
    vendedConfig: () => ({
      ...stackS3Properties(env),
      's3.session-token-expires-at-ms': String(Date.now() + lifetimeMs),
      'client.refresh-credentials-endpoint': `v1/namespaces/${run}/tables/t/credentials`,
    }),
  });
  catalog = new RestCatalog({
    uri: gateway.url,
    warehouse: env.catalogWarehouse,
    accessDelegation: 'vended-credentials',
    credentialRefreshMarginMs: 1500,
  });
  await catalog.createNamespace(run);
  await catalog.createTable(`${run}.t`, {
    schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] },
  });
});

afterAll(async () => {
  await catalog.close();
  await gateway.close();
});

describe('credential refresh through client.refresh-credentials-endpoint', () => {
  it('refreshes through the named endpoint instead of reloading the table', async () => {
    const loaded = await catalog.loadTable(`${run}.t`, { bypassCache: true });
    gateway.resetCounters();
    const provider = catalog.credentialsFor(`${run}.t`);
    const first = await provider.resolve();
    const firstExpiry = first?.expiration?.getTime() as number;
    await new Promise((resolve) => setTimeout(resolve, lifetimeMs - 1200));
    const second = await provider.resolve();
    expect(second?.expiration?.getTime()).toBeGreaterThan(firstExpiry);

    const paths = gateway.requests.map((request) => `${request.method} ${request.path.split('?')[0]}`);
    expect(paths).toEqual([`GET /v1/namespaces/${run}/tables/t/credentials`]);
    expect(gateway.requests[0]?.accessDelegation).toBe('vended-credentials');

    const s3 = new S3Client({
      endpoint: env.s3Endpoint,
      region: env.s3Region,
      forcePathStyle: true,
      credentials: provider.awsCredentialProvider,
    });
    const { host: bucket, pathname } = new URL(loaded.metadataLocation as string);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: pathname.slice(1) }));
    expect(head.ContentLength).toBeGreaterThan(0);
    s3.destroy();
  });
});
