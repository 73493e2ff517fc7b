import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { IcebergError } from '../errors.ts';
import {
  type AvroSchema,
  avroTypeFor,
  metadataText,
  readAvroContainer,
  writeAvroContainer,
} from './avro-container.ts';

const SCHEMA: AvroSchema = {
  type: 'record',
  name: 'row',
  fields: [
    { name: 'id', type: 'long', 'field-id': 1 },
    { name: 'name', type: ['null', 'string'], default: null, 'field-id': 2 },
    { name: 'payload', type: 'bytes', 'field-id': 3 },
  ],
};

const rows = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: 2n ** 62n + BigInt(i),
    name: i % 3 === 0 ? null : `row-${i}`,
    payload: Buffer.from([i & 0xff, 0, 255]),
  }));

const SYNC = Uint8Array.from({ length: 16 }, (_, i) => i);

describe('writeAvroContainer / readAvroContainer', () => {
  for (const codec of ['null', 'deflate', 'zstandard'] as const) {
    it(`round-trips records with the ${codec} codec across several blocks`, () => {
      const records = rows(25);
      const bytes = writeAvroContainer({
        schema: SCHEMA,
        records,
        codec,
        blockRecords: 7,
        metadata: { k: 'v' },
      });
      const container = readAvroContainer(bytes);
      expect(container.codec).toBe(codec);
      expect(metadataText(container, 'k')).toBe('v');
      expect(metadataText(container, 'absent')).toBeUndefined();
      expect(container.records.map((r) => ({ ...(r as object) }))).toEqual(records);
    });
  }

  it('keeps the raw schema JSON, custom attributes included, in avro.schema', () => {
    const bytes = writeAvroContainer({ schema: SCHEMA, records: [] });
    const container = readAvroContainer(bytes);
    expect(container.schema).toEqual(SCHEMA);
    expect(metadataText(container, 'avro.schema')).toBe(JSON.stringify(SCHEMA));
    expect(container.records).toEqual([]);
  });

  it('writes deflate by default and exactly the header bytes it was given', () => {
    const bytes = writeAvroContainer({ schema: 'long', records: [-1n], syncMarker: SYNC });
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('Obj\x01');
    const container = readAvroContainer(bytes);
    expect(container.codec).toBe('deflate');
    // Last 16 bytes are the sync marker we chose.
    expect([...bytes.subarray(bytes.length - 16)]).toEqual([...SYNC]);
  });

  it('writes and reads bigint longs declared with a logical type (time/timestamp partition values)', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'r102',
      fields: [
        { name: 'tm', type: ['null', { type: 'long', logicalType: 'time-micros' }], default: null },
        {
          name: 'ts',
          type: ['null', { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true }],
          default: null,
        },
      ],
    };
    const records = [
      { tm: 86_399_999_999n, ts: -62_135_596_800_000_000n },
      { tm: null, ts: 2n ** 63n - 1n },
    ];
    const bytes = writeAvroContainer({ schema, records, codec: 'null' });
    expect(readAvroContainer(bytes).records.map((r) => ({ ...(r as object) }))).toEqual(records);
  });

  it('keeps 64-bit longs exact at both extremes', () => {
    const values = [-(2n ** 63n), 2n ** 63n - 1n, 0n, 2n ** 53n + 1n, -(2n ** 53n) - 1n];
    const bytes = writeAvroContainer({ schema: 'long', records: values, codec: 'null' });
    expect(readAvroContainer(bytes).records).toEqual(values);
  });

  it('produces files avsc’s own container decoder reads', async () => {
    const records = rows(5);
    const bytes = writeAvroContainer({ schema: SCHEMA, records, codec: 'deflate', blockRecords: 2 });
    const decoded: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const decoder = new avro.streams.BlockDecoder({
        parseHook: (schema) => avroTypeFor(schema as AvroSchema),
      });
      decoder.on('data', (record: unknown) => decoded.push({ ...(record as object) }));
      decoder.on('end', resolve);
      decoder.on('error', reject);
      decoder.end(bytes);
    });
    expect(decoded).toEqual(records);
  });

  it('reads files framed by another writer (avsc’s block encoder, deflate, tiny blocks)', async () => {
    const type = avroTypeFor(SCHEMA);
    const records = rows(40);
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const encoder = new avro.streams.BlockEncoder(type, { codec: 'deflate', blockSize: 64 });
      encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
      encoder.on('end', resolve);
      encoder.on('error', reject);
      for (const record of records) encoder.write(record);
      encoder.end();
    });
    const container = readAvroContainer(Buffer.concat(chunks));
    expect(container.records.map((r) => ({ ...(r as object) }))).toEqual(records);
  });

  it('accepts a header map written as a negative-count block', () => {
    const normal = writeAvroContainer({ schema: 'int', records: [7], codec: 'null', syncMarker: SYNC });
    // Rebuild the header: magic, count -1 (zigzag 0x01), byte size, one pair, then count 0.
    const schemaText = Buffer.from('"int"');
    const pair = Buffer.concat([
      Buffer.from([22]), // key length 11 (zigzag)
      Buffer.from('avro.schema'),
      Buffer.from([schemaText.length * 2]),
      schemaText,
    ]);
    const header = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      Buffer.from([0x01, pair.length * 2]),
      pair,
      Buffer.from([0]),
      SYNC,
    ]);
    const blockStart = normal.indexOf(Buffer.from(SYNC)) + 16;
    const container = readAvroContainer(Buffer.concat([header, normal.subarray(blockStart)]));
    expect(container.codec).toBe('null');
    expect(container.records).toEqual([7]);
  });

  it('rejects a file without the Avro magic', () => {
    expect(() => readAvroContainer(Buffer.from('PAR1 not avro'))).toThrow(
      'not an Avro object container file (bad magic bytes)',
    );
  });

  it('rejects a truncated file with the position it stopped at', () => {
    const bytes = writeAvroContainer({ schema: SCHEMA, records: rows(3), codec: 'null' });
    expect(() => readAvroContainer(bytes.subarray(0, bytes.length - 20))).toThrow(
      /Avro container is truncated or corrupt: cannot read block data at byte \d+/,
    );
    expect(() => readAvroContainer(bytes.subarray(0, 6))).toThrow(/cannot read metadata key at byte 6/);
  });

  it('rejects a block whose sync marker does not match the header', () => {
    const bytes = Buffer.from(
      writeAvroContainer({ schema: 'int', records: [1], codec: 'null', syncMarker: SYNC }),
    );
    bytes[bytes.length - 1] = 99;
    expect(() => readAvroContainer(bytes)).toThrow(/ends without the file's sync marker \(corrupt file\)/);
  });

  it('rejects a block holding fewer records than its count says', () => {
    const bytes = Buffer.from(
      writeAvroContainer({ schema: 'long', records: [5n], codec: 'null', syncMarker: SYNC }),
    );
    const blockStart = bytes.indexOf(Buffer.from(SYNC)) + 16;
    bytes[blockStart] = 4; // claim two records
    expect(() => readAvroContainer(bytes)).toThrow(/truncated or corrupt: cannot read record/);
  });

  it('rejects a deflate block that does not inflate', () => {
    const bytes = Buffer.from(
      writeAvroContainer({ schema: 'long', records: [5n], codec: 'deflate', syncMarker: SYNC }),
    );
    const blockStart = bytes.indexOf(Buffer.from(SYNC)) + 16;
    bytes.fill(0xff, blockStart + 2, bytes.length - 16);
    expect(() => readAvroContainer(bytes)).toThrow(/does not decompress with codec deflate/);
  });

  it('rejects a record that does not decode', () => {
    const bytes = Buffer.from(
      writeAvroContainer({ schema: ['null', 'long'], records: [5n], codec: 'null', syncMarker: SYNC }),
    );
    const blockStart = bytes.indexOf(Buffer.from(SYNC)) + 16;
    bytes[blockStart + 2] = 10; // union branch 5 of 2
    expect(() => readAvroContainer(bytes)).toThrow(
      /holds a record that does not decode: invalid union index: 5/,
    );
    let caught: unknown;
    try {
      readAvroContainer(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IcebergError);
    expect((caught as IcebergError).kind).toBe('invalid-metadata');
    expect((caught as IcebergError).retryable).toBe(false);
  });

  it('names an unsupported codec', () => {
    const bytes = Buffer.from(writeAvroContainer({ schema: 'int', records: [], codec: 'null' }));
    const at = bytes.indexOf(Buffer.from('null'));
    Buffer.from('nope').copy(bytes, at);
    expect(() => readAvroContainer(bytes)).toThrow(
      "Avro codec 'nope' is not supported (supported: null, deflate, zstandard)",
    );
  });

  it('requires avro.schema in the header and valid JSON in it', () => {
    const header = Buffer.concat([Buffer.from('Obj\x01', 'latin1'), Buffer.from([0]), SYNC]);
    expect(() => readAvroContainer(header)).toThrow('Avro container header has no avro.schema');
    const bad = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      Buffer.from([2, 22]),
      Buffer.from('avro.schema'),
      Buffer.from([6]),
      Buffer.from('{x}'),
      Buffer.from([0]),
      SYNC,
    ]);
    expect(() => readAvroContainer(bad)).toThrow(/Avro container avro.schema is not JSON/);
  });

  it('rejects varints beyond the safe range in framing', () => {
    const header = Buffer.concat([
      Buffer.from('Obj\x01', 'latin1'),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
    ]);
    expect(() => readAvroContainer(header)).toThrow(/Avro container metadata count -?\d+ is out of range/);
  });

  it('reports a record that does not match the schema with its path', () => {
    expect(() =>
      writeAvroContainer({ schema: SCHEMA, records: [{ id: 1, name: null, payload: Buffer.alloc(0) }] }),
    ).toThrow(/record 0 does not match Avro schema row at id/);
  });

  it('rejects an invalid schema and bad writer options', () => {
    expect(() => avroTypeFor({ type: 'record', name: 'x' })).toThrow(/invalid Avro schema/);
    expect(() => writeAvroContainer({ schema: 'int', records: [], blockRecords: 0 })).toThrow(
      'blockRecords must be a positive integer, got 0',
    );
    expect(() => writeAvroContainer({ schema: 'int', records: [], syncMarker: new Uint8Array(3) })).toThrow(
      'an Avro sync marker is 16 bytes, got 3',
    );
  });

  it('rejects longs outside 64 bits when writing', () => {
    expect(() => writeAvroContainer({ schema: 'long', records: [2n ** 63n] })).toThrow(
      /record 0 does not match/,
    );
  });
});
