// Per-column metrics of a data file (spec §Manifests: value_counts, null_value_counts,
// nan_value_counts, lower/upper_bounds, column_sizes). With `metricsFrom: 'footer'` (what the
// Parquet writer uses) the null counts and bounds of the leaves whose Parquet statistics mean the
// same (footer-metrics.ts says which) are taken from the written file's footer and those leaves
// are not scanned; every other leaf, and every leaf with `'scan'`, is computed from the Arrow data
// as it is written. Column sizes come from the footer's column chunks. Counts follow
// Parquet's leaf semantics so they match what other engines compute from the same file: a leaf
// under a null struct is a null value, and a null or empty list contributes one null to each
// leaf beneath it. Bounds are kept for leaves outside lists and maps only (an absent bound is
// always correct; a wrong one corrupts pruning) and follow the column's metrics mode. Counts and
// the positions of the bounds come from raw buffers (leaf-scan.ts); only the two winning values
// per batch are read as Iceberg values.

import type { Schema as ArrowSchema, Data, Field, RecordBatch } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import { IcebergError } from '../errors.ts';
import { serializeSingleValue } from '../spec/single-value.ts';
import type { IcebergType, NestedField, PrimitiveType, Schema } from '../spec/types.ts';
import { isPrimitive } from '../spec/types.ts';
import { bytesToUuid, type PrimitiveValue } from '../spec/values.ts';
import { slotReader } from './arrow-leaf-values.ts';
import {
  comparatorFor,
  truncateBytesLower,
  truncateBytesUpper,
  truncateStringLower,
  truncateStringUpper,
} from './bounds.ts';
import { footerLeafStats, footerServes } from './footer-metrics.ts';
import { scanLeaf } from './leaf-scan.ts';
import { type MetricsMode, resolveMetricsModes } from './metrics-config.ts';
import type { ParquetFooter } from './parquet-footer.ts';

export interface ColumnMetrics {
  readonly recordCount: bigint;
  readonly columnSizes: Map<number, bigint>;
  readonly valueCounts: Map<number, bigint>;
  readonly nullValueCounts: Map<number, bigint>;
  readonly nanValueCounts: Map<number, bigint>;
  readonly lowerBounds: Map<number, Uint8Array>;
  readonly upperBounds: Map<number, Uint8Array>;
}

/** A primitive column of the file, in Parquet leaf order. */
export interface LeafColumn {
  readonly fieldId: number;
  /** Full dotted Iceberg name (`location.lat`, `tags.element`, `props.key`). */
  readonly name: string;
  readonly type: PrimitiveType;
  readonly insideCollection: boolean;
  readonly mode: MetricsMode;
}

type ColumnNode =
  | { readonly kind: 'leaf'; readonly leaf: number }
  | { readonly kind: 'struct'; readonly children: readonly ColumnNode[] }
  | { readonly kind: 'list'; readonly element: ColumnNode }
  | { readonly kind: 'map'; readonly key: ColumnNode; readonly value: ColumnNode };

/** Where counts and bounds come from (see the module comment). */
export type MetricsSource = 'scan' | 'footer';

export interface ColumnMetricsOptions {
  /** Default `'scan'`; `'footer'` needs the written file's footer in `finish`. */
  readonly metricsFrom?: MetricsSource;
}

interface LeafStats {
  values: number;
  nulls: number;
  nans: number;
  min: PrimitiveValue | undefined;
  max: PrimitiveValue | undefined;
}

/** A leaf's figures as `finish` reads them: the null count is unknown if the footer lacks it. */
type FinalStats = Readonly<Omit<LeafStats, 'nulls'> & { nulls: number | undefined }>;

interface FoundLeaf extends Omit<LeafColumn, 'mode'> {
  readonly arrowType: DataType;
}

export class ColumnMetricsCollector {
  readonly leaves: readonly LeafColumn[];
  readonly #roots: readonly ColumnNode[];
  readonly #stats: LeafStats[];
  readonly #arrowTypes: readonly DataType[];
  /** Per leaf: whether it is scanned (else its metrics are unused or come from the footer). */
  readonly #scanned: readonly boolean[];
  #records = 0;

  constructor(
    schema: Schema,
    arrowSchema: ArrowSchema,
    properties: Readonly<Record<string, string>> = {},
    options: ColumnMetricsOptions = {},
  ) {
    const found: FoundLeaf[] = [];
    this.#roots = arrowSchema.fields.map((field) => buildNode(field, schema.fields, [], false, found));
    const modes = resolveMetricsModes(
      found.map((leaf) => leaf.name),
      properties,
    );
    this.leaves = found.map(({ arrowType: _, ...leaf }, i) => ({ ...leaf, mode: modes[i] as MetricsMode }));
    this.#arrowTypes = found.map((leaf) => leaf.arrowType);
    const fromFooter = options.metricsFrom === 'footer';
    this.#scanned = this.leaves.map(
      (leaf, i) =>
        leaf.mode.kind !== 'none' &&
        !(
          fromFooter &&
          !leaf.insideCollection &&
          footerServes(found[i]?.arrowType as DataType, leaf.type, leaf.mode)
        ),
    );
    this.#stats = found.map(() => ({ values: 0, nulls: 0, nans: 0, min: undefined, max: undefined }));
  }

  get recordCount(): number {
    return this.#records;
  }

  add(batch: RecordBatch): void {
    const slots = new Int32Array(batch.numRows);
    for (let i = 0; i < slots.length; i++) slots[i] = i;
    this.#roots.forEach((node, i) => {
      const column = batch.data.children[i];
      if (column) this.#visit(node, column, slots);
    });
    this.#records += batch.numRows;
  }

  /**
   * `leafSizes[i]` is the compressed size of leaf column i summed over row groups, if known;
   * `footer` is the written file's (needed when metrics come from it).
   */
  finish(leafSizes?: readonly number[], footer?: ParquetFooter): ColumnMetrics {
    const metrics: ColumnMetrics = {
      recordCount: BigInt(this.#records),
      columnSizes: new Map(),
      valueCounts: new Map(),
      nullValueCounts: new Map(),
      nanValueCounts: new Map(),
      lowerBounds: new Map(),
      upperBounds: new Map(),
    };
    this.leaves.forEach((leaf, i) => {
      if (leaf.mode.kind === 'none') return;
      const stats: FinalStats = this.#scanned[i]
        ? (this.#stats[i] as LeafStats)
        : this.#footerStats(i, footer);
      const id = leaf.fieldId;
      const size = leafSizes?.[i];
      if (size !== undefined) metrics.columnSizes.set(id, BigInt(size));
      metrics.valueCounts.set(id, BigInt(stats.values));
      if (stats.nulls !== undefined) metrics.nullValueCounts.set(id, BigInt(stats.nulls));
      if (leaf.type.kind === 'float' || leaf.type.kind === 'double')
        metrics.nanValueCounts.set(id, BigInt(stats.nans));
      if (leaf.mode.kind === 'counts' || leaf.insideCollection) return;
      const limit = leaf.mode.kind === 'truncate' ? leaf.mode.length : undefined;
      if (stats.min !== undefined) metrics.lowerBounds.set(id, lowerBound(leaf.type, stats.min, limit));
      if (stats.max !== undefined) {
        const upper = upperBound(leaf.type, stats.max, limit);
        if (upper !== undefined) metrics.upperBounds.set(id, upper);
      }
    });
    return metrics;
  }

  #footerStats(leafIndex: number, footer: ParquetFooter | undefined): FinalStats {
    const leaf = this.leaves[leafIndex] as LeafColumn;
    if (footer === undefined) {
      throw new IcebergError(
        'invalid-argument',
        `metrics of column '${leaf.name}' come from the Parquet footer, but finish() was given none`,
        { context: { column: leaf.name } },
      );
    }
    const found = footerLeafStats(
      footer,
      leafIndex,
      this.#arrowTypes[leafIndex] as DataType,
      leaf.type,
      leaf.mode,
    );
    return { values: this.#records, nans: 0, ...found };
  }

  #visit(node: ColumnNode, data: Data, slots: Int32Array): void {
    switch (node.kind) {
      case 'leaf':
        this.#visitLeaf(node.leaf, data, slots);
        return;
      case 'struct': {
        const inner = nullOutInvalid(data, slots);
        node.children.forEach((child, i) => {
          const childData = data.children[i];
          if (childData) this.#visit(child, childData, inner);
        });
        return;
      }
      case 'list':
        this.#visit(node.element, data.children[0] as Data, expandCollection(data, slots));
        return;
      case 'map': {
        const entries = data.children[0] as Data;
        const inner = expandCollection(data, slots);
        this.#visit(node.key, entries.children[0] as Data, inner);
        this.#visit(node.value, entries.children[1] as Data, inner);
        return;
      }
    }
  }

  #visitLeaf(leafIndex: number, data: Data, slots: Int32Array): void {
    if (!this.#scanned[leafIndex]) return;
    const leaf = this.leaves[leafIndex] as LeafColumn;
    const stats = this.#stats[leafIndex] as LeafStats;
    stats.values += slots.length;
    const wantBounds = leaf.mode.kind !== 'none' && leaf.mode.kind !== 'counts' && !leaf.insideCollection;
    const scan = scanLeaf(data, leaf.type, slots, wantBounds);
    if (scan === undefined) {
      this.#visitLeafByValue(leaf, stats, data, slots, wantBounds);
      return;
    }
    stats.nulls += scan.nulls;
    stats.nans += scan.nans;
    if (!wantBounds || scan.minSlot < 0) return;
    // Only the two winning slots are read as values (strings decoded once, not per row).
    const read = slotReader(data, leaf.type, leaf.name);
    const compare = comparatorFor(leaf.type);
    const min = read(scan.minSlot);
    const max = read(scan.maxSlot);
    if (stats.min === undefined || compare(min, stats.min) < 0) stats.min = min;
    if (stats.max === undefined || compare(max, stats.max) > 0) stats.max = max;
  }

  /** The general path, one value at a time, for layouts `scanLeaf` has no fast path for. */
  #visitLeafByValue(
    leaf: LeafColumn,
    stats: LeafStats,
    data: Data,
    slots: Int32Array,
    wantBounds: boolean,
  ): void {
    const isFloat = leaf.type.kind === 'float' || leaf.type.kind === 'double';
    const read = wantBounds || isFloat ? slotReader(data, leaf.type, leaf.name) : undefined;
    const compare = comparatorFor(leaf.type);
    for (const slot of slots) {
      if (slot < 0 || !data.getValid(slot)) {
        stats.nulls += 1;
        continue;
      }
      if (!read) continue;
      const value = read(slot);
      if (isFloat && Number.isNaN(value)) {
        stats.nans += 1;
        continue;
      }
      if (!wantBounds) continue;
      if (stats.min === undefined || compare(value, stats.min) < 0) stats.min = value;
      if (stats.max === undefined || compare(value, stats.max) > 0) stats.max = value;
    }
  }
}

function buildNode(
  arrowField: Field,
  candidates: readonly NestedField[],
  parents: readonly string[],
  insideCollection: boolean,
  leaves: FoundLeaf[],
): ColumnNode {
  const idText = arrowField.metadata.get('PARQUET:field_id');
  const field =
    idText === undefined
      ? candidates.find((candidate) => candidate.name === arrowField.name)
      : candidates.find((candidate) => candidate.id === Number(idText));
  const path = [...parents, arrowField.name].join('.');
  if (!field) {
    throw new IcebergError(
      'schema-mismatch',
      `Arrow column '${path}'${idText === undefined ? '' : ` (field id ${idText})`} has no matching field in the table schema`,
      { context: { column: path } },
    );
  }
  return nodeForType(field.id, field.type, arrowField, [...parents, field.name], insideCollection, leaves);
}

function nodeForType(
  id: number,
  type: IcebergType,
  arrowField: Field,
  segments: readonly string[],
  insideCollection: boolean,
  leaves: FoundLeaf[],
): ColumnNode {
  const name = segments.join('.');
  const arrowType = arrowField.type as DataType;
  const mismatch = (): never => {
    throw new IcebergError(
      'schema-mismatch',
      `Arrow column '${name}' is ${String(arrowType)} but the table field is ${type.kind}`,
      { context: { column: name } },
    );
  };
  if (isPrimitive(type)) {
    if (DataType.isStruct(arrowType) || DataType.isList(arrowType) || DataType.isMap(arrowType)) mismatch();
    leaves.push({ fieldId: id, name, type, insideCollection, arrowType });
    return { kind: 'leaf', leaf: leaves.length - 1 };
  }
  if (type.kind === 'struct') {
    if (!DataType.isStruct(arrowType)) return mismatch();
    return {
      kind: 'struct',
      children: arrowType.children.map((child) =>
        buildNode(child, type.fields, segments, insideCollection, leaves),
      ),
    };
  }
  if (type.kind === 'list') {
    if (!DataType.isList(arrowType)) return mismatch();
    const element = arrowType.children[0] as Field;
    return {
      kind: 'list',
      element: nodeForType(type.elementId, type.element, element, [...segments, 'element'], true, leaves),
    };
  }
  if (!DataType.isMap(arrowType)) return mismatch();
  const entries = arrowType.children[0] as Field;
  const [keyField, valueField] = (entries.type as DataType).children as Field[];
  return {
    kind: 'map',
    key: nodeForType(type.keyId, type.key, keyField as Field, [...segments, 'key'], true, leaves),
    value: nodeForType(type.valueId, type.value, valueField as Field, [...segments, 'value'], true, leaves),
  };
}

/** Slots of a struct's children: a null struct makes every child slot a (phantom) null. */
function nullOutInvalid(data: Data, slots: Int32Array): Int32Array {
  if (data.nullCount === 0) return slots;
  const out = new Int32Array(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] as number;
    out[i] = slot >= 0 && data.getValid(slot) ? slot : -1;
  }
  return out;
}

/** Child slots of a list/map: its elements, or one phantom null for a null or empty collection. */
function expandCollection(data: Data, slots: Int32Array): Int32Array {
  const offsets = data.valueOffsets as Int32Array;
  const out: number[] = [];
  for (const slot of slots) {
    if (slot < 0 || !data.getValid(slot)) {
      out.push(-1);
      continue;
    }
    const start = offsets[slot] as number;
    const end = offsets[slot + 1] as number;
    if (end === start) out.push(-1);
    for (let i = start; i < end; i++) out.push(i);
  }
  return Int32Array.from(out);
}

function asBoundValue(type: PrimitiveType, value: PrimitiveValue): PrimitiveValue {
  if (type.kind === 'uuid')
    return value instanceof Uint8Array ? bytesToUuid(value) : (value as string).toLowerCase();
  return value;
}

function lowerBound(type: PrimitiveType, value: PrimitiveValue, limit: number | undefined): Uint8Array {
  if (limit !== undefined && type.kind === 'string')
    return serializeSingleValue(type, truncateStringLower(value as string, limit));
  if (limit !== undefined && type.kind === 'binary')
    return truncateBytesLower(value as Uint8Array, limit).slice();
  return serializeSingleValue(type, asBoundValue(type, value));
}

function upperBound(
  type: PrimitiveType,
  value: PrimitiveValue,
  limit: number | undefined,
): Uint8Array | undefined {
  if (limit !== undefined && type.kind === 'string') {
    const upper = truncateStringUpper(value as string, limit);
    return upper === undefined ? undefined : serializeSingleValue(type, upper);
  }
  if (limit !== undefined && type.kind === 'binary')
    return truncateBytesUpper(value as Uint8Array, limit)?.slice();
  return serializeSingleValue(type, asBoundValue(type, value));
}
