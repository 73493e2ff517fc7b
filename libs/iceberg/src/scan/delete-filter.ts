// Merge-on-read deletes for one data file. Deletion vectors (v3, a bitmap blob in a Puffin file)
// and position delete files (Parquet, listing (file_path, pos) pairs) name rows by position:
// the rows at those positions of that file are gone. Equality delete files list values of some
// columns (`equality_ids`): any older row with equal values in those columns is gone (null
// equals null here, as the spec says). Delete files are read once per scan and shared by every
// data file they apply to. Equality deletes on nested or dropped columns are refused with an
// 'unsupported' error rather than silently ignored, and so are delete files in a format floe
// cannot read (Avro or ORC position/equality deletes): never is a delete file opened as data.

import type { RecordBatch, Vector } from 'apache-arrow';
import { readArrowValue } from '../arrow/read-value.ts';
import { IcebergError } from '../errors.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { isDeletionVector, readDeletionVector } from '../puffin/deletion-vector.ts';
import { PositionBitmap } from '../puffin/position-bitmap.ts';
import type { NestedField, Schema } from '../spec/types.ts';
import { bytesToHex } from '../spec/values.ts';
import { POSITION_DELETE_SCHEMA } from './delete-index.ts';
import { type ReadContext, readFileAs } from './file-projection.ts';
import type { ScanPlan, ScanTask } from './plan.ts';

export interface DeleteFilter {
  /** Columns the data rows must carry for equality deletes. */
  readonly fieldIds: readonly number[];
  /** Clears `mask` bits of deleted rows; `position` is the batch's first row in the file. */
  apply(batch: RecordBatch, position: number, mask: Uint8Array): void;
}

const NO_DELETES: DeleteFilter = { fieldIds: [], apply: () => undefined };

/** What a delete filter needs of a scan: the table (for messages) and the schema read under. */
export type DeleteScope = Pick<ScanPlan, 'table' | 'schema'>;

export async function loadDeleteFilter(
  plan: DeleteScope,
  task: Pick<ScanTask, 'file' | 'deletes'>,
  context: ReadContext,
): Promise<DeleteFilter> {
  if (task.deletes.length === 0) return NO_DELETES;
  const positions = new PositionBitmap();
  let anyPositions = false;
  const equality: { fields: NestedField[]; keys: Set<string> }[] = [];
  for (const { file } of task.deletes) {
    if (isDeletionVector(file)) {
      const key = `dv:${file.filePath}@${file.contentOffset ?? ''}`;
      const vector = await cached(context, key, () => readDeletionVector(context.io, file, plan.table));
      positions.addAll(vector);
      anyPositions = true;
      continue;
    }
    requireParquet(plan, file);
    if (file.content === 'position-deletes') {
      const byFile = await cached(context, `pos:${file.filePath}`, () => readPositionDeletes(file, context));
      for (const pos of byFile.get(task.file.filePath) ?? []) positions.add(pos);
      anyPositions = true;
    } else {
      const fields = equalityFields(plan, file);
      const ids = fields.map((f) => f.id).join(',');
      const keys = await cached(context, `eq:${file.filePath}:${ids}`, () =>
        readEqualityKeys(file, fields, context),
      );
      equality.push({ fields, keys });
    }
  }
  return {
    fieldIds: equality.flatMap(({ fields }) => fields.map((f) => f.id)),
    apply(batch, position, mask) {
      if (anyPositions) {
        for (let row = 0; row < batch.numRows; row++) if (positions.has(position + row)) mask[row] = 0;
      }
      for (const { fields, keys } of equality) {
        const vectors = fields.map((field) => batch.getChild(field.name)!);
        for (let row = 0; row < batch.numRows; row++) {
          if (mask[row] === 1 && keys.has(rowKey(vectors, fields, row))) mask[row] = 0;
        }
      }
    },
  };
}

function requireParquet(plan: DeleteScope, file: DataFile): void {
  if (file.fileFormat === 'parquet') return;
  throw new IcebergError(
    'unsupported',
    `${file.content} file ${file.filePath} of ${plan.table} is stored as ${file.fileFormat.toUpperCase()}; floe reads delete files in Parquet and deletion vectors in Puffin only`,
    { context: { table: plan.table, file: file.filePath, format: file.fileFormat } },
  );
}

function cached<T>(context: ReadContext, key: string, load: () => Promise<T>): Promise<T> {
  let entry = context.deleteCache.get(key) as Promise<T> | undefined;
  if (entry === undefined) {
    entry = load();
    context.deleteCache.set(key, entry);
  }
  return entry;
}

async function readPositionDeletes(file: DataFile, context: ReadContext): Promise<Map<string, number[]>> {
  const byFile = new Map<string, number[]>();
  for await (const batch of readFileAs(
    context.io,
    file.filePath,
    file.fileSizeInBytes,
    POSITION_DELETE_SCHEMA,
    context.counter,
  )) {
    const paths = batch.getChild('file_path')!;
    const pos = batch.getChild('pos')!;
    for (let row = 0; row < batch.numRows; row++) {
      const path = paths.get(row) as string;
      let list = byFile.get(path);
      if (list === undefined) {
        list = [];
        byFile.set(path, list);
      }
      list.push(Number(pos.get(row) as bigint));
    }
  }
  return byFile;
}

function equalityFields(plan: DeleteScope, file: DataFile): NestedField[] {
  const ids = file.equalityIds ?? [];
  const fields = ids.map((id) => plan.schema.fields.find((field) => field.id === id));
  if (ids.length === 0 || fields.some((field) => field === undefined || field.type.kind === 'struct')) {
    throw new IcebergError(
      'unsupported',
      `equality delete file ${file.filePath} of ${plan.table} compares field ids [${ids.join(', ')}], which are not ` +
        'all top-level primitive columns of the scanned schema; such deletes cannot be applied yet',
      { context: { table: plan.table, file: file.filePath } },
    );
  }
  return fields as NestedField[];
}

async function readEqualityKeys(
  file: DataFile,
  fields: NestedField[],
  context: ReadContext,
): Promise<Set<string>> {
  const schema: Schema = { schemaId: 0, identifierFieldIds: [], fields };
  const keys = new Set<string>();
  for await (const batch of readFileAs(
    context.io,
    file.filePath,
    file.fileSizeInBytes,
    schema,
    context.counter,
  )) {
    const vectors = fields.map((field) => batch.getChild(field.name)!);
    for (let row = 0; row < batch.numRows; row++) keys.add(rowKey(vectors, fields, row));
  }
  return keys;
}

/** A row's values in `fields` as one comparable string (null equals null, NaN equals NaN). */
export function rowKey(vectors: readonly Vector[], fields: readonly NestedField[], row: number): string {
  return fields
    .map((field, i) => {
      const value = readArrowValue(vectors[i]!, row, field.type, field.name);
      if (value === null) return 'null';
      if (typeof value === 'bigint') return `${value}n`;
      if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
      if (value instanceof Uint8Array) return `x${bytesToHex(value)}`;
      return JSON.stringify(value);
    })
    .join('\u0000');
}
