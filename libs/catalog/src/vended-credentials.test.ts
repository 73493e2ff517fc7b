import { describe, expect, it } from 'vitest';
import {
  RefreshingCredentialsProvider,
  s3CredentialsFromConfig,
  storageConfigFor,
  tableLocationOf,
  type VendedCredentialsSource,
} from './vended-credentials.ts';

const keys = (id: string, expiresAt?: number) => ({
  's3.access-key-id': id,
  's3.secret-access-key': `secret-${id}`,
  ...(expiresAt === undefined ? {} : { 's3.session-token-expires-at-ms': String(expiresAt) }),
});

describe('storageConfigFor', () => {
  const source = {
    config: { ...keys('table'), 's3.endpoint': 'http://minio' },
    storageCredentials: [
      { prefix: 's3://bucket/', config: keys('bucket') },
      { prefix: 's3://bucket/db/events/', config: keys('events') },
      { prefix: 's3://other/', config: keys('other') },
    ],
  };

  it('takes the longest matching prefix and keeps table-level settings underneath', () => {
    const config = storageConfigFor('s3://bucket/db/events/data/f.parquet', source);
    expect(config['s3.access-key-id']).toBe('events');
    expect(config['s3.endpoint']).toBe('http://minio');
    expect(storageConfigFor('s3://bucket/db/orders/x', source)['s3.access-key-id']).toBe('bucket');
  });

  it('falls back to the table config when no prefix matches, or a single set when there is no location', () => {
    expect(storageConfigFor('s3://elsewhere/x', source)['s3.access-key-id']).toBe('table');
    expect(storageConfigFor(undefined, source)['s3.access-key-id']).toBe('table');
    const single = { config: {}, storageCredentials: [{ prefix: 's3://b/', config: keys('only') }] };
    expect(storageConfigFor(undefined, single)['s3.access-key-id']).toBe('only');
  });
});

describe('s3CredentialsFromConfig', () => {
  it('reads keys, token, expiry, endpoint, region and path style', () => {
    const creds = s3CredentialsFromConfig({
      ...keys('a', 1_700_000_000_000),
      's3.session-token': 'tok',
      's3.endpoint': 'http://minio:9000',
      'client.region': 'eu-west-1',
      's3.path-style-access': 'true',
    });
    expect(creds).toEqual({
      accessKeyId: 'a',
      secretAccessKey: 'secret-a',
      sessionToken: 'tok',
      expiration: new Date(1_700_000_000_000),
      endpoint: 'http://minio:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
  });

  it('returns undefined without a key pair and ignores a bad expiry', () => {
    expect(s3CredentialsFromConfig({ 's3.access-key-id': 'a' })).toBeUndefined();
    const creds = s3CredentialsFromConfig({
      ...keys('a'),
      's3.session-token-expires-at-ms': 'soon',
      's3.region': 'x',
    });
    expect(creds?.expiration).toBeUndefined();
    expect(creds?.region).toBe('x');
  });
});

describe('RefreshingCredentialsProvider', () => {
  function setup(lifetimeMs: number, marginMs?: number) {
    let now = 10_000;
    let fetches = 0;
    const provider = new RefreshingCredentialsProvider({
      table: 'bronze.events',
      now: () => now,
      ...(marginMs === undefined ? {} : { refreshMarginMs: marginMs }),
      fetch: async (): Promise<VendedCredentialsSource> => {
        fetches++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return {
          location: 's3://b/t',
          config: keys(`k${fetches}`, now + lifetimeMs),
          storageCredentials: [],
        };
      },
    });
    return { provider, advance: (ms: number) => (now += ms), fetches: () => fetches };
  }

  it('fetches once, serves from cache, and refetches once inside the margin', async () => {
    const { provider, advance } = setup(60_000, 10_000);
    const all = await Promise.all([provider.resolve(), provider.resolve(), provider.awsCredentialProvider()]);
    expect(all.map((c) => c?.accessKeyId)).toEqual(['k1', 'k1', 'k1']);
    advance(49_000);
    expect((await provider.resolve())?.accessKeyId).toBe('k1');
    advance(2_000); // 51 s of 60 s: inside the 10 s margin
    const refreshed = await Promise.all([provider.resolve(), provider.resolve()]);
    expect(refreshed.map((c) => c?.accessKeyId)).toEqual(['k2', 'k2']);
    expect(provider.fetchCount).toBe(2);
  });

  it('caps the margin at half the lifetime for short-lived credentials', async () => {
    const { provider, advance } = setup(4_000); // default 5 min margin → capped at 2 s
    await provider.resolve();
    advance(1_900);
    await provider.resolve();
    expect(provider.fetchCount).toBe(1);
    advance(200);
    await provider.resolve();
    expect(provider.fetchCount).toBe(2);
  });

  it('uses initial credentials without fetching, and never refreshes credentials without expiry', async () => {
    const provider = new RefreshingCredentialsProvider({
      table: 't',
      initial: { location: undefined, config: keys('static'), storageCredentials: [] },
      fetch: () => Promise.reject(new Error('should not fetch')),
    });
    expect((await provider.resolve('s3://any'))?.accessKeyId).toBe('static');
    expect(provider.fetchCount).toBe(0);
  });

  it('tells the storage layer what to configure when nothing was vended', async () => {
    const provider = new RefreshingCredentialsProvider({
      table: 'bronze.events',
      fetch: async () => ({ location: undefined, config: {}, storageCredentials: [] }),
    });
    expect(await provider.resolve()).toBeUndefined();
    await expect(provider.awsCredentialProvider()).rejects.toThrow(
      "the catalog vended no S3 credentials for bronze.events: set catalog.access_delegation to 'vended-credentials'",
    );
  });

  it('reads the table location from metadata', () => {
    expect(tableLocationOf({ location: 's3://b/t' })).toBe('s3://b/t');
    expect(tableLocationOf({})).toBeUndefined();
  });
});
