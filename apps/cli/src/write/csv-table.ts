// The small typed CSV reader behind `floe write file.csv`: CSV text → an Arrow table with one
// inferred type per column. Deliberately simple, and documented in `floe write --help`:
// - RFC 4180 syntax: the first row is the header; fields separated by `,`; a field in double
//   quotes may hold commas, newlines and `""` (a quote). CRLF or LF line ends; a UTF-8 BOM is
//   skipped. Every row must have as many fields as the header.
// - An empty unquoted field is null. A quoted empty field ("") is the empty string in a string
//   column and null elsewhere.
// - Each column gets the first of these types that every non-null value fits, in this order:
//   long (integers that fit 64 bits), double (decimal numbers, exponents), boolean (true/false,
//   any case), timestamp (ISO 8601 `YYYY-MM-DD[T| ]HH:MM[:SS[.ffffff]]`: with `Z`/`±HH:MM` on
//   every value → timestamptz, on none → timestamp, micro-second precision), else string. A
//   column with no values at all is a string column. Every column is nullable.
import {
  Bool,
  type DataType,
  Float64,
  Int64,
  makeData,
  makeVector,
  type RecordBatch,
  Table,
  TimestampMicrosecond,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';

export type CsvColumnType = 'long' | 'double' | 'boolean' | 'timestamptz' | 'timestamp' | 'string';

/** A parsed field: its text, and whether it was quoted (`""` is then an empty string, not null). */
interface CsvField {
  readonly text: string;
  readonly quoted: boolean;
}

export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
}

/** Splits CSV text into rows of fields (RFC 4180). Line numbers in errors are 1-based. */
export function parseCsvRows(text: string, source = 'CSV'): CsvField[][] {
  const rows: CsvField[][] = [];
  let row: CsvField[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    row.push({ text: field, quoted });
    field = '';
    quoted = false;
  };
  for (; i < text.length; i++) {
    const char = text[i] as string;
    if (inQuotes) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === '"') {
      if (field.length > 0 || quoted) {
        throw new CsvFormatError(
          `${source} line ${line}: a quote inside an unquoted field; quote the whole field`,
        );
      }
      inQuotes = true;
      quoted = true;
    } else if (char === ',') {
      endField();
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
      line++;
    } else {
      if (quoted) {
        throw new CsvFormatError(`${source} line ${line}: text after a closing quote; quote the whole field`);
      }
      field += char;
    }
  }
  if (inQuotes)
    throw new CsvFormatError(`${source}: a quoted field is never closed (it starts before line ${line})`);
  if (field.length > 0 || quoted || row.length > 0) {
    endField();
    rows.push(row);
  }
  // Blank lines (a single empty unquoted field) carry no row.
  return rows.filter((fields) => !(fields.length === 1 && fields[0]?.text === '' && !fields[0].quoted));
}

const LONG = /^[+-]?\d+$/;
const DOUBLE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

function fitsLong(text: string): boolean {
  if (!LONG.test(text)) return false;
  const value = BigInt(text);
  return value >= MIN_LONG && value <= MAX_LONG;
}

/** Micro-seconds since the epoch, and whether the text carried a zone; undefined when not a timestamp. */
export function parseTimestampMicros(text: string): { micros: bigint; zoned: boolean } | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(match[6] ?? '0');
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a round trip rejects impossible dates and times.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  const fraction = BigInt((match[7] ?? '').padEnd(6, '0').slice(0, 6));
  const zone = match[8];
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const micros = (BigInt(ms) - BigInt(offsetMinutes) * 60_000n) * 1000n + fraction;
  return { micros, zoned: zone !== undefined };
}

/** The narrowest type of `inferCsvColumnType`'s order that every value fits; nulls are skipped. */
export function inferCsvColumnType(values: readonly (string | null)[]): CsvColumnType {
  const present = values.filter((value): value is string => value !== null);
  if (present.length === 0) return 'string';
  if (present.every(fitsLong)) return 'long';
  if (present.every((value) => DOUBLE.test(value))) return 'double';
  if (present.every((value) => BOOLEAN.test(value))) return 'boolean';
  const stamps = present.map(parseTimestampMicros);
  if (stamps.every((stamp) => stamp?.zoned === true)) return 'timestamptz';
  if (stamps.every((stamp) => stamp?.zoned === false)) return 'timestamp';
  return 'string';
}

function bigintVector(type: DataType, values: readonly (bigint | null)[]): Vector {
  const data = new BigInt64Array(values.length);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, index) => {
    if (value === null) {
      nullCount++;
    } else {
      data[index] = value;
      validity[index >> 3] = (validity[index >> 3] as number) | (1 << (index & 7));
    }
  });
  return makeVector(
    makeData({
      type: type as Int64,
      length: values.length,
      nullCount,
      ...(nullCount === 0 ? {} : { nullBitmap: validity }),
      data: data as unknown as Int32Array,
    }),
  );
}

function columnVector(type: CsvColumnType, values: readonly (string | null)[]): Vector {
  switch (type) {
    case 'long':
      return bigintVector(
        new Int64(),
        values.map((value) => (value === null ? null : BigInt(value))),
      );
    case 'double':
      return vectorFromArray(
        values.map((value) => (value === null ? null : Number(value))),
        new Float64(),
      );
    case 'boolean':
      return vectorFromArray(
        values.map((value) => (value === null ? null : value.toLowerCase() === 'true')),
        new Bool(),
      );
    case 'timestamptz':
    case 'timestamp':
      return bigintVector(
        new TimestampMicrosecond(type === 'timestamptz' ? 'UTC' : null),
        values.map((value) => (value === null ? null : (parseTimestampMicros(value)?.micros ?? null))),
      );
    case 'string':
      return vectorFromArray(values, new Utf8());
  }
}

export interface CsvTable {
  readonly table: Table;
  readonly columns: readonly { readonly name: string; readonly type: CsvColumnType }[];
}

/** CSV text → Arrow table in record batches of at most `batchRows` rows. */
export function csvToTable(text: string, source = 'CSV', batchRows = 65_536): CsvTable {
  const [header, ...rows] = parseCsvRows(text, source);
  if (header === undefined) throw new CsvFormatError(`${source} is empty: it needs a header row`);
  const names = header.map((field) => field.text.trim());
  names.forEach((name, index) => {
    if (name === '') throw new CsvFormatError(`${source}: column ${index + 1} of the header has no name`);
    if (names.indexOf(name) !== index)
      throw new CsvFormatError(`${source}: column "${name}" appears twice in the header`);
  });
  rows.forEach((row, index) => {
    if (row.length !== names.length) {
      throw new CsvFormatError(
        `${source} row ${index + 2}: ${row.length} fields, but the header has ${names.length}`,
      );
    }
  });
  // Column-wise raw values; every empty field is null while the type is inferred.
  const raw = names.map((_, column) =>
    rows.map((row) => ((row[column] as CsvField).text === '' ? null : (row[column] as CsvField).text)),
  );
  const types = raw.map((values) => inferCsvColumnType(values));
  // A quoted empty field is an empty string only in a string column.
  const values = raw.map((column, index) =>
    types[index] === 'string'
      ? column.map((value, row) => (value === null && rows[row]?.[index]?.quoted === true ? '' : value))
      : column,
  );
  const batches: RecordBatch[] = [];
  for (let start = 0; start < Math.max(rows.length, 1); start += batchRows) {
    const vectors: Record<string, Vector> = {};
    names.forEach((name, index) => {
      const slice = (values[index] ?? []).slice(start, start + batchRows);
      vectors[name] = columnVector(types[index] as CsvColumnType, slice);
    });
    batches.push(...new Table(vectors).batches);
  }
  const table = new Table(batches);
  return { table, columns: names.map((name, index) => ({ name, type: types[index] as CsvColumnType })) };
}
