// Reads the Parquet footer (Thrift compact FileMetaData) of a file we just wrote. parquet-wasm
// can only open a footer together with the page indexes that precede it, which would mean
// reading back most of a multi-hundred-MiB file; the footer alone tells us all we need: the row
// count (to catch batches parquet-wasm's stream writer dropped), per-leaf compressed sizes
// (column_sizes), row-group start offsets (split_offsets), the schema's field ids (proof that
// Iceberg ids made it into the file), and each chunk's physical type and statistics (null count,
// min/max and whether they are exact or truncated; the column metrics take them from here) and
// the created_by other engines judge those statistics by. Unknown Thrift fields are skipped, so
// newer writers parse.

import { IcebergError } from '../errors.ts';

export interface ParquetSchemaElement {
  readonly name: string;
  readonly numChildren: number;
  readonly fieldId?: number;
}

export interface ParquetColumnChunk {
  readonly path: readonly string[];
  readonly numValues: bigint;
  readonly compressedSize: bigint;
  /** Where the chunk's first page starts (dictionary page if any). */
  readonly startOffset: bigint;
  /** Parquet physical type (Thrift `Type`: 0 BOOLEAN … 6 BYTE_ARRAY, 7 FIXED_LEN_BYTE_ARRAY). */
  readonly physicalType: number;
  /** Statistics.null_count, where the writer recorded it. */
  readonly nullCount?: bigint;
  /** The chunk's min_value / max_value statistics (plain-encoded), where the writer recorded them. */
  readonly minValue?: Uint8Array;
  readonly maxValue?: Uint8Array;
  /** Statistics.is_min_value_exact / is_max_value_exact: false when the value was truncated. */
  readonly minIsExact?: boolean;
  readonly maxIsExact?: boolean;
}

export interface ParquetRowGroup {
  readonly numRows: bigint;
  readonly columns: readonly ParquetColumnChunk[];
}

export interface ParquetFooter {
  readonly numRows: bigint;
  readonly schema: readonly ParquetSchemaElement[];
  readonly rowGroups: readonly ParquetRowGroup[];
  readonly createdBy?: string;
}

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

/** Length of the footer from the file's last 8 bytes (footer length + magic). */
export function footerLength(trailer: Uint8Array, location: string): number {
  const tail = trailer.subarray(trailer.length - 8);
  if (tail.length !== 8 || MAGIC.some((byte, i) => tail[4 + i] !== byte)) {
    throw corrupt(location, 'the file does not end with the PAR1 magic');
  }
  return new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
}

/** Parses FileMetaData from `footer` (exactly the footer bytes, without length and magic). */
export function parseParquetFooter(footer: Uint8Array, location: string): ParquetFooter {
  try {
    return readFileMetaData(new CompactReader(footer).readStruct());
  } catch (cause) {
    throw corrupt(location, `unreadable footer (${(cause as Error).message})`);
  }
}

function readFileMetaData(root: ThriftStruct): ParquetFooter {
  const schema = list(root.get(2)).map((element) => {
    const s = element as ThriftStruct;
    const fieldId = s.get(9);
    return {
      name: text(s.get(4)),
      numChildren: Number(s.get(5) ?? 0),
      ...(fieldId === undefined ? {} : { fieldId: Number(fieldId) }),
    };
  });
  const rowGroups = list(root.get(4)).map((group) => {
    const g = group as ThriftStruct;
    return {
      numRows: BigInt(g.get(3) as bigint),
      columns: list(g.get(1)).map((chunk) => {
        const meta = (chunk as ThriftStruct).get(3) as ThriftStruct;
        const dictionary = meta.get(11) as bigint | undefined;
        const data = meta.get(9) as bigint;
        // Statistics: 3 null_count, 5 max_value, 6 min_value, 7 is_max_value_exact, 8 is_min_value_exact
        const statistics = meta.get(12);
        const stat = (id: number) => (statistics instanceof Map ? statistics.get(id) : undefined);
        const nullCount = stat(3);
        const min = stat(6);
        const max = stat(5);
        const minIsExact = stat(8);
        const maxIsExact = stat(7);
        return {
          path: list(meta.get(3)).map(text),
          numValues: meta.get(5) as bigint,
          compressedSize: meta.get(7) as bigint,
          startOffset: dictionary !== undefined && dictionary > 0n && dictionary < data ? dictionary : data,
          physicalType: Number(meta.get(1) ?? -1),
          ...(typeof nullCount === 'bigint' ? { nullCount } : {}),
          ...(min instanceof Uint8Array ? { minValue: min.slice() } : {}),
          ...(max instanceof Uint8Array ? { maxValue: max.slice() } : {}),
          ...(typeof minIsExact === 'boolean' ? { minIsExact } : {}),
          ...(typeof maxIsExact === 'boolean' ? { maxIsExact } : {}),
        };
      }),
    };
  });
  const createdBy = root.get(6);
  return {
    numRows: (root.get(3) as bigint | undefined) ?? 0n,
    schema,
    rowGroups,
    ...(createdBy === undefined ? {} : { createdBy: text(createdBy) }),
  };
}

/** Field ids of the leaf columns in file order, `undefined` where the writer left none. */
export function leafFieldIds(footer: ParquetFooter): (number | undefined)[] {
  const ids: (number | undefined)[] = [];
  let index = 1; // element 0 is the root
  const walk = (): void => {
    const element = footer.schema[index++];
    if (!element) return;
    if (element.numChildren === 0) ids.push(element.fieldId);
    for (let i = 0; i < element.numChildren; i++) walk();
  };
  const root = footer.schema[0];
  for (let i = 0; i < (root?.numChildren ?? 0); i++) walk();
  return ids;
}

function corrupt(location: string, why: string): IcebergError {
  return new IcebergError('invalid-value', `Parquet footer of ${location} is not valid: ${why}`, {
    context: { location },
  });
}

type ThriftValue = boolean | number | bigint | Uint8Array | ThriftValue[] | ThriftStruct;
type ThriftStruct = Map<number, ThriftValue>;

const list = (value: ThriftValue | undefined): ThriftValue[] => (Array.isArray(value) ? value : []);
const decoder = new TextDecoder();
const text = (value: ThriftValue | undefined): string =>
  value instanceof Uint8Array ? decoder.decode(value) : '';

/** The subset of the Thrift compact protocol that Parquet metadata uses. */
class CompactReader {
  readonly #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  readStruct(): ThriftStruct {
    const fields: ThriftStruct = new Map();
    let lastId = 0;
    for (;;) {
      const header = this.#byte();
      const type = header & 0x0f;
      if (type === 0) return fields;
      const delta = header >> 4;
      const id = delta === 0 ? Number(zigzag(this.#varint())) : lastId + delta;
      lastId = id;
      fields.set(id, type === 1 ? true : type === 2 ? false : this.#value(type));
    }
  }

  #value(type: number): ThriftValue {
    switch (type) {
      case 1:
      case 2:
        return this.#byte() === 1;
      case 3:
        return (this.#byte() << 24) >> 24;
      case 4:
      case 5:
        return Number(zigzag(this.#varint()));
      case 6:
        return zigzag(this.#varint());
      case 7: {
        const view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset + this.#pos, 8);
        this.#pos += 8;
        return view.getFloat64(0, true);
      }
      case 8: {
        const length = Number(this.#varint());
        const value = this.#bytes.subarray(this.#pos, this.#pos + length);
        if (value.length !== length) throw new Error('truncated binary');
        this.#pos += length;
        return value;
      }
      case 9:
      case 10: {
        const header = this.#byte();
        const size = header >> 4 === 15 ? Number(this.#varint()) : header >> 4;
        const elementType = header & 0x0f;
        return Array.from({ length: size }, () => this.#value(elementType));
      }
      case 11: {
        const size = Number(this.#varint());
        if (size === 0) return [];
        const types = this.#byte();
        return Array.from({ length: size * 2 }, (_, i) =>
          this.#value(i % 2 === 0 ? types >> 4 : types & 0x0f),
        );
      }
      case 12:
        return this.readStruct();
      default:
        throw new Error(`unknown thrift type ${type}`);
    }
  }

  #byte(): number {
    const value = this.#bytes[this.#pos++];
    if (value === undefined) throw new Error('unexpected end of footer');
    return value;
  }

  #varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.#byte();
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }
}

function zigzag(value: bigint): bigint {
  return (value >> 1n) ^ -(value & 1n);
}
