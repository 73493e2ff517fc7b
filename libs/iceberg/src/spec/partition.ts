// Partition specs at work: the partition struct type a spec produces over a schema, the
// partition tuple of one row, the Hive-style path of a tuple (`ts_day=2024-01-02/id_bucket=3`,
// escaped and with `null` for null exactly as PyIceberg writes it), and a builder that creates
// specs the way Java and PyIceberg name and number them (`ts_day`, `id_bucket`, field ids from
// 1000 or after the table's last partition id).

import { IcebergError } from '../errors.ts';
import type { PartitionField, PartitionSpec } from './partition-types.ts';
import { type IndexedField, indexSchema, type SchemaIndex } from './schema.ts';
import {
  applyTransform,
  canTransform,
  parseTransform,
  type Transform,
  transformHumanString,
  transformResultType,
  transformToString,
} from './transforms.ts';
import { typeToString } from './type-json.ts';
import type { IcebergType, NestedField, Schema, StructType } from './types.ts';
import type { PrimitiveValue } from './values.ts';

/** Partition field ids start here (spec §Partition Evolution, reference implementation). */
export const PARTITION_DATA_ID_START = 1000;

/** One value per spec field, in spec order; null where the source or the transform gave null. */
export type PartitionTuple = readonly (PrimitiveValue | null)[];

export const UNPARTITIONED_SPEC: PartitionSpec = { specId: 0, fields: [] };

/** A spec bound to a schema: source fields and parsed transforms resolved once, reused per row. */
export interface BoundPartitionSpec {
  readonly spec: PartitionSpec;
  readonly schema: Schema;
  readonly fields: readonly BoundPartitionField[];
  readonly partitionType: StructType;
}

export interface BoundPartitionField {
  readonly field: PartitionField;
  readonly transform: Transform;
  readonly source: IndexedField;
  readonly resultType: IcebergType;
}

export function bindPartitionSpec(spec: PartitionSpec, schema: Schema): BoundPartitionSpec {
  const index = indexSchema(schema);
  const fields = spec.fields.map((field) => bindField(field, index, spec.specId));
  const partitionType: StructType = {
    kind: 'struct',
    // Partition fields are always optional: a void transform or a null source yields null.
    fields: fields.map(({ field, resultType }) => ({
      id: field.fieldId,
      name: field.name,
      required: false,
      type: resultType,
    })),
  };
  return { spec, schema, fields, partitionType };
}

/** The struct type of partition tuples for `spec` over `schema` (the manifest's `partition`). */
export function partitionType(spec: PartitionSpec, schema: Schema): StructType {
  return bindPartitionSpec(spec, schema).partitionType;
}

function bindField(field: PartitionField, index: SchemaIndex, specId: number): BoundPartitionField {
  const source = index.byId.get(field.sourceId);
  if (source === undefined) {
    throw new IcebergError(
      'invalid-metadata',
      `partition spec ${specId} field '${field.name}' refers to source column id ${field.sourceId}, which is not in the schema`,
      { context: { specId, partitionField: field.name, sourceId: field.sourceId } },
    );
  }
  const transform = parseTransform(field.transform);
  if (transform.kind === 'unknown') {
    throw new IcebergError(
      'unsupported',
      `partition spec ${specId} field '${field.name}' uses unknown transform '${field.transform}'; floe cannot write to it`,
      { context: { specId, partitionField: field.name, transform: field.transform } },
    );
  }
  if (!canTransform(transform, source.field.type)) {
    throw new IcebergError(
      'invalid-metadata',
      `partition spec ${specId} field '${field.name}': ${field.transform} cannot be applied to column '${source.path}' of type ${typeToString(source.field.type)}`,
      { context: { specId, partitionField: field.name, transform: field.transform } },
    );
  }
  return { field, transform, source, resultType: transformResultType(transform, source.field.type) };
}

/**
 * The partition tuple of a row. `sourceValue` returns the value of a source column (by its
 * schema entry) in the shared value representation; `valueAtPath` does that for plain rows.
 */
export function partitionTuple(
  bound: BoundPartitionSpec,
  sourceValue: (source: IndexedField) => unknown,
): PartitionTuple {
  return bound.fields.map(({ transform, source }) => {
    try {
      return applyTransform(transform, source.field.type, sourceValue(source));
    } catch (error) {
      if (error instanceof IcebergError && error.kind === 'invalid-value') {
        throw new IcebergError('invalid-value', `column '${source.path}': ${error.message}`, {
          context: { ...error.context, column: source.path },
          cause: error,
        });
      }
      throw error;
    }
  });
}

/** Partition tuple of a row given as an object keyed by field name (nested structs as objects). */
export function partitionTupleForRow(
  bound: BoundPartitionSpec,
  row: Readonly<Record<string, unknown>>,
): PartitionTuple {
  return partitionTuple(bound, (source) => valueAtPath(row, source.segments));
}

/** Walks struct segments of a row; a missing or null parent yields null. */
export function valueAtPath(row: Readonly<Record<string, unknown>>, segments: readonly string[]): unknown {
  let current: unknown = row;
  for (const segment of segments) {
    if (current === null || current === undefined || typeof current !== 'object') return null;
    current = (current as Record<string, unknown>)[segment];
  }
  return current ?? null;
}

/** `name=value/…` with each part escaped like Python's `quote_plus(…, safe="")`. */
export function partitionPath(bound: BoundPartitionSpec, tuple: PartitionTuple): string {
  return bound.fields
    .map(({ field, transform, source }, i) => {
      const human = transformHumanString(transform, source.field.type, tuple[i] ?? null);
      return `${escapePathPart(field.name)}=${escapePathPart(human)}`;
    })
    .join('/');
}

/**
 * URL form-encoding as PyIceberg applies it to partition names and values: letters, digits and
 * `_.-~` stay, space becomes `+`, everything else is UTF-8 percent-encoded.
 */
export function escapePathPart(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}

/**
 * A stable string key of a tuple for grouping rows by partition (distinct tuples → distinct
 * keys, including across value types).
 */
export function partitionKey(tuple: PartitionTuple): string {
  return tuple
    .map((value) => {
      if (value === null) return 'n';
      if (value instanceof Uint8Array) return `x${Buffer.from(value).toString('hex')}`;
      const tag =
        typeof value === 'bigint'
          ? 'l'
          : typeof value === 'number'
            ? 'i'
            : typeof value === 'string'
              ? 's'
              : 'b';
      return `${tag}${String(value).replaceAll('|', '||')}`;
    })
    .join('|,');
}

export interface PartitionSpecBuilderOptions {
  readonly specId?: number;
  /** Highest partition field id already used by the table; new ids continue after it. */
  readonly lastPartitionId?: number;
}

/** Builds a spec against a schema: `new PartitionSpecBuilder(schema).day('ts').bucket('id', 16).build()`. */
export class PartitionSpecBuilder {
  readonly #schema: Schema;
  readonly #index: SchemaIndex;
  readonly #specId: number;
  readonly #fields: PartitionField[] = [];
  #nextFieldId: number;

  constructor(schema: Schema, options: PartitionSpecBuilderOptions = {}) {
    this.#schema = schema;
    this.#index = indexSchema(schema);
    this.#specId = options.specId ?? 0;
    this.#nextFieldId =
      Math.max(options.lastPartitionId ?? PARTITION_DATA_ID_START - 1, PARTITION_DATA_ID_START - 1) + 1;
  }

  identity(column: string, name?: string): this {
    return this.add(column, 'identity', name);
  }
  bucket(column: string, numBuckets: number, name?: string): this {
    return this.add(column, `bucket[${numBuckets}]`, name);
  }
  truncate(column: string, width: number, name?: string): this {
    return this.add(column, `truncate[${width}]`, name);
  }
  year(column: string, name?: string): this {
    return this.add(column, 'year', name);
  }
  month(column: string, name?: string): this {
    return this.add(column, 'month', name);
  }
  day(column: string, name?: string): this {
    return this.add(column, 'day', name);
  }
  hour(column: string, name?: string): this {
    return this.add(column, 'hour', name);
  }
  void(column: string, name?: string): this {
    return this.add(column, 'void', name);
  }

  /** Adds `transform` (a spec string) on `column` (a dotted name); `fieldId` overrides the next id. */
  add(column: string, transformText: string, name?: string, fieldId?: number): this {
    const source = this.#index.byName.get(column);
    if (source === undefined)
      throw this.#invalid(`cannot partition by '${column}': no such column in the schema`);
    if (source.insideCollection) {
      throw this.#invalid(
        `cannot partition by '${column}': columns inside a list or map cannot be partition sources`,
      );
    }
    const transform = parseTransform(transformText);
    if (transform.kind === 'unknown') throw this.#invalid(`unknown transform '${transformText}'`);
    if (!canTransform(transform, source.field.type)) {
      throw this.#invalid(
        `cannot partition by ${transformToString(transform)}(${column}): not defined for ${typeToString(source.field.type)}`,
      );
    }
    const fieldName = name ?? defaultPartitionName(source.path, transform);
    this.#checkName(fieldName, source, transform);
    const canonical = transformToString(transform);
    const duplicate = this.#fields.find(
      (f) => f.sourceId === source.field.id && sameTransformFamily(f.transform, canonical),
    );
    if (duplicate) {
      throw this.#invalid(
        `cannot add ${canonical}(${column}): it repeats partition field '${duplicate.name}'`,
      );
    }
    const id = fieldId ?? this.#nextFieldId;
    this.#nextFieldId = Math.max(this.#nextFieldId, id + 1);
    this.#fields.push({ sourceId: source.field.id, fieldId: id, name: fieldName, transform: canonical });
    return this;
  }

  build(): PartitionSpec {
    return { specId: this.#specId, fields: [...this.#fields] };
  }

  #checkName(fieldName: string, source: IndexedField, transform: Transform): void {
    if (fieldName.length === 0) throw this.#invalid('partition field names cannot be empty');
    if (this.#fields.some((f) => f.name === fieldName)) {
      throw this.#invalid(`partition field name '${fieldName}' is used twice`);
    }
    // A partition name may shadow a column only when it is that column's identity partition.
    const column = this.#index.byName.get(fieldName);
    if (column !== undefined && !(transform.kind === 'identity' && column.field.id === source.field.id)) {
      throw this.#invalid(
        `partition field name '${fieldName}' conflicts with a schema column of the same name`,
      );
    }
  }

  #invalid(message: string): IcebergError {
    return new IcebergError('invalid-argument', `invalid partition spec: ${message}`, {
      context: { schemaId: this.#schema.schemaId, specId: this.#specId },
    });
  }
}

/** Java/PyIceberg default names: `id`, `id_bucket`, `name_trunc`, `ts_year`, `ts_day`, `x_null`. */
export function defaultPartitionName(sourcePath: string, transform: Transform): string {
  switch (transform.kind) {
    case 'identity':
      return sourcePath;
    case 'bucket':
      return `${sourcePath}_bucket`;
    case 'truncate':
      return `${sourcePath}_trunc`;
    case 'void':
      return `${sourcePath}_null`;
    default:
      return `${sourcePath}_${transform.kind}`;
  }
}

// Two time transforms on one column (day and hour) are redundant; Java rejects them too.
function sameTransformFamily(a: string, b: string): boolean {
  const time = new Set(['year', 'month', 'day', 'hour']);
  return a === b || (time.has(a) && time.has(b));
}

/** A partition field of the struct type, looked up by its id. */
export function partitionFieldById(bound: BoundPartitionSpec, fieldId: number): NestedField | undefined {
  return bound.partitionType.fields.find((f) => f.id === fieldId);
}
