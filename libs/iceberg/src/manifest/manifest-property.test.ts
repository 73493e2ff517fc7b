import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { PrimitiveType } from '../spec/types.ts';
import { writeAvroContainer } from './avro-container.ts';
import { manifestEntryAvroSchema } from './avro-schemas.ts';
import type { DataFile, ManifestEntry, PartitionValue } from './data-file.ts';
import { entryToAvro } from './entry-codec.ts';
import { PARTITION_TYPE, SCHEMA, SPEC } from './manifest-fixtures.test-helper.ts';
import { readManifest } from './manifest-reader.ts';
import { ManifestWriter } from './manifest-writer.ts';
import { comparePrimitive } from './partition-summary.ts';

const LONG = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const BIG_LONG = fc.oneof(LONG, fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n }));
const COUNT = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });

/** One arbitrary per PARTITION_TYPE field, in order; NaN included for the float fields. */
const partitionArb: fc.Arbitrary<PartitionValue[]> = fc.tuple(
  nullable(fc.string({ unit: 'grapheme' })),
  nullable(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  nullable(fc.bigInt({ min: -(10n ** 9n) + 1n, max: 10n ** 9n - 1n })),
  nullable(fc.uuid()),
  nullable(fc.double()),
  nullable(fc.boolean()),
  nullable(fc.uint8Array({ maxLength: 8 })),
  nullable(fc.uint8Array({ minLength: 3, maxLength: 3 })),
  nullable(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  nullable(BIG_LONG),
  nullable(fc.float()),
);

const fieldId = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const countMap = fc.array(fc.tuple(fieldId, COUNT), { maxLength: 5 }).map((pairs) => new Map(pairs));
/** Bounds as raw single-value bytes; doubles with NaN bit patterns included. */
const boundBytes = fc.oneof(
  fc.uint8Array({ maxLength: 16 }),
  fc.double().map((value) => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    return bytes;
  }),
);
const boundMap = fc.array(fc.tuple(fieldId, boundBytes), { maxLength: 5 }).map((pairs) => new Map(pairs));

const dataFileArb: fc.Arbitrary<DataFile> = fc.record(
  {
    content: fc.constant('data' as const),
    filePath: fc
      .string({ unit: 'grapheme', minLength: 1 })
      .map((name) => `s3://warehouse/t/data/${name}.parquet`),
    fileFormat: fc.constantFrom('parquet' as const, 'avro' as const, 'orc' as const),
    partition: partitionArb,
    recordCount: COUNT,
    fileSizeInBytes: COUNT,
    columnSizes: countMap,
    valueCounts: countMap,
    nullValueCounts: countMap,
    nanValueCounts: countMap,
    lowerBounds: boundMap,
    upperBounds: boundMap,
    keyMetadata: fc.uint8Array({ maxLength: 32 }),
    splitOffsets: fc.array(COUNT, { maxLength: 4 }),
    equalityIds: fc.array(fieldId, { maxLength: 3 }),
    sortOrderId: fc.integer({ min: 0, max: 1000 }),
  },
  { requiredKeys: ['content', 'filePath', 'fileFormat', 'partition', 'recordCount', 'fileSizeInBytes'] },
);

const entryArb: fc.Arbitrary<ManifestEntry> = fc.record({
  status: fc.constantFrom('added' as const, 'existing' as const, 'deleted' as const),
  snapshotId: fc.option(BIG_LONG, { nil: undefined }),
  sequenceNumber: fc.option(COUNT, { nil: undefined }),
  fileSequenceNumber: fc.option(COUNT, { nil: undefined }),
  file: dataFileArb,
});

describe('manifest entries: Avro encode → decode (property)', () => {
  it('reads back every entry exactly as written', () => {
    const schema = manifestEntryAvroSchema(2, PARTITION_TYPE);
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        (entries, blockRecords) => {
          const bytes = writeAvroContainer({
            schema,
            records: entries.map((entry) => entryToAvro(entry, 2, PARTITION_TYPE)),
            metadata: { 'format-version': '2' },
            blockRecords,
          });
          expect(readManifest(bytes).entries).toEqual(entries);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('summaries bound every non-null, non-NaN partition value and flag nulls and NaNs', () => {
    fc.assert(
      fc.property(fc.array(dataFileArb, { minLength: 1, maxLength: 6 }), (files) => {
        const writer = new ManifestWriter({
          path: 's3://warehouse/t/metadata/m.avro',
          spec: SPEC,
          schema: SCHEMA,
          partitionType: PARTITION_TYPE,
          snapshotId: 2n ** 62n + 1n,
        });
        for (const file of files) writer.add(file);
        const { bytes, manifestFile } = writer.finish();
        expect(manifestFile.addedFilesCount).toBe(files.length);
        expect(manifestFile.addedRowsCount).toBe(files.reduce((sum, file) => sum + file.recordCount, 0n));
        expect(readManifest(bytes).entries.map((entry) => entry.file)).toEqual(files);

        PARTITION_TYPE.fields.forEach((field, index) => {
          const summary = manifestFile.partitions?.[index];
          const values = files.map((file) => file.partition[index] ?? null);
          const isNan = (value: PartitionValue) => typeof value === 'number' && Number.isNaN(value);
          expect(summary?.containsNull).toBe(values.includes(null));
          expect(summary?.containsNan).toBe(values.some(isNan));
          const ordered = values.filter((value) => value !== null && !isNan(value));
          const type = field.type as PrimitiveType;
          if (ordered.length === 0) {
            expect(summary?.lowerBound).toBeUndefined();
            return;
          }
          const lower = deserializeSingleValue(type, summary?.lowerBound ?? new Uint8Array());
          const upper = deserializeSingleValue(type, summary?.upperBound ?? new Uint8Array());
          for (const value of ordered) {
            if (value === null) continue;
            expect(comparePrimitive(lower, value)).toBeLessThanOrEqual(0);
            expect(comparePrimitive(upper, value)).toBeGreaterThanOrEqual(0);
          }
        });
      }),
      { numRuns: 100 },
    );
  });
});
