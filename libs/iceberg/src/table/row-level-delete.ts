// Finds the rows a merge-on-read delete removes, by position in their data files. Candidate
// files come from scan planning with the delete's filter (manifests pruned by partition
// summaries, files by partition tuple and column statistics), so a delete never opens a file the
// statistics rule out. Each candidate is read with only the columns the filter (and an optional
// exact row test, e.g. upsert's key set) compares; a row is deleted when it matches and is still
// live — rows already removed by earlier deletes are not deleted twice. For format v3, each
// target also gets its merged deletion vector: the positions already deleted by position-based
// deletes of that file plus the new ones, since a table holds at most one DV per data file.

import type { RecordBatch } from 'apache-arrow';
import { evaluateBatch } from '../expressions/arrow-evaluator.ts';
import { collectTerms } from '../expressions/evaluator.ts';
import type { Expression } from '../expressions/expression.ts';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { isDeletionVector } from '../puffin/deletion-vector.ts';
import { PositionBitmap } from '../puffin/position-bitmap.ts';
import { loadDeleteFilter } from '../scan/delete-filter.ts';
import { referencedDataFile } from '../scan/delete-index.ts';
import { newReadContext, readFileAs } from '../scan/file-projection.ts';
import { planScan, type ScanPlan, type ScanTask } from '../scan/plan.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { selectFields } from '../spec/schema.ts';

/** Which rows to delete: those matching `filter` (and `refine`, when given). */
export interface RowMatcher {
  /** Prunes candidate files and is evaluated on each row (SQL null semantics). */
  readonly filter: Expression | string;
  /** An exact per-row test on top of the filter: clears `mask` bits of rows to keep. */
  readonly refine?: (batch: RecordBatch, mask: Uint8Array) => void;
  /** Top-level column names `refine` reads. */
  readonly refineColumns?: readonly string[];
  readonly caseSensitive?: boolean;
}

export interface DeleteTarget {
  readonly file: DataFile;
  readonly specId: number;
  /** Positions this delete removes. */
  readonly positions: PositionBitmap;
  /** Every deleted position of the file after this delete (v3: the DV to write). */
  readonly merged: PositionBitmap;
  /** Position-based delete files of this file the merged DV replaces (v3). */
  readonly replacedDeletes: readonly DataFile[];
}

export interface PlannedRowDeletes {
  /** The snapshot the positions were computed on. */
  readonly baseSnapshotId: bigint | undefined;
  readonly targets: readonly DeleteTarget[];
  readonly deletedRows: bigint;
  readonly filesScanned: number;
  readonly filesSkipped: number;
}

export async function planRowDeletes(
  metadata: TableMetadata,
  io: FileIO,
  matcher: RowMatcher,
  tableName: string,
): Promise<PlannedRowDeletes> {
  const plan = await planScan(metadata, io, {
    filter: matcher.filter,
    tableName,
    caseSensitive: matcher.caseSensitive ?? true,
  });
  const context = newReadContext(io);
  const targets: DeleteTarget[] = [];
  let deletedRows = 0n;
  for (const task of plan.tasks) {
    const target = await deletesInFile(plan, task, matcher, context);
    if (target === undefined) continue;
    targets.push(target);
    deletedRows += BigInt(target.positions.cardinality);
  }
  return {
    baseSnapshotId: currentSnapshot(metadata)?.snapshotId,
    targets,
    deletedRows,
    filesScanned: plan.tasks.length,
    filesSkipped: plan.stats.filesSkipped,
  };
}

async function deletesInFile(
  plan: ScanPlan,
  task: ScanTask,
  matcher: RowMatcher,
  context: ReturnType<typeof newReadContext>,
): Promise<DeleteTarget | undefined> {
  const deletes = await loadDeleteFilter(plan, task, context);
  const ids = new Set<number>(deletes.fieldIds);
  collectTerms(task.residual, ({ term }) => {
    const top = plan.schema.fields.find((field) => field.name === term.segments[0]);
    if (top !== undefined) ids.add(top.id);
  });
  for (const name of matcher.refineColumns ?? []) {
    const field = plan.schema.fields.find((f) => f.name === name);
    if (field !== undefined) ids.add(field.id);
  }
  const positions = new PositionBitmap();
  const merged = new PositionBitmap();
  let position = 0;
  let found = 0;
  for await (const batch of readFileAs(
    context.io,
    task.file.filePath,
    task.file.fileSizeInBytes,
    selectFields(plan.schema, ids),
    context.counter,
  )) {
    const live = new Uint8Array(batch.numRows).fill(1);
    deletes.apply(batch, position, live);
    const mask = evaluateBatch(task.residual, batch);
    matcher.refine?.(batch, mask);
    for (let row = 0; row < batch.numRows; row++) {
      if (live[row] === 0) merged.add(position + row);
      else if (mask[row] === 1) {
        positions.add(position + row);
        merged.add(position + row);
        found++;
      }
    }
    position += batch.numRows;
  }
  if (found === 0) return undefined;
  const replacedDeletes = task.deletes
    .map((entry) => entry.file)
    .filter(
      (file) =>
        isDeletionVector(file) ||
        (file.content === 'position-deletes' && referencedDataFile(file) === task.file.filePath),
    );
  return { file: task.file, specId: task.specId, positions, merged, replacedDeletes };
}
