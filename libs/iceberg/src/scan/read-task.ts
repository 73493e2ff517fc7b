// Reads one planned file: fetches only the columns the scan returns plus those its residual
// filter and equality deletes compare (file-projection.ts reshapes them into the scan's schema),
// drops the rows that fail the residual or are deleted, and cuts the batch down to the selected
// columns.

import type { RecordBatch } from 'apache-arrow';
import { evaluateBatch } from '../expressions/arrow-evaluator.ts';
import { collectTerms } from '../expressions/evaluator.ts';
import { selectFields } from '../spec/schema.ts';
import type { Schema } from '../spec/types.ts';
import { takeRows } from '../write/take-rows.ts';
import { type DeleteFilter, loadDeleteFilter } from './delete-filter.ts';
import { projectBatch, type ReadContext, readFileAs } from './file-projection.ts';
import type { ScanPlan, ScanTask } from './plan.ts';

/** The task's rows that pass its residual and deletes, in `plan.projectedSchema`. */
export async function* readTask(
  plan: ScanPlan,
  task: ScanTask,
  context: ReadContext,
): AsyncGenerator<RecordBatch> {
  const deletes = await loadDeleteFilter(plan, task, context);
  const outputIds = new Set(plan.projectedSchema.fields.map((field) => field.id));
  const neededIds = new Set([...outputIds, ...filterColumnIds(plan.schema, task), ...deletes.fieldIds]);
  const readSchema = selectFields(plan.schema, neededIds);
  let position = 0;
  const { file } = task;
  for await (const batch of readFileAs(
    context.io,
    file.filePath,
    file.fileSizeInBytes,
    readSchema,
    context.counter,
  )) {
    const kept = keptRows(batch, task, deletes, position);
    position += batch.numRows;
    if (kept.length === 0) continue;
    const filtered = kept.length === batch.numRows ? batch : takeRows(batch, kept);
    yield outputIds.size === neededIds.size ? filtered : projectBatch(filtered, plan.projectedSchema);
  }
}

function keptRows(batch: RecordBatch, task: ScanTask, deletes: DeleteFilter, position: number): Int32Array {
  const mask = evaluateBatch(task.residual, batch);
  deletes.apply(batch, position, mask);
  let count = 0;
  for (const bit of mask) count += bit;
  const kept = new Int32Array(count);
  let next = 0;
  mask.forEach((bit, i) => {
    if (bit === 1) kept[next++] = i;
  });
  return kept;
}

/** Top-level field ids whose columns the task's residual reads. */
function filterColumnIds(schema: Schema, task: ScanTask): number[] {
  const ids: number[] = [];
  collectTerms(task.residual, ({ term }) => {
    const top = schema.fields.find((field) => field.name === term.segments[0]);
    if (top !== undefined) ids.push(top.id);
  });
  return ids;
}
