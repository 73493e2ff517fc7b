// TableIOCache: one FileIO per table storage setting — the same settings share it, other
// properties or another credential source get their own, and the bound holds.
import type { S3CredentialsProvider } from '@floe/iceberg';
import { MetadataCachedFileIO } from '@floe/iceberg';
import { describe, expect, it } from 'vitest';
import { TableIOCache } from './table-io-cache.ts';

const location = 's3://warehouse/db/events';
const properties = { 's3.endpoint': 'http://127.0.0.1:9000', 's3.path-style-access': 'true' };
const credentials = { accessKeyId: 'AKIA', secretAccessKey: 'secret' };

describe('TableIOCache', () => {
  it('reuses one FileIO for the same settings, in any property order', () => {
    const cache = new TableIOCache();
    const a = cache.fileIO({ location, properties });
    const b = cache.fileIO({
      location: `${location}/other`,
      properties: { 's3.path-style-access': 'true', 's3.endpoint': 'http://127.0.0.1:9000' },
    });
    expect(b).toBe(a);
    expect(cache.size).toBe(1);
  });

  it('builds another FileIO for other properties, credentials or providers', () => {
    const cache = new TableIOCache();
    const plain = cache.fileIO({ location, properties });
    const otherEndpoint = cache.fileIO({ location, properties: { 's3.endpoint': 'http://127.0.0.1:9001' } });
    const withCredentials = cache.fileIO({ location, properties, credentials });
    const rotated = cache.fileIO({
      location,
      properties,
      credentials: { ...credentials, secretAccessKey: 'new' },
    });
    const providerA: S3CredentialsProvider = async () => credentials;
    const providerB: S3CredentialsProvider = async () => credentials;
    const viaA = cache.fileIO({ location, properties, credentials: providerA });
    const viaB = cache.fileIO({ location, properties, credentials: providerB });
    const all = [plain, otherEndpoint, withCredentials, rotated, viaA, viaB];
    expect(new Set(all).size).toBe(all.length);
    expect(cache.fileIO({ location, properties, credentials: providerA })).toBe(viaA);
  });

  it('keeps at most maxEntries FileIOs, and wraps them with the metadata cache when asked', () => {
    const cache = new TableIOCache({ maxEntries: 2, cacheMetadata: true });
    const first = cache.fileIO({ location, properties: { 's3.endpoint': 'http://a' } });
    cache.fileIO({ location, properties: { 's3.endpoint': 'http://b' } });
    cache.fileIO({ location, properties: { 's3.endpoint': 'http://c' } });
    expect(cache.size).toBe(2);
    expect(first).toBeInstanceOf(MetadataCachedFileIO);
    expect(cache.fileIO({ location, properties: { 's3.endpoint': 'http://a' } })).not.toBe(first);
  });
});
