import {
  Field as ArrowField,
  Binary,
  type DataType,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  FixedSizeList,
  Float16,
  Float32,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  makeData,
  makeVector,
  type RecordBatch,
  Struct,
  Table,
  TimeMillisecond,
  TimeNanosecond,
  TimeSecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  tableFromIPC,
  tableToIPC,
  Uint8,
  Uint32,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readArrowColumn } from '../arrow/read-value.ts';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { IcebergType, NestedField, Schema } from '../spec/types.ts';
import { ParquetFileWriter } from '../write/parquet-file-writer.ts';
import { castBatch } from './cast-batch.ts';
import { reconcileSchema } from './reconcile.ts';
import { SchemaMismatchError } from './schema-mismatch-error.ts';
import { planWrite } from './write-plan.ts';

const f = (name: string, type: DataType, nullable = true) => new ArrowField(name, type, nullable);
/** An Arrow map type (Arrow JS types its entries field too narrowly for a helper-built struct). */
const mapOf = (key: DataType, value: DataType) =>
  new Map_(
    f('entries', new Struct([f('key', key, false), f('value', value, true)]), false) as ArrowField<
      Struct<{ key: DataType; value: DataType }>
    >,
  );
const table = (...fields: NestedField[]): Schema => ({ schemaId: 0, identifierFieldIds: [], fields });
const col = (id: number, name: string, type: IcebergType, required = false): NestedField => ({
  id,
  name,
  required,
  type,
});

function batchOf(columns: Record<string, Vector>): RecordBatch {
  const batches = new Table(columns).batches;
  expect(batches).toHaveLength(1);
  return batches[0]!;
}

/** Reconciles (add-columns), casts, and reads every written column back as Iceberg values. */
function castAndRead(
  schema: Schema,
  batch: RecordBatch,
  formatVersion: 2 | 3 = 2,
): Record<string, unknown[]> {
  const { plan, writeSchema } = reconcileSchema(schema, batch.schema, 'add-columns', { formatVersion });
  const out = castBatch(batch, plan);
  expect(out.numRows).toBe(batch.numRows);
  const values: Record<string, unknown[]> = {};
  writeSchema.fields.forEach((field, i) => {
    expect(out.schema.fields[i]?.name).toBe(field.name);
    values[field.name] = readArrowColumn(out.getChildAt(i)!, field.type, field.name) as unknown[];
  });
  return values;
}

describe('castBatch: numbers', () => {
  it('widens integers of every width and sign, and floats of every precision', () => {
    const schema = table(
      col(1, 'i8', { kind: 'int' }),
      col(2, 'i16', { kind: 'long' }),
      col(3, 'u8', { kind: 'int' }),
      col(4, 'u32', { kind: 'long' }),
      col(5, 'f32', { kind: 'double' }),
      col(6, 'f16', { kind: 'float' }),
      col(7, 'i32', { kind: 'long' }),
      col(8, 'f16d', { kind: 'double' }),
    );
    // 1.5, -2, +∞, 2^-24 (smallest subnormal), NaN
    const halves = new Uint16Array([0x3e00, 0xc000, 0x7c00, 0x0001, 0x7e00]);
    const half = () => makeVector(makeData({ type: new Float16(), length: 5, nullCount: 0, data: halves }));
    const batch = batchOf({
      i8: vectorFromArray([-128, 127, null, 0, 1], new Int8()),
      i16: vectorFromArray([-32768, 32767, null, 0, 1], new Int16()),
      u8: vectorFromArray([255, 0, null, 1, 2], new Uint8()),
      u32: vectorFromArray([4294967295, 0, null, 1, 2], new Uint32()),
      f32: vectorFromArray([1.5, -0.25, null, Number.NaN, 3], new Float32()),
      f16: half(),
      i32: vectorFromArray([-2147483648, 2147483647, null, 0, 1], new Int32()),
      f16d: half(),
    });
    const values = castAndRead(schema, batch);
    expect(values.i8).toEqual([-128, 127, null, 0, 1]);
    expect(values.i16).toEqual([-32768n, 32767n, null, 0n, 1n]);
    expect(values.u8).toEqual([255, 0, null, 1, 2]);
    expect(values.u32).toEqual([4294967295n, 0n, null, 1n, 2n]);
    expect(values.f32).toEqual([1.5, -0.25, null, Number.NaN, 3]);
    expect(values.f16).toEqual([1.5, -2, Number.POSITIVE_INFINITY, 2 ** -24, Number.NaN]);
    expect(values.f16d).toEqual([1.5, -2, Number.POSITIVE_INFINITY, 2 ** -24, Number.NaN]);
    expect(values.i32).toEqual([-2147483648n, 2147483647n, null, 0n, 1n]);
  });

  it('relabels decimals to the table precision, keeping the unscaled values', () => {
    const words = new Uint32Array([
      ...[12345, 0, 0, 0], // 123.45
      ...[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], // -0.01
    ]);
    const dec = makeVector(makeData({ type: new Decimal(2, 6, 128), length: 2, nullCount: 0, data: words }));
    const values = castAndRead(
      table(col(1, 'd', { kind: 'decimal', precision: 10, scale: 2 })),
      batchOf({ d: dec }),
    );
    expect(values.d).toEqual([12345n, -1n]);
  });
});

describe('castBatch: dates, times and timestamps', () => {
  it('converts every unit to the table unit (floor toward -∞ for finer units)', () => {
    const schema = table(
      col(1, 'ts_s', { kind: 'timestamp' }),
      col(2, 'ts_ms', { kind: 'timestamptz' }),
      col(3, 'ts_ns', { kind: 'timestamp' }),
      col(4, 'date_ms', { kind: 'date' }),
      col(5, 't_s', { kind: 'time' }),
      col(6, 't_ms', { kind: 'time' }),
      col(7, 't_ns', { kind: 'time' }),
    );
    const ns = makeVector(
      makeData({
        type: new TimestampNanosecond(),
        length: 3,
        nullCount: 0,
        data: new BigInt64Array([1_999n, -1n, 1_700_000_000_123_456_789n]),
      }),
    );
    const tns = makeVector(
      makeData({
        type: new TimeNanosecond(),
        length: 3,
        nullCount: 0,
        data: new BigInt64Array([1_500n, 86_399_999_999_999n, 999n]),
      }),
    );
    const batch = batchOf({
      ts_s: vectorFromArray([new Date(-1000), null, new Date(86_400_000)], new TimestampSecond()),
      ts_ms: vectorFromArray([new Date(1), new Date(-1), null], new TimestampMillisecond('America/New_York')),
      ts_ns: ns,
      date_ms: vectorFromArray([new Date(-1), new Date(86_400_000), null], new DateMillisecond()),
      t_s: vectorFromArray([1, 86399, null], new TimeSecond()),
      t_ms: vectorFromArray([1, null, 86_399_999], new TimeMillisecond()),
      t_ns: tns,
    });
    const values = castAndRead(schema, batch);
    expect(values.ts_s).toEqual([-1_000_000n, null, 86_400_000_000n]);
    expect(values.ts_ms).toEqual([1000n, -1000n, null]);
    expect(values.ts_ns).toEqual([1n, -1n, 1_700_000_000_123_456n]);
    expect(values.date_ms).toEqual([-1, 1, null]);
    expect(values.t_s).toEqual([1_000_000n, 86_399_000_000n, null]);
    expect(values.t_ms).toEqual([1000n, null, 86_399_999_000n]);
    expect(values.t_ns).toEqual([1n, 86_399_999_999n, 0n]);
  });

  it('on format v3 promotes dates to timestamps and µs to ns', () => {
    const schema = table(col(1, 'd', { kind: 'timestamp' }), col(2, 'n', { kind: 'timestamptz_ns' }));
    const batch = batchOf({
      d: vectorFromArray([new Date(-86_400_000), null], new DateDay()),
      n: vectorFromArray([new Date(2), null], new TimestampMillisecond('UTC')),
    });
    const values = castAndRead(schema, batch, 3);
    expect(values.d).toEqual([-86_400_000_000n, null]);
    expect(values.n).toEqual([2_000_000n, null]);
  });
});

describe('castBatch: strings and binaries', () => {
  it('narrows large strings and binaries (sliced too) and decodes dictionaries', () => {
    const schema = table(
      col(1, 's', { kind: 'string' }),
      col(2, 'b', { kind: 'binary' }),
      col(3, 'd', { kind: 'string' }),
    );
    const full = batchOf({
      s: vectorFromArray(['skip', 'héllo', null, '', '𝄞'], new LargeUtf8()),
      b: vectorFromArray(
        [new Uint8Array([9]), new Uint8Array([1, 2]), null, new Uint8Array(), new Uint8Array([255])],
        new LargeBinary(),
      ),
      d: vectorFromArray(['x', 'y', null, 'x', 'z'], new Dictionary(new Utf8(), new Int32())),
    });
    const values = castAndRead(schema, full.slice(1));
    expect(values.s).toEqual(['héllo', null, '', '𝄞']);
    expect(values.b).toEqual([new Uint8Array([1, 2]), null, new Uint8Array(), new Uint8Array([255])]);
    expect(values.d).toEqual(['y', null, 'x', 'z']);
  });

  it('decodes dictionary-encoded binaries to plain binaries', () => {
    const d = vectorFromArray([new Uint8Array([1]), null], new Dictionary(new Binary(), new Int8()));
    expect(castAndRead(table(col(1, 'd', { kind: 'binary' })), batchOf({ d })).d).toEqual([
      new Uint8Array([1]),
      null,
    ]);
  });
});

describe('castBatch: nested columns', () => {
  const schema = table(
    col(1, 'id', { kind: 'long' }, true),
    col(2, 'tags', { kind: 'list', elementId: 3, elementRequired: false, element: { kind: 'long' } }),
    col(4, 'attrs', {
      kind: 'map',
      keyId: 5,
      key: { kind: 'string' },
      valueId: 6,
      valueRequired: false,
      value: { kind: 'double' },
    }),
    col(7, 'address', {
      kind: 'struct',
      fields: [col(8, 'zip', { kind: 'string' }), col(9, 'city', { kind: 'string' })],
    }),
    col(10, 'absent_map', {
      kind: 'map',
      keyId: 11,
      key: { kind: 'int' },
      valueId: 12,
      valueRequired: false,
      value: { kind: 'string' },
    }),
    col(13, 'absent_list', {
      kind: 'list',
      elementId: 14,
      elementRequired: false,
      element: { kind: 'string' },
    }),
    col(15, 'absent_struct', { kind: 'struct', fields: [col(16, 'a', { kind: 'int' })] }),
    col(17, 'absent_dec', { kind: 'decimal', precision: 9, scale: 2 }),
  );

  function nestedBatch(): RecordBatch {
    return batchOf({
      id: vectorFromArray([0, 1, 2, 3], new Int32()),
      tags: vectorFromArray([[9], [1, null], null, []], new List(f('item', new Int32()))),
      attrs: vectorFromArray(
        [
          new Map([['z', 0]]),
          new Map([['a', 1.5]]),
          null,
          new Map([
            ['b', 2],
            ['c', null],
          ]),
        ],
        mapOf(new Utf8(), new Float32()),
      ),
      address: vectorFromArray(
        [{ zip: '0' }, { zip: '1' }, null, { zip: null }],
        new Struct([f('zip', new Utf8())]),
      ),
      extra: vectorFromArray([['q'], ['r'], null, ['s', 't']], new LargeList(f('item', new LargeUtf8()))),
      fixed: vectorFromArray([[1, 2], [3, 4], null, [5, 6]], new FixedSizeList(2, f('item', new Int8()))),
    });
  }

  it('casts inside lists, maps and structs, fills absent nested columns with nulls, and adds extras', () => {
    const values = castAndRead(schema, nestedBatch().slice(1));
    expect(values.id).toEqual([1n, 2n, 3n]);
    expect(values.tags).toEqual([[1n, null], null, []]);
    expect(values.attrs).toEqual([
      new Map([['a', 1.5]]),
      null,
      new Map<string, number | null>([
        ['b', 2],
        ['c', null],
      ]),
    ]);
    expect(values.address).toEqual([{ zip: '1', city: null }, null, { zip: null, city: null }]);
    expect(values.absent_map).toEqual([null, null, null]);
    expect(values.absent_list).toEqual([null, null, null]);
    expect(values.absent_struct).toEqual([null, null, null]);
    expect(values.absent_dec).toEqual([null, null, null]);
    expect(values.extra).toEqual([['r'], null, ['s', 't']]);
    expect(values.fixed).toEqual([[3, 4], null, [5, 6]]);
  });

  it('stamps table field ids on every field, nested ones included, and survives an IPC round trip', () => {
    const { plan } = reconcileSchema(schema, nestedBatch().schema, 'add-columns');
    const out = castBatch(nestedBatch(), plan);
    const ids = (fields: readonly ArrowField[]): number[] =>
      fields.flatMap((field) => {
        const id = field.metadata.get('PARQUET:field_id');
        return [...(id === undefined ? [] : [Number(id)]), ...ids(field.type.children ?? [])];
      });
    // 1–17 from the table, 18–21 for the added `extra` and `fixed` lists and their elements
    expect(ids(out.schema.fields).sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    const back = tableFromIPC(tableToIPC(new Table(out)));
    expect(
      back
        .getChild('tags')
        ?.toJSON()
        .map((x) => x?.toJSON() ?? null),
    ).toEqual([[9n], [1n, null], null, []]);
    expect(back.getChild('absent_list')?.toJSON()).toEqual([null, null, null, null]);
  });

  it('writes through the Parquet file writer with the write schema', async () => {
    const { plan, writeSchema } = reconcileSchema(schema, nestedBatch().schema, 'add-columns');
    const out = castBatch(nestedBatch(), plan);
    const io = new MemoryFileIO();
    const writer = new ParquetFileWriter({
      io,
      location: 'mem://wh/t/data/cast.parquet',
      schema: writeSchema,
      arrowSchema: out.schema,
    });
    await writer.write(out);
    const file = await writer.close();
    expect(file.recordCount).toBe(4n);
    expect(file.metrics.nullValueCounts.get(1)).toBe(0n);
    expect(file.metrics.valueCounts.get(17)).toBe(4n);
    expect(file.metrics.nullValueCounts.get(17)).toBe(4n);
  });
});

describe('castBatch: errors', () => {
  it('rejects nulls in a required column, counting them', () => {
    const schema = table(col(1, 'id', { kind: 'long' }, true), col(2, 'n', { kind: 'int' }, true));
    const batch = batchOf({
      id: vectorFromArray([1n, null, null], new Int64()),
      n: vectorFromArray([1, null, 3], new Int32()),
    });
    const { plan } = reconcileSchema(schema, batch.schema, 'strict');
    let error: unknown;
    try {
      castBatch(batch, plan, { tableName: 'bronze.events' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as Error).message).toBe(
      "staged data cannot be written to table bronze.events: required column 'id' has 2 null values in the data; required column 'n' has 1 null value in the data — fix the producer so required columns always have values, or make the columns optional",
    );
    expect(() => castBatch(batch, plan)).toThrow('staged data cannot be written to the table:');
  });

  it('rejects a batch of another schema than the plan was made for', () => {
    const schema = table(col(1, 'a', { kind: 'long' }));
    const { plan } = reconcileSchema(
      schema,
      batchOf({ a: vectorFromArray([1], new Int32()) }).schema,
      'strict',
    );
    expect(() => castBatch(batchOf({ a: vectorFromArray([1n], new Int64()) }), plan)).toThrow(
      "the batch's schema (a: Int64) is not the one the write plan was made for (a: Int32); plan each staged schema separately",
    );
  });
});

describe('planWrite', () => {
  it('reports data columns missing from the write schema and required columns missing from the data', () => {
    const schema = table(col(1, 'a', { kind: 'long' }, true));
    const { problems } = planWrite(schema, batchOf({ b: vectorFromArray([1], new Int32()) }).schema);
    expect(problems.map((p) => p.message)).toEqual([
      "column 'b' is not in the write schema",
      "required column 'a' is missing from the data",
    ]);
  });
});
