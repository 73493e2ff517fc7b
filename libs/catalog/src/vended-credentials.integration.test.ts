// Vended credentials end to end: the auth gateway in front of the real catalog server plays
// Polaris and injects short-lived `s3.*` credentials (the stack's MinIO keys with an expiry
// 4 s out) into load responses. The client asks for them with X-Iceberg-Access-Delegation,
// hands them to the AWS SDK through the table's credentials provider, reads the table's
// metadata file from MinIO with them, and re-fetches them before they expire.

import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type AuthGateway, loadStackEnv, stackS3Properties, startAuthGateway } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestCatalog } from './index.ts';

const env = loadStackEnv();
const run = `vend_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [{ id: 1, name: 'id', type: 'long', required: true }],
};
const lifetimeMs = 4000;
const vended: number[] = [];

let gateway: AuthGateway;
let catalog: RestCatalog;

beforeAll(async () => {
  gateway = await startAuthGateway({
    upstream: env.catalogUri,
    requireAuth: false,
    vendedConfig: () => {
      const expiresAt = Date.now() + lifetimeMs;
      vended.push(expiresAt);
      return { ...stackS3Properties(env), 's3.session-token-expires-at-ms': String(expiresAt) };
    },
  });
  catalog = new RestCatalog({
    uri: gateway.url,
    warehouse: env.catalogWarehouse,
    accessDelegation: 'vended-credentials',
    credentialRefreshMarginMs: 1500,
  });
  await catalog.createNamespace(run);
});

afterAll(async () => {
  await catalog.close();
  await gateway.close();
});

describe('vended credentials', () => {
  it('asks for delegation and returns the vended config with the table', async () => {
    await catalog.createTable(`${run}.t`, { schema });
    const loaded = await catalog.loadTable(`${run}.t`);
    expect(loaded.config['s3.access-key-id']).toBe(env.s3AccessKeyId);
    const load = gateway.requests.find((r) => r.method === 'GET' && r.path.includes(`/tables/t`));
    expect(load?.accessDelegation).toBe('vended-credentials');
  });

  it('hands the credentials to the storage layer and refreshes them before they expire', async () => {
    const loaded = await catalog.loadTable(`${run}.t`);
    const provider = catalog.credentialsFor(`${run}.t`);
    const first = await provider.resolve();
    expect(first?.accessKeyId).toBe(env.s3AccessKeyId);
    expect(first?.endpoint).toBe(env.s3Endpoint);
    expect(first?.forcePathStyle).toBe(true);
    const firstExpiry = first?.expiration?.getTime() as number;
    expect(firstExpiry).toBeGreaterThan(Date.now());
    const fetchesAfterFirst = provider.fetchCount;

    // The storage layer: an S3 client whose credentials come from the catalog.
    const s3 = new S3Client({
      endpoint: first?.endpoint as string,
      region: first?.region as string,
      forcePathStyle: true,
      credentials: provider.awsCredentialProvider,
    });
    const { host: bucket, pathname } = new URL(loaded.metadataLocation as string);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: pathname.slice(1) }));
    expect(head.ContentLength).toBeGreaterThan(0);

    // Still well before the refresh point: served from the cache.
    await provider.resolve();
    expect(provider.fetchCount).toBe(fetchesAfterFirst);

    // Inside the margin (1.5 s before expiry) but before expiry: re-fetched from the catalog.
    await new Promise((resolve) => setTimeout(resolve, lifetimeMs - 1300));
    expect(Date.now()).toBeLessThan(firstExpiry);
    const second = await provider.resolve();
    expect(provider.fetchCount).toBe(fetchesAfterFirst + 1);
    expect(second?.expiration?.getTime()).toBeGreaterThan(firstExpiry);
    const again = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: pathname.slice(1) }));
    expect(again.ContentLength).toBe(head.ContentLength);
    s3.destroy();
  });
});
