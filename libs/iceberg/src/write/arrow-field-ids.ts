// Stamps Iceberg field ids onto an Arrow schema as `PARQUET:field_id` field metadata, the key
// parquet-wasm (arrow-rs) turns into the Parquet schema's field_id. Readers resolve Iceberg
// columns by these ids, not names, so every field — struct children, list elements, map keys and
// values — must carry one. Fields are matched to the table schema by name.

import { Schema as ArrowSchema, DataType, Field, List, Map_, Struct } from 'apache-arrow';
import { IcebergError } from '../errors.ts';
import type { IcebergType, NestedField, Schema } from '../spec/types.ts';

export const FIELD_ID_KEY = 'PARQUET:field_id';

export function withFieldIds(arrowSchema: ArrowSchema, schema: Schema): ArrowSchema {
  const fields = arrowSchema.fields.map((field) => stampNamed(field, schema.fields, ''));
  return new ArrowSchema(fields, arrowSchema.metadata);
}

function stampNamed(field: Field, candidates: readonly NestedField[], parent: string): Field {
  const match = candidates.find((candidate) => candidate.name === field.name);
  const path = parent === '' ? field.name : `${parent}.${field.name}`;
  if (!match) {
    throw new IcebergError(
      'schema-mismatch',
      `Arrow column '${path}' has no matching field in the table schema`,
      {
        context: { column: path },
      },
    );
  }
  return stamp(field, match.id, match.type, path);
}

function stamp(field: Field, id: number, type: IcebergType, path: string): Field {
  const metadata = new Map(field.metadata);
  metadata.set(FIELD_ID_KEY, String(id));
  const arrowType = field.type as DataType;
  let newType: DataType = arrowType;
  if (type.kind === 'struct' && DataType.isStruct(arrowType)) {
    newType = new Struct(arrowType.children.map((child) => stampNamed(child, type.fields, path)));
  } else if (type.kind === 'list' && DataType.isList(arrowType)) {
    const element = arrowType.children[0] as Field;
    newType = new List(stamp(element, type.elementId, type.element, `${path}.element`));
  } else if (type.kind === 'map' && DataType.isMap(arrowType)) {
    const entries = arrowType.children[0] as Field;
    const [key, value] = (entries.type as DataType).children as [Field, Field];
    const entryType = new Struct([
      stamp(key, type.keyId, type.key, `${path}.key`),
      stamp(value, type.valueId, type.value, `${path}.value`),
    ]);
    newType = new Map_(new Field(entries.name, entryType, false, entries.metadata), arrowType.keysSorted);
  }
  return new Field(field.name, newType, field.nullable, metadata);
}
