// The rows the write-throughput bench appends: a deterministic, realistic 10-column event
// table (ids in arrival order, timestamps rising over ten days, a low-cardinality country,
// decimals, ~20% null notes), built straight into Arrow column buffers before any timer
// starts, so the measured stage begins with rows already in Arrow (what a writer worker holds
// after reading a staged batch). The same batches are saved as an Arrow IPC file for the
// PyIceberg peer, so both writers get byte-identical input.

import { writeFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';

/** Iceberg schema of the bench table, in the REST wire form `RestCatalog.createTable` takes. */
export const BENCH_SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  'identifier-field-ids': [],
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'ts', type: 'timestamptz', required: false },
    { id: 3, name: 'user', type: 'string', required: false },
    { id: 4, name: 'country', type: 'string', required: false },
    { id: 5, name: 'amount', type: 'decimal(12, 2)', required: false },
    { id: 6, name: 'score', type: 'double', required: false },
    { id: 7, name: 'qty', type: 'int', required: false },
    { id: 8, name: 'flag', type: 'boolean', required: false },
    { id: 9, name: 'day', type: 'date', required: false },
    { id: 10, name: 'note', type: 'string', required: false },
  ],
} as const;

/** day(ts) + bucket[16](id), the partitioned case of issue 4's acceptance bullet. */
export const PARTITIONED_SPEC = {
  'spec-id': 0,
  fields: [
    { 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' },
    { 'source-id': 1, 'field-id': 1001, name: 'id_bucket', transform: 'bucket[16]' },
  ],
};

export const UNPARTITIONED_SPEC = { 'spec-id': 0, fields: [] };

const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN', 'CA', 'ES', 'IT', 'NL', 'SE'];
/** 2024-11-01T00:00:00Z in microseconds. */
const START_MICROS = 1_730_419_200_000_000n;
const SPAN_DAYS = 10;
const MICROS_PER_DAY = 86_400_000_000;

const ARROW_SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int64(), false),
  new arrow.Field('ts', new arrow.TimestampMicrosecond('UTC'), true),
  new arrow.Field('user', new arrow.Utf8(), true),
  new arrow.Field('country', new arrow.Utf8(), true),
  new arrow.Field('amount', new arrow.Decimal(2, 12, 128), true),
  new arrow.Field('score', new arrow.Float64(), true),
  new arrow.Field('qty', new arrow.Int32(), true),
  new arrow.Field('flag', new arrow.Bool(), true),
  new arrow.Field('day', new arrow.DateDay(), true),
  new arrow.Field('note', new arrow.Utf8(), true),
]);

export interface BenchRows {
  readonly batches: readonly arrow.RecordBatch[];
  readonly schema: arrow.Schema;
  readonly rowCount: number;
  /** Sum of every id, to check that what a reader sees is what was written. */
  readonly idSum: bigint;
}

/** `rowCount` rows in batches of `batchRows`, identical on every call with the same arguments. */
export function generateBenchRows(rowCount: number, batchRows = 100_000): BenchRows {
  const random = mulberry32(0x5eed);
  const batches: arrow.RecordBatch[] = [];
  let idSum = 0n;
  const microsPerRow = Math.floor((SPAN_DAYS * MICROS_PER_DAY) / rowCount);
  for (let offset = 0; offset < rowCount; offset += batchRows) {
    const length = Math.min(batchRows, rowCount - offset);
    const id = new BigInt64Array(length);
    const ts = new BigInt64Array(length);
    const user: string[] = new Array(length);
    const country: string[] = new Array(length);
    const amount = new Uint32Array(length * 4);
    const score = new Float64Array(length);
    const qty = new Int32Array(length);
    const flag: boolean[] = new Array(length);
    const day = new Int32Array(length);
    const note: (string | null)[] = new Array(length);
    for (let i = 0; i < length; i++) {
      const n = offset + i;
      id[i] = BigInt(n + 1);
      idSum += BigInt(n + 1);
      const micros = n * microsPerRow + Math.floor(random() * 1_000_000);
      ts[i] = START_MICROS + BigInt(micros);
      user[i] = `user-${Math.floor(random() * 50_000)}`;
      country[i] = COUNTRIES[Math.floor(random() * random() * COUNTRIES.length)] as string;
      // Unscaled cents between -1,000.00 and 99,000.00, sign-extended into 128-bit words.
      const cents = Math.floor(random() * 10_000_000) - 100_000;
      amount[i * 4] = cents >>> 0;
      const high = cents < 0 ? 0xffffffff : 0;
      amount[i * 4 + 1] = high;
      amount[i * 4 + 2] = high;
      amount[i * 4 + 3] = high;
      score[i] = Math.round(random() * 1e6) / 1e3;
      qty[i] = 1 + Math.floor(random() * 20);
      flag[i] = random() < 0.3;
      day[i] = Math.floor(Number(ts[i]) / MICROS_PER_DAY);
      note[i] = n % 5 === 0 ? null : `note ${Math.floor(random() * 1000)} for order ${n}`;
    }
    const children = [
      arrow.makeData({ type: new arrow.Int64(), length, data: id }),
      arrow.makeData({
        type: new arrow.TimestampMicrosecond('UTC'),
        length,
        data: ts as unknown as Int32Array,
      }),
      arrow.vectorFromArray(user, new arrow.Utf8()).data[0],
      arrow.vectorFromArray(country, new arrow.Utf8()).data[0],
      arrow.makeData({ type: new arrow.Decimal(2, 12, 128), length, data: amount }),
      arrow.makeData({ type: new arrow.Float64(), length, data: score }),
      arrow.makeData({ type: new arrow.Int32(), length, data: qty }),
      arrow.vectorFromArray(flag, new arrow.Bool()).data[0],
      arrow.makeData({ type: new arrow.DateDay(), length, data: day }),
      arrow.vectorFromArray(note, new arrow.Utf8()).data[0],
    ] as arrow.Data[];
    const struct = arrow.makeData({ type: new arrow.Struct(ARROW_SCHEMA.fields), length, children });
    batches.push(new arrow.RecordBatch(ARROW_SCHEMA, struct));
  }
  return { batches, schema: ARROW_SCHEMA, rowCount, idSum };
}

/** Saves the batches as an Arrow IPC file (the PyIceberg peer's input); returns its size. */
export function writeIpcFile(rows: BenchRows, path: string): number {
  const bytes = arrow.tableToIPC(new arrow.Table(rows.schema, rows.batches as arrow.RecordBatch[]), 'file');
  writeFileSync(path, bytes);
  return bytes.byteLength;
}

/** A small, fast, seedable PRNG: the data must be identical in every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
