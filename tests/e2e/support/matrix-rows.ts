// The interop matrix's schema and its 50 rows, column-major in the Iceberg value representation.
// The first rows are edge values (type minimums and maximums, NaN, ±∞, −0, empty strings and
// bytes, unicode beyond the BMP, the first and last representable days and microseconds,
// decimals at full precision, all-zero and all-one uuids/fixed); one row is all nulls; the rest
// are generated so that bucket and temporal transforms spread rows over several partitions.
import type { IcebergValue, Schema } from '@floe/iceberg';

export const matrixSchema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'rid', required: true, type: { kind: 'int' } },
    { id: 2, name: 'b', required: false, type: { kind: 'boolean' } },
    { id: 3, name: 'i', required: false, type: { kind: 'int' } },
    { id: 4, name: 'l', required: false, type: { kind: 'long' } },
    { id: 5, name: 'f', required: false, type: { kind: 'float' } },
    { id: 6, name: 'd', required: false, type: { kind: 'double' } },
    { id: 7, name: 'dec9', required: false, type: { kind: 'decimal', precision: 9, scale: 2 } },
    { id: 8, name: 'dec38', required: false, type: { kind: 'decimal', precision: 38, scale: 10 } },
    { id: 9, name: 'dt', required: false, type: { kind: 'date' } },
    { id: 10, name: 'tm', required: false, type: { kind: 'time' } },
    { id: 11, name: 'ts', required: false, type: { kind: 'timestamp' } },
    { id: 12, name: 'tstz', required: false, type: { kind: 'timestamptz' } },
    { id: 13, name: 's', required: false, type: { kind: 'string' } },
    { id: 14, name: 'u', required: false, type: { kind: 'uuid' } },
    { id: 15, name: 'fx', required: false, type: { kind: 'fixed', length: 16 } },
    { id: 16, name: 'bin', required: false, type: { kind: 'binary' } },
    {
      id: 17,
      name: 'st',
      required: false,
      type: {
        kind: 'struct',
        fields: [
          { id: 18, name: 'a', required: false, type: { kind: 'int' } },
          { id: 19, name: 'b', required: false, type: { kind: 'string' } },
        ],
      },
    },
    {
      id: 20,
      name: 'lst',
      required: false,
      type: { kind: 'list', elementId: 21, elementRequired: false, element: { kind: 'long' } },
    },
    {
      id: 22,
      name: 'mp',
      required: false,
      type: {
        kind: 'map',
        keyId: 23,
        valueId: 24,
        valueRequired: false,
        key: { kind: 'string' },
        value: { kind: 'int' },
      },
    },
  ],
};

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const DEC9_MAX = 10n ** 9n - 1n;
const DEC38_MAX = 10n ** 38n - 1n;
const FLOAT_MAX = 3.4028234663852886e38;
const FLOAT_MIN_SUBNORMAL = 1.401298464324817e-45;
/** 0001-01-01 and 9999-12-31: the range every reader (Python datetime too) can represent. */
const FIRST_DAY = -719162;
const LAST_DAY = 2932896;
const US_PER_DAY = 86_400_000_000n;
const FIRST_US = BigInt(FIRST_DAY) * US_PER_DAY;
const LAST_US = BigInt(LAST_DAY + 1) * US_PER_DAY - 1n;
const LAST_TIME = US_PER_DAY - 1n;

const bytes = (...values: number[]) => Uint8Array.from(values);
const filled = (length: number, value: number) => new Uint8Array(length).fill(value);

type Row = Record<string, IcebergValue>;

const edgeRows: Row[] = [
  {
    b: true,
    i: INT_MIN,
    l: LONG_MIN,
    f: Number.NaN,
    d: Number.NaN,
    dec9: -DEC9_MAX,
    dec38: -DEC38_MAX,
    dt: FIRST_DAY,
    tm: 0n,
    ts: FIRST_US,
    tstz: FIRST_US,
    s: '',
    u: '00000000-0000-0000-0000-000000000000',
    fx: filled(16, 0),
    bin: new Uint8Array(0),
    st: { a: INT_MIN, b: '' },
    lst: [LONG_MIN, null, LONG_MAX],
    mp: new Map<IcebergValue, IcebergValue>([['', INT_MIN]]),
  },
  {
    b: false,
    i: INT_MAX,
    l: LONG_MAX,
    f: FLOAT_MAX,
    d: Number.MAX_VALUE,
    dec9: DEC9_MAX,
    dec38: DEC38_MAX,
    dt: LAST_DAY,
    tm: LAST_TIME,
    ts: LAST_US,
    tstz: LAST_US,
    s: 'ünïcødé ✓ 名前 🎉𝄞',
    u: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    fx: filled(16, 0xff),
    bin: filled(20, 0xff),
    st: { a: INT_MAX, b: '名前 🎉' },
    lst: [],
    mp: new Map<IcebergValue, IcebergValue>([
      ['ключ', INT_MAX],
      ['🎉', null],
    ]),
  },
  {
    b: null,
    i: -1,
    l: -1n,
    f: Number.NEGATIVE_INFINITY,
    d: Number.POSITIVE_INFINITY,
    dec9: -1n,
    dec38: -1n,
    dt: -1,
    tm: 1n,
    ts: -1n,
    tstz: -1n,
    s: 'a/b=c%d e?&#',
    u: '123e4567-e89b-12d3-a456-426614174000',
    fx: bytes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0x80),
    bin: bytes(0),
    st: { a: null, b: null },
    lst: null,
    mp: new Map(),
  },
  {
    b: true,
    i: 0,
    l: 0n,
    f: -0,
    d: -0,
    dec9: 0n,
    dec38: 0n,
    dt: 0,
    tm: 43_200_000_001n,
    ts: 0n,
    tstz: 1n,
    s: '\u0000x',
    u: 'f79c3e09-677c-4bbd-a479-3f349cb785e7',
    fx: bytes(0x7f, ...filled(15, 0x80)),
    bin: bytes(0x80, 0x00, 0x7f, 0xff),
    st: null,
    lst: [0n],
    mp: null,
  },
  {
    b: false,
    i: 1,
    l: 1n,
    f: FLOAT_MIN_SUBNORMAL,
    d: Number.MIN_VALUE,
    dec9: 1n,
    dec38: 1n,
    dt: -25567,
    tm: 3_600_000_000n,
    ts: -2_208_988_800_000_001n,
    tstz: -86_400_000_001n,
    s: 'Zürich',
    u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    fx: bytes(...filled(15, 0), 1),
    bin: new TextEncoder().encode('Zürich'),
    st: { a: 0, b: 'x' },
    lst: [null],
    mp: new Map<IcebergValue, IcebergValue>([['k', 0]]),
  },
];

const allNulls: Row = Object.fromEntries(matrixSchema.fields.map((f) => [f.name, null]));

function generatedRow(n: number): Row {
  const nth = (k: number) => n % k === 0;
  const hex = (seed: number) => (seed * 2654435761).toString(16).padStart(8, '0').slice(-8);
  return {
    b: nth(7) ? null : n % 2 === 0,
    i: nth(11) ? null : (n - 20) * 104_729,
    l: nth(13) ? null : BigInt(n - 25) * 1_000_000_007_919n,
    f: nth(9) ? null : (n - 20) / 4,
    d: nth(10) ? null : (n - 20) * 1.125,
    dec9: nth(12) ? null : BigInt(n * 123_457 - 3_000_000),
    dec38: nth(14) ? null : BigInt(n - 30) * 12_345_678_901_234_567_890_123_456_789n,
    dt: nth(15) ? null : 18_000 + n * 97 - 2_000 * (n % 3),
    tm: nth(16) ? null : BigInt(n) * 1_234_567_891n,
    ts: nth(17) ? null : 1_732_406_400_000_000n + BigInt(n - 25) * 7_777_777_777_777n + BigInt(n),
    tstz: nth(18) ? null : -1_000_000_000_000_000n + BigInt(n) * 55_555_555_555_557n,
    s: nth(19) ? null : `row-${n}-${'αβγ'.slice(0, n % 4)}`,
    u: nth(21)
      ? null
      : `${hex(n)}-${hex(n + 1).slice(0, 4)}-4${hex(n + 2).slice(1, 4)}-8${hex(n + 3).slice(1, 4)}-${hex(n + 4)}${hex(n + 5).slice(0, 4)}`,
    fx: nth(22) ? null : Uint8Array.from({ length: 16 }, (_, k) => (n * 31 + k * 17) & 0xff),
    bin: nth(23) ? null : Uint8Array.from({ length: n % 6 }, (_, k) => (n * 7 + k) & 0xff),
    st: nth(24) ? null : { a: n, b: `s${n}` },
    lst: nth(25) ? null : Array.from({ length: n % 3 }, (_, k) => BigInt(n * 1000 + k)),
    mp: nth(26) ? null : new Map<IcebergValue, IcebergValue>([[`k${n}`, n]]),
  };
}

/** Column name → 50 values (rid is the row index). */
export function matrixColumns(): Record<string, IcebergValue[]> {
  const rows: Row[] = [...edgeRows, allNulls];
  for (let n = rows.length; n < 50; n++) rows.push(generatedRow(n));
  const columns: Record<string, IcebergValue[]> = {};
  for (const field of matrixSchema.fields) {
    columns[field.name] = rows.map((row, rid) => (field.name === 'rid' ? rid : (row[field.name] ?? null)));
  }
  return columns;
}
