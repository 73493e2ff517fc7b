// Shared fixtures for the expression tests: a schema with one column of most primitive types,
// a nested struct and a list, plus a helper building DataFile metrics from plain values.

import type { DataFile } from '../manifest/data-file.ts';
import { serializeSingleValue } from '../spec/single-value.ts';
import type { PrimitiveType, Schema } from '../spec/types.ts';

export const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'name', required: false, type: { kind: 'string' } },
    { id: 3, name: 'price', required: false, type: { kind: 'decimal', precision: 9, scale: 2 } },
    { id: 4, name: 'day', required: false, type: { kind: 'date' } },
    { id: 5, name: 'ts', required: false, type: { kind: 'timestamp' } },
    { id: 6, name: 'tstz', required: false, type: { kind: 'timestamptz' } },
    { id: 7, name: 'score', required: false, type: { kind: 'double' } },
    { id: 8, name: 'f', required: false, type: { kind: 'float' } },
    { id: 9, name: 'flag', required: false, type: { kind: 'boolean' } },
    { id: 10, name: 'u', required: false, type: { kind: 'uuid' } },
    { id: 11, name: 'count', required: false, type: { kind: 'int' } },
    { id: 12, name: 'data', required: false, type: { kind: 'binary' } },
    {
      id: 13,
      name: 'address',
      required: false,
      type: {
        kind: 'struct',
        fields: [
          { id: 14, name: 'zip', required: true, type: { kind: 'string' } },
          { id: 15, name: 'city', required: false, type: { kind: 'string' } },
        ],
      },
    },
    {
      id: 16,
      name: 'tags',
      required: false,
      type: { kind: 'list', elementId: 17, elementRequired: false, element: { kind: 'string' } },
    },
    { id: 18, name: 't', required: false, type: { kind: 'time' } },
    { id: 19, name: 'fx', required: false, type: { kind: 'fixed', length: 4 } },
  ],
};

export interface ColumnMetricsSpec {
  readonly type: PrimitiveType;
  readonly values?: bigint;
  readonly nulls?: bigint;
  readonly nans?: bigint;
  readonly lower?: unknown;
  readonly upper?: unknown;
}

/** A data file whose metrics are given per field id in plain values. */
export function fileWith(
  recordCount: bigint,
  columns: Readonly<Record<number, ColumnMetricsSpec>>,
): DataFile {
  const valueCounts = new Map<number, bigint>();
  const nullValueCounts = new Map<number, bigint>();
  const nanValueCounts = new Map<number, bigint>();
  const lowerBounds = new Map<number, Uint8Array>();
  const upperBounds = new Map<number, Uint8Array>();
  for (const [key, spec] of Object.entries(columns)) {
    const id = Number(key);
    if (spec.values !== undefined) valueCounts.set(id, spec.values);
    if (spec.nulls !== undefined) nullValueCounts.set(id, spec.nulls);
    if (spec.nans !== undefined) nanValueCounts.set(id, spec.nans);
    if (spec.lower !== undefined) lowerBounds.set(id, serializeSingleValue(spec.type, spec.lower));
    if (spec.upper !== undefined) upperBounds.set(id, serializeSingleValue(spec.type, spec.upper));
  }
  return {
    content: 'data',
    filePath: 's3://bucket/data/file.parquet',
    fileFormat: 'parquet',
    partition: [],
    recordCount,
    fileSizeInBytes: 1024n,
    valueCounts,
    nullValueCounts,
    nanValueCounts,
    lowerBounds,
    upperBounds,
  };
}
