// Overwrite by filter with copy-on-write: replace the rows a filter matches with new data files.
// Every live data file of the base snapshot is classified against the filter (partition values
// and column metrics, no I/O): files the filter matches entirely are dropped whole, files it
// matches not at all are kept, and files it matches in part are read back, the rows it does NOT
// match are written as new data files in the same partition (same spec, same partition tuple),
// and the original is dropped. The result is a `SnapshotChange` (operation `overwrite`) adding
// the caller's new files plus the rewritten ones.
//
// Merge-on-read deletes (position deletes, deletion vectors, equality deletes) are honoured: a
// rewrite leaves out the rows they delete, since the rewritten file is newer than they are and
// they would no longer apply to it; the originals' delete files then apply to nothing and the
// snapshot removes them with the originals (obsolete-deletes.ts).
//
// The rewrite is async work done against ONE base snapshot, while a change's `deleteSelector` is
// synchronous and re-evaluated on every commit attempt's parent. A rewrite is only correct on
// the snapshot it read: a concurrent append may add a partly-matching file we never rewrote, and
// a concurrent delete may remove an original we rewrote (our copy would resurrect its rows). So
// the change pins itself to its base with an extra `assert-ref-snapshot-id`, and
// `commitOverwriteByFilter` hands the commit driver an action whose every attempt runs the
// preparation again on that attempt's base. Rewrites of originals that are still live are reused
// across preparations (never re-encoded); rewritten files the landed snapshot does not reference
// are deleted by the driver's clean-up (never while an outcome is unknown).

import { IcebergError } from '../errors.ts';
import { evaluateBatch } from '../expressions/arrow-evaluator.ts';
import { bind } from '../expressions/bind.ts';
import type { BoundExpression } from '../expressions/bound.ts';
import type { Expression } from '../expressions/expression.ts';
import { type FileClassifier, fileClassifier } from '../expressions/file-classifier.ts';
import { parseExpressionJson } from '../expressions/rest-json.ts';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { MAIN_BRANCH } from '../metadata/wire.ts';
import { readDataFile } from '../read/read-data-file.ts';
import { loadDeleteFilter } from '../scan/delete-filter.ts';
import { type DeleteFileEntry, deletesFor } from '../scan/delete-index.ts';
import { newReadContext } from '../scan/file-projection.ts';
import { bindPartitionSpec, partitionPath } from '../spec/partition.ts';
import type { Snapshot, TableMetadata } from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';
import type { JsonValue } from '../util/json.ts';
import { RollingDataFileWriter } from '../write/data-file-writer.ts';
import type { CatalogCommitter, CommittedTable } from './catalog-committer.ts';
import type { CommitLogger, CommitOutcome } from './commit.ts';
import { forwardedDriveOptions } from './commit-driver.ts';
import { commitSnapshotAction, SnapshotCommitAction } from './snapshot-action.ts';
import { currentSchema, type SnapshotChange, specById } from './snapshot-producer.ts';
import type { AddedDataFile } from './table-actions.ts';
import type { TableIdentifier } from './table-identifier.ts';

/** REST expression JSON (parsed), an unbound expression, or one already bound to the table schema. */
export type OverwriteFilter = Expression | BoundExpression | JsonValue;

export interface OverwriteByFilterOptions {
  readonly io: FileIO;
  /** Rows to replace. REST JSON such as `{"type":"lt","term":"id","value":100}` is accepted. */
  readonly filter: OverwriteFilter;
  /** The data replacing them (already written); may be empty for a pure delete. */
  readonly newFiles?: readonly AddedDataFile[];
  readonly caseSensitive?: boolean;
  readonly summaryProperties?: Readonly<Record<string, string>>;
  /** Named in errors, e.g. `db.events` (default: the table location). */
  readonly tableName?: string;
}

/** One partly matched file and what replaced it. */
export interface RewrittenFile {
  readonly original: DataFile;
  readonly specId: number;
  /** New data files holding the rows the filter did not match (none when it matched them all). */
  readonly replacements: readonly DataFile[];
  readonly keptRows: bigint;
  readonly deletedRows: bigint;
}

export interface PreparedOverwrite {
  readonly change: SnapshotChange;
  /** The snapshot the change was computed on (and is pinned to); undefined for an empty table. */
  readonly baseSnapshotId: bigint | undefined;
  /** Files the filter matched entirely, dropped without reading. */
  readonly droppedFiles: readonly AddedDataFile[];
  /** Files the filter matched in part, rewritten; a file in which no row matched is kept and not listed. */
  readonly rewrittenFiles: readonly RewrittenFile[];
  /** Rows removed from the table by this change (not counting the new files' rows). */
  readonly deletedRows: bigint;
}

/** Rewrites by original file path, reused when a preparation is re-run after a conflict. */
export type RewriteCache = Map<string, RewrittenFile>;

/** `prepareOverwriteByFilter` on the given base: the brief's entry point. */
export function overwriteByFilter(
  options: OverwriteByFilterOptions & { readonly base: TableMetadata; readonly cache?: RewriteCache },
): Promise<PreparedOverwrite> {
  return prepareOverwriteByFilter(options.base, options, options.cache);
}

/** Classifies and rewrites against `base`; the returned change commits only on top of `base`. */
export async function prepareOverwriteByFilter(
  base: TableMetadata,
  options: OverwriteByFilterOptions,
  cache: RewriteCache = new Map(),
): Promise<PreparedOverwrite> {
  const schema = currentSchema(base);
  const tableName = options.tableName ?? base.location;
  const filter = bindFilter(options.filter, schema, options.caseSensitive ?? true);
  const parent = currentSnapshot(base);
  const classifiers = new Map<number, FileClassifier>();
  const classify = (file: DataFile, specId: number) => {
    let classifier = classifiers.get(specId);
    if (classifier === undefined) {
      classifier = fileClassifier(filter, bindPartitionSpec(specById(base, specId), schema));
      classifiers.set(specId, classifier);
    }
    return classifier(file);
  };

  const dropped: AddedDataFile[] = [];
  const rewritten: RewrittenFile[] = [];
  for (const live of await liveDataFiles(options.io, base)) {
    const match = classify(live.file, live.specId);
    if (match === 'all-rows') dropped.push(live);
    else if (match === 'some-rows') {
      const key = rewriteKey(live);
      const rewrite =
        cache.get(key) ?? (await rewriteFile(options.io, base, schema, filter, live, tableName));
      cache.set(key, rewrite);
      if (rewrite.deletedRows > 0n) rewritten.push(rewrite);
    }
  }

  const doomed = new Set(
    [...dropped, ...rewritten.map((r) => ({ file: r.original }))].map((d) => d.file.filePath),
  );
  const change: SnapshotChange = {
    operation: 'overwrite',
    addedFiles: [
      ...(options.newFiles ?? []),
      ...rewritten.flatMap((r) => r.replacements.map((file) => ({ file, specId: r.specId }))),
    ],
    deleteSelector: (file) => doomed.has(file.filePath),
    ...(options.summaryProperties === undefined ? {} : { summaryProperties: options.summaryProperties }),
    extraRequirements: [
      { type: 'assert-ref-snapshot-id', ref: MAIN_BRANCH, snapshotId: parent?.snapshotId ?? null },
    ],
  };
  return {
    change,
    baseSnapshotId: parent?.snapshotId,
    droppedFiles: dropped,
    rewrittenFiles: rewritten,
    deletedRows:
      dropped.reduce((sum, d) => sum + d.file.recordCount, 0n) +
      rewritten.reduce((sum, r) => sum + r.deletedRows, 0n),
  };
}

/** Binds REST JSON or an unbound expression to `schema`; a bound expression is taken as is. */
export function bindFilter(filter: OverwriteFilter, schema: Schema, caseSensitive: boolean): BoundExpression {
  if (isExpression(filter)) {
    return isBound(filter)
      ? (filter as BoundExpression)
      : bind(schema, filter as Expression, { caseSensitive });
  }
  return bind(schema, parseExpressionJson(filter), { caseSensitive });
}

function isExpression(value: unknown): value is Expression | BoundExpression {
  return (
    typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'
  );
}

function isBound(expression: Expression | BoundExpression): boolean {
  switch (expression.kind) {
    case 'and':
    case 'or':
      return isBound(expression.left) || isBound(expression.right);
    case 'not':
      return isBound(expression.child);
    case 'predicate':
      return typeof (expression.term as { fieldId?: unknown }).fieldId === 'number';
    default:
      return false;
  }
}

/** A live data file of the current snapshot, with the delete files that apply to it. */
export interface LiveDataFile extends AddedDataFile {
  readonly deletes: readonly DeleteFileEntry[];
}

/** Live data files of the current snapshot with their spec ids and applicable delete files. */
export async function liveDataFiles(io: FileIO, base: TableMetadata): Promise<LiveDataFile[]> {
  const snapshot = currentSnapshot(base);
  if (snapshot === undefined) return [];
  const list = readManifestList(await io.read(snapshot.manifestList));
  const data: { file: DataFile; specId: number; sequenceNumber: bigint }[] = [];
  const deletes: DeleteFileEntry[] = [];
  for (const manifest of list.manifests) {
    if (manifest.addedFilesCount + manifest.existingFilesCount === 0) continue;
    const contents = readManifest(await io.read(manifest.manifestPath), manifest);
    for (const entry of contents.entries) {
      if (entry.status === 'deleted') continue;
      const item = {
        file: entry.file,
        specId: manifest.partitionSpecId,
        sequenceNumber: entry.sequenceNumber ?? 0n,
      };
      if (manifest.content === 'data') data.push(item);
      else deletes.push(item);
    }
  }
  const unpartitioned = (specId: number) =>
    (base.partitionSpecs.find((s) => s.specId === specId)?.fields.length ?? 0) === 0;
  return data.map(({ file, specId, sequenceNumber }) => ({
    file,
    specId,
    deletes: deletesFor(file, specId, sequenceNumber, deletes, unpartitioned),
  }));
}

/** The cache key of a rewrite: the file and the deletes it honoured (new deletes → new rewrite). */
function rewriteKey(live: LiveDataFile): string {
  return [
    live.file.filePath,
    ...live.deletes.map((d) => `${d.file.filePath}@${d.file.contentOffset ?? ''}`).sort(),
  ].join('|');
}

/** Copy-on-write of one partly matched file: keep the rows `filter` does not match. */
async function rewriteFile(
  io: FileIO,
  base: TableMetadata,
  schema: Schema,
  filter: BoundExpression,
  live: LiveDataFile,
  tableName: string,
): Promise<RewrittenFile> {
  const { file, specId } = live;
  const deletes = await loadDeleteFilter({ table: tableName, schema }, live, newReadContext(io));
  let alreadyDeleted = 0n;
  let position = 0;
  const spec = specById(base, specId);
  const partition =
    spec.fields.length === 0
      ? undefined
      : { tuple: file.partition, path: partitionPath(bindPartitionSpec(spec, schema), file.partition) };
  let writer: RollingDataFileWriter | undefined;
  let kept = 0n;
  let deleted = 0n;
  try {
    for await (const batch of readDataFile(io, file.filePath, schema)) {
      const mask = evaluateBatch(filter, batch);
      // Rows earlier deletes removed are left out too (1 = drop), but not counted as ours.
      const alive = new Uint8Array(batch.numRows).fill(1);
      deletes.apply(batch, position, alive);
      position += batch.numRows;
      let goneHere = 0n;
      for (let row = 0; row < batch.numRows; row++) {
        if (alive[row] === 0) {
          goneHere++;
          mask[row] = 1;
        }
      }
      const runs = keptRuns(mask);
      const keptHere = runs.reduce((sum, [start, end]) => sum + BigInt(end - start), 0n);
      kept += keptHere;
      alreadyDeleted += goneHere;
      deleted += BigInt(batch.numRows) - keptHere - goneHere;
      if (runs.length === 0) continue;
      writer ??= new RollingDataFileWriter({
        io,
        tableLocation: base.location,
        schema,
        arrowSchema: batch.schema,
        properties: base.properties,
        ...(partition === undefined ? {} : { partition }),
      });
      await writer.writeBatches(runs.map(([start, end]) => batch.slice(start, end)));
    }
    if (kept + deleted + alreadyDeleted !== file.recordCount) {
      throw new IcebergError(
        'invalid-value',
        `data file ${file.filePath} holds ${kept + deleted + alreadyDeleted} rows but its manifest entry says ${file.recordCount}`,
        { context: { file: file.filePath } },
      );
    }
    if (deleted === 0n) {
      // The metrics could not rule the file out, but no row matched: keep the original as is.
      await writer?.abort();
      return { original: file, specId, replacements: [], keptRows: kept, deletedRows: 0n };
    }
    const replacements = writer === undefined ? [] : await writer.close();
    return { original: file, specId, replacements, keptRows: kept, deletedRows: deleted };
  } catch (error) {
    await writer?.abort().catch(() => undefined);
    throw error;
  }
}

/** Half-open [start, end) runs of rows whose mask byte is 0 (rows to keep). */
function keptRuns(mask: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= mask.length; i++) {
    const keep = i < mask.length && mask[i] === 0;
    if (keep && start < 0) start = i;
    else if (!keep && start >= 0) {
      runs.push([start, i]);
      start = -1;
    }
  }
  return runs;
}

export interface CommitOverwriteByFilterOptions extends OverwriteByFilterOptions {
  readonly committer: CatalogCommitter;
  readonly identifier: TableIdentifier;
  /** The table as last loaded; reloaded (and the overwrite re-prepared) for each attempt. */
  readonly base: CommittedTable;
  readonly alreadyCommitted?: (base: CommittedTable) => Snapshot | undefined;
  readonly maxUnknownOutcomes?: number;
  readonly logger?: CommitLogger;
  /** For tests: replaces the backoff sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface OverwriteOutcome extends CommitOutcome {
  /** The preparation the landed snapshot was built from (undefined when the marker showed another commit). */
  readonly prepared: PreparedOverwrite | undefined;
  /** How many times the overwrite was prepared (once per commit attempt). */
  readonly preparations: number;
}

/**
 * Prepares and commits an overwrite by filter through the commit driver: each attempt is
 * prepared on (and pinned to) that attempt's base, reusing rewrites of files still live, within
 * the table's `commit.retry.*` budget.
 */
export async function commitOverwriteByFilter(
  options: CommitOverwriteByFilterOptions,
): Promise<OverwriteOutcome> {
  const cache: RewriteCache = new Map();
  const preparations = new Map<SnapshotChange, PreparedOverwrite>();
  const action = new SnapshotCommitAction(
    options.io,
    async (base) => {
      const prepared = await prepareOverwriteByFilter(base.metadata, options, cache);
      preparations.set(prepared.change, prepared);
      return prepared.change;
    },
    {
      description: 'overwrite by filter',
      extraWrittenFiles: () => [...cache.values()].flatMap((r) => r.replacements.map((f) => f.filePath)),
    },
  );
  const outcome = await commitSnapshotAction(action, forwardedDriveOptions(options));
  const landed = outcome.status === 'committed' ? action.attemptOf(outcome.snapshot) : undefined;
  return {
    ...outcome,
    prepared: landed === undefined ? undefined : preparations.get(landed.change),
    preparations: preparations.size,
  };
}
