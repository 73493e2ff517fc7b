// Scan planning: from table metadata and a scan request (snapshot selector, row filter, columns)
// to the list of data files that can hold matching rows, each with the residual filter its rows
// still have to pass and the delete files that apply to it. Pruning happens twice before any data
// file is opened: whole manifests are skipped when their partition summaries cannot match the
// filter's inclusive projection, then single files when their partition tuple or column metrics
// rule the filter out (`fileClassifier`). The counts of what was skipped come back with the plan,
// so callers and tests can see pushdown working. Filters follow SQL null semantics, like
// PyIceberg's scans (sql-nulls.ts): `label != 'x'` does not return rows whose label is null.

import { IcebergError } from '../errors.ts';
import { bind, closeMatches } from '../expressions/bind.ts';
import type { BoundExpression } from '../expressions/bound.ts';
import type { Expression } from '../expressions/expression.ts';
import { type FileClassifier, fileClassifier } from '../expressions/file-classifier.ts';
import { type ManifestEvaluator, manifestEvaluator } from '../expressions/manifest-evaluator.ts';
import { parseFilter } from '../expressions/text-syntax.ts';
import { type FileIO, forEachBounded } from '../io/file-io.ts';
import type { DataFile, ManifestEntry } from '../manifest/data-file.ts';
import type { ManifestFile } from '../manifest/manifest-file.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { type BoundPartitionSpec, bindPartitionSpec } from '../spec/partition.ts';
import type { Snapshot, TableMetadata } from '../spec/partition-types.ts';
import { findFieldByName, selectFields } from '../spec/schema.ts';
import type { Schema } from '../spec/types.ts';
import { type DeleteFileEntry, deletesFor } from './delete-index.ts';
import { type ResidualEvaluator, residualEvaluator } from './residual.ts';
import { type SnapshotSelector, selectSnapshot } from './select-snapshot.ts';
import { sqlTruth } from './sql-nulls.ts';

export interface ScanOptions extends SnapshotSelector {
  /**
   * Row filter: an expression, or the CLI text syntax (`region = 'eu' and id > 10`). Rows whose
   * filter is unknown because of a null (`x != 1` with x null) are not returned, as in SQL.
   */
  readonly filter?: Expression | string;
  /** Top-level column names to return, in any order (output follows schema order); default all. */
  readonly columns?: readonly string[];
  /** Match filter and column names exactly (default) or ignoring case. */
  readonly caseSensitive?: boolean;
  /** Named in errors, logs and spans, e.g. `db.events`. */
  readonly tableName?: string;
  /** Manifests read at once while planning (default 8). */
  readonly manifestConcurrency?: number;
}

export interface ScanTask {
  readonly file: DataFile;
  readonly specId: number;
  readonly dataSequenceNumber: bigint;
  /** What rows of this file must still satisfy (TRUE when the partition settles the filter). */
  readonly residual: BoundExpression;
  /** Position and equality delete files that apply to this file. */
  readonly deletes: readonly DeleteFileEntry[];
}

export interface ScanStats {
  readonly manifestsTotal: number;
  readonly manifestsSkipped: number;
  readonly filesTotal: number;
  readonly filesSkipped: number;
  readonly deleteFiles: number;
}

export interface ScanPlan {
  readonly table: string;
  readonly snapshot: Snapshot | undefined;
  /** The schema the scan reads under (the snapshot's for time travel, else the current one). */
  readonly schema: Schema;
  /** `schema` cut down to the selected columns: the shape of every batch the scan returns. */
  readonly projectedSchema: Schema;
  readonly filter: BoundExpression;
  readonly tasks: readonly ScanTask[];
  readonly stats: ScanStats;
}

const DEFAULT_MANIFEST_CONCURRENCY = 8;

export async function planScan(
  metadata: TableMetadata,
  io: FileIO,
  options: ScanOptions = {},
): Promise<ScanPlan> {
  const table = options.tableName ?? metadata.location;
  const { snapshot, schema } = selectSnapshot(metadata, options, table);
  const caseSensitive = options.caseSensitive ?? true;
  const filter = sqlTruth(bindFilter(schema, options.filter, caseSensitive, table));
  const projectedSchema = projectColumns(schema, options.columns, caseSensitive, table);
  const empty = { manifestsTotal: 0, manifestsSkipped: 0, filesTotal: 0, filesSkipped: 0, deleteFiles: 0 };
  const base = { table, snapshot, schema, projectedSchema, filter };
  if (snapshot === undefined || filter.kind === 'false') return { ...base, tasks: [], stats: empty };

  const specs = new SpecCache(metadata, schema, filter);
  const { manifests } = readManifestList(await io.read(snapshot.manifestList));
  const kept = manifests.filter((manifest) => specs.manifestMightMatch(manifest));
  const dataEntries: { entry: ManifestEntry; specId: number }[] = [];
  const deleteEntries: DeleteFileEntry[] = [];
  let filesTotal = 0;
  let filesSkipped = 0;
  await forEachBounded(
    kept,
    options.manifestConcurrency ?? DEFAULT_MANIFEST_CONCURRENCY,
    async (manifest) => {
      const contents = readManifest(await io.read(manifest.manifestPath), manifest);
      const specId = contents.partitionSpecId ?? manifest.partitionSpecId;
      for (const entry of contents.entries) {
        if (entry.status === 'deleted') continue;
        if (entry.file.content !== 'data') {
          deleteEntries.push({ file: entry.file, specId, sequenceNumber: entry.sequenceNumber ?? 0n });
          continue;
        }
        filesTotal++;
        if (specs.classifier(specId)(entry.file) === 'no-rows') filesSkipped++;
        else dataEntries.push({ entry, specId });
      }
    },
  );
  // Manifests are read concurrently; sort so a plan (and the scan's row order) is repeatable.
  dataEntries.sort((a, b) => (a.entry.file.filePath < b.entry.file.filePath ? -1 : 1));
  const tasks = dataEntries.map(({ entry, specId }): ScanTask => {
    const dataSequenceNumber = entry.sequenceNumber ?? 0n;
    return {
      file: entry.file,
      specId,
      dataSequenceNumber,
      residual: specs.residual(specId)(entry.file.partition),
      deletes: deletesFor(entry.file, specId, dataSequenceNumber, deleteEntries, specs.isUnpartitioned),
    };
  });
  const stats = {
    manifestsTotal: manifests.length,
    manifestsSkipped: manifests.length - kept.length,
    filesTotal,
    filesSkipped,
    deleteFiles: deleteEntries.length,
  };
  return { ...base, tasks, stats };
}

function bindFilter(
  schema: Schema,
  filter: Expression | string | undefined,
  caseSensitive: boolean,
  table: string,
): BoundExpression {
  if (filter === undefined) return { kind: 'true' };
  const expression = typeof filter === 'string' ? parseFilter(filter) : filter;
  try {
    return bind(schema, expression, { caseSensitive });
  } catch (error) {
    if (error instanceof IcebergError) {
      throw new IcebergError(error.kind, `filter on ${table}: ${error.message}`, {
        retryable: false,
        context: { ...error.context, table },
        cause: error,
      });
    }
    throw error;
  }
}

function projectColumns(
  schema: Schema,
  columns: readonly string[] | undefined,
  caseSensitive: boolean,
  table: string,
): Schema {
  if (columns === undefined) return schema;
  const topLevel = schema.fields.map((field) => field.name);
  const ids = columns.map((name) => {
    const found = findFieldByName(schema, name, caseSensitive);
    if (found === undefined) {
      const close = closeMatches(name, topLevel);
      const hint = close.length > 0 ? `did you mean ${close.map((c) => `'${c}'`).join(', ')}? ` : '';
      throw new IcebergError(
        'invalid-argument',
        `cannot select unknown column '${name}' from ${table}; ${hint}its columns are ${topLevel.join(', ')}`,
        { context: { table, column: name } },
      );
    }
    if (!schema.fields.some((field) => field.id === found.field.id)) {
      throw new IcebergError(
        'unsupported',
        `cannot select nested field '${name}' of ${table} on its own; select its top-level column '${name.split('.')[0]}'`,
        { context: { table, column: name } },
      );
    }
    return found.field.id;
  });
  return selectFields(schema, ids);
}

/** Per partition spec: the bound spec, manifest evaluator, file classifier and residuals. */
class SpecCache {
  readonly #metadata: TableMetadata;
  readonly #schema: Schema;
  readonly #filter: BoundExpression;
  readonly #bound = new Map<number, BoundPartitionSpec | undefined>();
  readonly #manifests = new Map<number, ManifestEvaluator>();
  readonly #classifiers = new Map<number, FileClassifier>();
  readonly #residuals = new Map<number, ResidualEvaluator>();

  constructor(metadata: TableMetadata, schema: Schema, filter: BoundExpression) {
    this.#metadata = metadata;
    this.#schema = schema;
    this.#filter = filter;
  }

  manifestMightMatch(manifest: ManifestFile): boolean {
    const specId = manifest.partitionSpecId;
    let evaluator = this.#manifests.get(specId);
    if (evaluator === undefined) {
      const bound = this.bound(specId);
      evaluator = bound === undefined ? () => true : manifestEvaluator(this.#filter, bound);
      this.#manifests.set(specId, evaluator);
    }
    // Delete manifests are kept: their files are matched to data files by partition later.
    return manifest.content === 'deletes' || evaluator(manifest);
  }

  classifier(specId: number): FileClassifier {
    let classifier = this.#classifiers.get(specId);
    if (classifier === undefined) {
      const bound = this.bound(specId);
      classifier =
        bound === undefined
          ? (file) => (file.recordCount <= 0n ? 'no-rows' : 'some-rows')
          : fileClassifier(this.#filter, bound);
      this.#classifiers.set(specId, classifier);
    }
    return classifier;
  }

  residual(specId: number): ResidualEvaluator {
    let residual = this.#residuals.get(specId);
    if (residual === undefined) {
      residual = residualEvaluator(this.#filter, this.bound(specId));
      this.#residuals.set(specId, residual);
    }
    return residual;
  }

  readonly isUnpartitioned = (specId: number): boolean => {
    const spec = this.#metadata.partitionSpecs.find((s) => s.specId === specId);
    return spec === undefined || spec.fields.length === 0;
  };

  /**
   * The spec bound to the read schema. A spec whose source column is not in that schema (an
   * old snapshot read under its own schema, a dropped source column) prunes nothing: every
   * file of it is read and filtered row by row, which is slower but never wrong.
   */
  bound(specId: number): BoundPartitionSpec | undefined {
    if (this.#bound.has(specId)) return this.#bound.get(specId);
    const spec = this.#metadata.partitionSpecs.find((s) => s.specId === specId);
    let bound: BoundPartitionSpec | undefined;
    try {
      bound = spec === undefined ? undefined : bindPartitionSpec(spec, this.#schema);
    } catch {
      bound = undefined;
    }
    this.#bound.set(specId, bound);
    return bound;
  }
}
