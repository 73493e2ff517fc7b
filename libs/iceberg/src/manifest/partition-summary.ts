// Per-partition-field summaries for a manifest list entry (`field_summary`): whether any entry
// has a null or NaN value for the field, and the smallest and largest other value as
// single-value bytes. Scan planning prunes whole manifests with these, so bounds must use the
// spec's ordering: signed numbers, strings by Unicode code point (= UTF-8 byte order), binary
// as unsigned bytes, false before true.

import { serializeSingleValue } from '../spec/single-value.ts';
import type { PrimitiveType, StructType } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import type { PartitionValue } from './data-file.ts';
import type { FieldSummary } from './manifest-file.ts';

const utf8 = new TextEncoder();

/** Total order of non-null, non-NaN values of one primitive type, as the spec sorts them. */
export function comparePrimitive(left: PrimitiveValue, right: PrimitiveValue): number {
  if (typeof left === 'string' && typeof right === 'string') {
    return Buffer.compare(utf8.encode(left), utf8.encode(right));
  }
  if (left instanceof Uint8Array && right instanceof Uint8Array) {
    return Buffer.compare(left, right);
  }
  if (left === right) return 0;
  return (left as number | bigint | boolean) < (right as number | bigint | boolean) ? -1 : 1;
}

class FieldStats {
  private readonly type: PrimitiveType;
  private containsNull = false;
  private containsNan = false;
  private lower: PrimitiveValue | undefined;
  private upper: PrimitiveValue | undefined;

  constructor(type: PrimitiveType) {
    this.type = type;
  }

  update(value: PartitionValue): void {
    if (value === null) {
      this.containsNull = true;
    } else if (typeof value === 'number' && Number.isNaN(value)) {
      this.containsNan = true;
    } else {
      if (this.lower === undefined || comparePrimitive(value, this.lower) < 0) this.lower = value;
      if (this.upper === undefined || comparePrimitive(value, this.upper) > 0) this.upper = value;
    }
  }

  toSummary(): FieldSummary {
    return {
      containsNull: this.containsNull,
      containsNan: this.containsNan,
      ...(this.lower === undefined ? {} : { lowerBound: serializeSingleValue(this.type, this.lower) }),
      ...(this.upper === undefined ? {} : { upperBound: serializeSingleValue(this.type, this.upper) }),
    };
  }
}

/** Accumulates partition tuples (positional, spec order) into one summary per field. */
export class PartitionSummaryBuilder {
  private readonly fields: FieldStats[];

  constructor(partitionType: StructType) {
    this.fields = partitionType.fields.map((field) => new FieldStats(field.type as PrimitiveType));
  }

  update(partition: readonly PartitionValue[]): void {
    this.fields.forEach((stats, index) => {
      stats.update(partition[index] ?? null);
    });
  }

  summaries(): FieldSummary[] {
    return this.fields.map((stats) => stats.toSummary());
  }
}
