import { readFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { Schema } from '../spec/types.ts';
import { createdByFor, PARQUET_CREATED_BY } from './parquet-created-by.ts';
import { ParquetFileWriter } from './parquet-file-writer.ts';
import { footerLength, parseParquetFooter } from './parquet-footer.ts';
import {
  BYTE_ARRAY,
  FIXED_LEN_BYTE_ARRAY,
  parquetMrIgnoresStatistics,
  parseCreatedBy,
} from './parquet-mr-statistics-rule.test-helper.ts';

const INT64 = 2;
const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('parquet-mr statistics rule (test helper)', () => {
  it('ignores binary statistics of unparseable, empty and pre-1.8.0 parquet-mr created_by only', () => {
    const ignored = (createdBy: string | undefined) => parquetMrIgnoresStatistics(createdBy, BYTE_ARRAY);
    expect(ignored('floe (parquet-wasm)')).toBe(true); // floe's value before: no "version"
    expect(ignored(undefined)).toBe(true);
    expect(ignored('')).toBe(true);
    expect(ignored('parquet-mr')).toBe(true);
    expect(ignored('parquet-mr version')).toBe(true);
    expect(ignored('parquet-mr version 1.6.0 (build 6aa21f8776625b5fa6b18059cfebe7549f2e00cb)')).toBe(true);
    expect(
      ignored('parquet-mr version 1.8.0rc2-SNAPSHOT (build ddb469afac70404ea63b72ed2f07a911a8592ff7)'),
    ).toBe(true);
    expect(ignored('parquet-mr version 1.8.0 (build ddb469afac70404ea63b72ed2f07a911a8592ff7)')).toBe(false);
    expect(ignored('parquet-mr version 1.10.1')).toBe(false);
    expect(ignored('parquet-mr version 1.5.0-cdh5.5.0-SNAPSHOT (build abc)')).toBe(false);
    expect(ignored('parquet-mr version 1.5.0-cdh5.4.0 (build abc)')).toBe(true);
    expect(ignored('parquet-mr version not.a.version (build abc)')).toBe(true);
    expect(ignored('parquet-rs version 59.3.0')).toBe(false);
    expect(ignored('impala version 1.6.0 (build abc)')).toBe(false);
    expect(parquetMrIgnoresStatistics('floe (parquet-wasm)', FIXED_LEN_BYTE_ARRAY)).toBe(true);
    expect(parquetMrIgnoresStatistics('floe (parquet-wasm)', INT64)).toBe(false);
  });

  it('splits created_by into application, version and build like VersionParser', () => {
    expect(parseCreatedBy('parquet-mr version 1.8.0 (build abc)')).toEqual({
      application: 'parquet-mr',
      version: '1.8.0',
      build: 'abc',
    });
    expect(parseCreatedBy('parquet-cpp-arrow version 15.0.0')).toEqual({
      application: 'parquet-cpp-arrow',
      version: '15.0.0',
    });
    expect(parseCreatedBy('  parquet-mr  version  1.8.0 ( build  x y )')).toEqual({
      application: '  parquet-mr',
      version: '1.8.0',
      build: 'x y',
    });
    expect(() => parseCreatedBy('floe (parquet-wasm)')).toThrow('could not parse created_by');
    expect(() => parseCreatedBy(' version 1.0.0')).toThrow('application cannot be null or empty');
    expect(() => parseCreatedBy('a\nb version 1.0.0')).toThrow('could not parse created_by');
  });
});

describe('Parquet created_by', () => {
  it('is "floe version <package version> (build <package version>)"', () => {
    expect(PARQUET_CREATED_BY).toBe(`floe version ${packageVersion} (build ${packageVersion})`);
    expect(parseCreatedBy(PARQUET_CREATED_BY)).toEqual({
      application: 'floe',
      version: packageVersion,
      build: packageVersion,
    });
    expect(createdByFor('1.2.3-rc.1')).toBe('floe version 1.2.3-rc.1 (build 1.2.3-rc.1)');
  });

  it('refuses a package version readers could not parse', () => {
    expect(() => createdByFor('next')).toThrow(
      "@floe/iceberg package.json version 'next' is not <major>.<minor>.<patch>: Parquet readers could not parse the created_by built from it; set a semantic version in libs/iceberg/package.json",
    );
    expect(() => createdByFor('1.0.0 (x)')).toThrow(/is not <major>.<minor>.<patch>/);
  });

  it('is stamped into written files so parquet-mr trusts their string and binary statistics', async () => {
    const schema: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [
        { id: 1, name: 'id', required: true, type: { kind: 'long' } },
        { id: 2, name: 'name', required: false, type: { kind: 'string' } },
        { id: 3, name: 'payload', required: false, type: { kind: 'binary' } },
      ],
    };
    const batch = new arrow.Table({
      id: arrow.makeVector(BigInt64Array.from([1n, 2n, 3n])),
      name: arrow.vectorFromArray(['mango', 'apple', 'zebra'], new arrow.Utf8()),
      payload: arrow.vectorFromArray([Uint8Array.of(2), null, Uint8Array.of(1, 9)], new arrow.Binary()),
    }).batches[0] as arrow.RecordBatch;
    const io = new MemoryFileIO();
    const writer = new ParquetFileWriter({
      io,
      location: 'mem://wh/t/data/a.parquet',
      schema,
      arrowSchema: batch.schema,
    });
    await writer.write(batch);
    const written = await writer.close();

    const bytes = await io.read(written.location);
    const length = footerLength(bytes, written.location);
    const footer = parseParquetFooter(
      bytes.subarray(bytes.length - 8 - length, bytes.length - 8),
      written.location,
    );
    expect(footer.createdBy).toBe(PARQUET_CREATED_BY);
    expect(parseCreatedBy(footer.createdBy ?? '').application).toBe('floe');

    const chunks = footer.rowGroups.flatMap((group) => group.columns);
    const binary = chunks.filter((chunk) => chunk.physicalType === BYTE_ARRAY);
    expect(binary.map((chunk) => chunk.path.join('.'))).toEqual(['name', 'payload']);
    for (const chunk of binary) {
      expect(parquetMrIgnoresStatistics(footer.createdBy, chunk.physicalType)).toBe(false);
    }
    const text = new TextDecoder();
    const name = binary[0];
    expect([text.decode(name?.minValue), text.decode(name?.maxValue)]).toEqual(['apple', 'zebra']);
    expect([binary[1]?.minValue, binary[1]?.maxValue]).toEqual([Uint8Array.of(1, 9), Uint8Array.of(2)]);
  });
});
