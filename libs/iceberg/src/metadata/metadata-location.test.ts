import { describe, expect, it } from 'vitest';
import {
  metadataDirectory,
  newMetadataLocation,
  nextMetadataLocation,
  parseMetadataVersion,
  WRITE_METADATA_PATH,
} from './metadata-location.ts';

const UUID = '2e1a0b57-5a8f-4e4c-a1d2-3f0f7e0c4c02';

describe('metadata file names', () => {
  it('names version files under <location>/metadata with a 5-digit version', () => {
    expect(newMetadataLocation('s3://w/db/t', 1, { uuid: UUID })).toBe(
      `s3://w/db/t/metadata/00001-${UUID}.metadata.json`,
    );
    expect(newMetadataLocation('s3://w/db/t//', 123456, { uuid: UUID })).toBe(
      `s3://w/db/t/metadata/123456-${UUID}.metadata.json`,
    );
    expect(newMetadataLocation('s3://w/t', 0)).toMatch(
      /^s3:\/\/w\/t\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/,
    );
  });

  it('honours write.metadata.path', () => {
    expect(metadataDirectory('s3://w/t', { [WRITE_METADATA_PATH]: 's3://meta/t/' })).toBe('s3://meta/t');
    expect(
      newMetadataLocation('s3://w/t', 2, { uuid: UUID, properties: { [WRITE_METADATA_PATH]: 's3://m' } }),
    ).toBe(`s3://m/00002-${UUID}.metadata.json`);
  });

  it('rejects a bad version or an empty location', () => {
    expect(() => newMetadataLocation('s3://w/t', -1)).toThrow(
      'metadata version must be a non-negative integer, got -1',
    );
    expect(() => newMetadataLocation('s3://w/t', 1.5)).toThrow(
      'metadata version must be a non-negative integer, got 1.5',
    );
    expect(() => newMetadataLocation('', 1)).toThrow('table location is empty; cannot name a metadata file');
  });

  it('parses versions from the known naming schemes', () => {
    expect(parseMetadataVersion(`s3://w/t/metadata/00042-${UUID}.metadata.json`)).toBe(42);
    expect(parseMetadataVersion(`s3://w/t/metadata/00042-${UUID}.gz.metadata.json`)).toBe(42);
    expect(parseMetadataVersion('s3://w/t/metadata/v7.metadata.json')).toBe(7);
    expect(parseMetadataVersion('s3://w/t/metadata/snap-1.avro')).toBeUndefined();
    expect(parseMetadataVersion(`99999999999999999999-${UUID}.metadata.json`)).toBeUndefined();
  });

  it('picks the next name after the current file', () => {
    expect(nextMetadataLocation('s3://w/t', undefined, { uuid: UUID })).toBe(
      `s3://w/t/metadata/00000-${UUID}.metadata.json`,
    );
    expect(
      nextMetadataLocation('s3://w/t', `s3://w/t/metadata/00009-${UUID}.metadata.json`, { uuid: UUID }),
    ).toBe(`s3://w/t/metadata/00010-${UUID}.metadata.json`);
    expect(
      nextMetadataLocation('s3://w/t', 's3://w/t/metadata/catalog-owned.json', {
        uuid: UUID,
        metadataLogLength: 3,
        properties: {},
      }),
    ).toBe(`s3://w/t/metadata/00004-${UUID}.metadata.json`);
    expect(nextMetadataLocation('s3://w/t', 's3://w/t/metadata/odd.json', { uuid: UUID })).toBe(
      `s3://w/t/metadata/00001-${UUID}.metadata.json`,
    );
  });
});
