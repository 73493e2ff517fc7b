// Builds one new snapshot on top of the latest table metadata, and rebuilds it cheaply when a
// concurrent commit wins the race. Layers:
//   1. the data files this change adds are written into new manifests ONCE (per partition spec)
//      and reused on every attempt — data is never re-encoded and manifests never rewritten;
//   2. on each attempt, the parent's manifests are carried over; when the change deletes files
//      (overwrite, replace partitions) only the parent manifests holding deleted files are
//      rewritten, against that attempt's fresh parent; delete files (merge-on-read deletes, v3
//      deletion vectors) go into delete manifests, and delete files that no longer apply to
//      anything — their data file removed, or every data file gone — are removed with it
//      (obsolete-deletes.ts);
//   3. small manifests are merged per `commit.manifest-merge.*` (manifest-merge.ts);
//   4. a new manifest list is written for the attempt (on v3 tables it also assigns row ids,
//      row-lineage.ts), and the commit is expressed as `add-snapshot` + `set-snapshot-ref main`
//      guarded by `assert-ref-snapshot-id`.
// Manifests and lists are written in the table's format version (1, 2 or 3).
// The snapshot id is chosen once per commit (shared by every producer of one commit action, see
// snapshot-action.ts), so the same id is committed whatever the attempt: after an unknown commit
// outcome, finding that id in the table means our commit landed — with the manifest list the
// table records, which may be an earlier attempt's.
import { randomBytes, randomUUID } from 'node:crypto';
import { type FileIO, forEachBounded } from '../io/file-io.ts';
import type { DataFile, ManifestEntry } from '../manifest/data-file.ts';
import type { ManifestContent, ManifestFile } from '../manifest/manifest-file.ts';
import { readManifestList, writeManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { ManifestWriter } from '../manifest/manifest-writer.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import type { TableRequirement, TableUpdate } from '../metadata/updates.ts';
import { MAIN_BRANCH } from '../metadata/wire.ts';
import { partitionKey } from '../spec/partition.ts';
import type { PartitionSpec, Snapshot, SnapshotOperation, TableMetadata } from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';
import { ManifestMerger, manifestMergeSettings } from './manifest-merge.ts';
import { isObsoleteDeleteFile } from './obsolete-deletes.ts';
import { assignRowIds, tracksRowLineage } from './row-lineage.ts';
import { deleteFileDelta, type SnapshotDelta, snapshotSummary } from './snapshot-summary.ts';

/** Decides, for each live data file of the parent, whether this change removes it. */
export type DeleteSelector = (file: DataFile, specId: number) => boolean;

export interface SnapshotChange {
  readonly operation: SnapshotOperation;
  /**
   * Files to add, each written under partition spec `specId`. `dataSequenceNumber` pins the data
   * sequence number (compaction keeps the number of the snapshot it read, so deletes committed
   * meanwhile still apply to the rewritten rows); default: the committing snapshot's.
   */
  readonly addedFiles: readonly {
    readonly file: DataFile;
    readonly specId: number;
    readonly dataSequenceNumber?: bigint;
  }[];
  /** Files of the parent to remove; re-evaluated against every attempt's parent. */
  readonly deleteSelector?: DeleteSelector;
  /** Delete files (position deletes, deletion vectors) to add, each under spec `specId`. */
  readonly addedDeleteFiles?: readonly { readonly file: DataFile; readonly specId: number }[];
  /** Delete files of the parent to remove (e.g. a deletion vector merged into a new one). */
  readonly deleteFileSelector?: DeleteSelector;
  /** Extra summary properties (e.g. `floe.job-ids`). */
  readonly summaryProperties?: Readonly<Record<string, string>>;
  /** Updates committed in the same request before the snapshot (e.g. a schema change). */
  readonly extraUpdates?: readonly TableUpdate[];
  readonly extraRequirements?: readonly TableRequirement[];
}

export interface PreparedCommit {
  readonly snapshot: Snapshot;
  readonly updates: readonly TableUpdate[];
  readonly requirements: readonly TableRequirement[];
  readonly delta: SnapshotDelta;
}

/** A positive 63-bit id, as Java and PyIceberg generate them. */
export function newSnapshotId(): bigint {
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0] as number) & 0x7f;
  const id = bytes.readBigUInt64BE();
  return id === 0n ? 1n : id;
}

/** The identity one commit keeps over all its attempts (and preparations). */
export interface SnapshotIdentity {
  readonly snapshotId: bigint;
  /** Recorded as `floe.commit-id` in the summary. */
  readonly commitId: string;
}

export class SnapshotProducer {
  readonly snapshotId: bigint;
  private readonly commitId: string;
  private readonly io: FileIO;
  private readonly change: SnapshotChange;
  /** Names this producer's files (several producers may share one commit id). */
  private readonly fileUuid = randomUUID();
  private addedManifests: ManifestFile[] | undefined;
  private manifestCounter = 0;
  private merger: ManifestMerger | undefined;
  private readonly deleteVerdicts = new Map<string, DeleteVerdict>();
  /** Every metadata file this producer wrote; what clean-up may delete if nothing references it. */
  readonly writtenFiles: string[] = [];

  constructor(
    io: FileIO,
    change: SnapshotChange,
    identity: SnapshotIdentity = { snapshotId: newSnapshotId(), commitId: randomUUID() },
  ) {
    this.io = io;
    this.change = change;
    this.snapshotId = identity.snapshotId;
    this.commitId = identity.commitId;
  }

  private async writeManifest(
    base: TableMetadata,
    spec: PartitionSpec,
    schema: Schema,
    fill: (writer: ManifestWriter) => void,
    content: ManifestContent = 'data',
  ): Promise<ManifestFile> {
    const path = metadataFilePath(base, `${this.fileUuid}-m${this.manifestCounter++}.avro`);
    const writer = new ManifestWriter({
      path,
      spec,
      schema,
      snapshotId: this.snapshotId,
      formatVersion: base.formatVersion,
      content,
    });
    fill(writer);
    const { bytes, manifestFile } = writer.finish();
    await this.io.write(path, bytes);
    this.writtenFiles.push(path);
    return { ...manifestFile, manifestLength: BigInt(bytes.length) };
  }

  /** Manifests for the added files, written on the first attempt only. */
  private async manifestsForAddedFiles(base: TableMetadata): Promise<ManifestFile[]> {
    if (this.addedManifests !== undefined) return this.addedManifests;
    const schema = currentSchema(base);
    const manifests: ManifestFile[] = [];
    const groups = [
      { content: 'data' as const, files: this.change.addedFiles },
      { content: 'deletes' as const, files: this.change.addedDeleteFiles ?? [] },
    ];
    for (const { content, files: added } of groups) {
      const bySpec = new Map<number, SnapshotChange['addedFiles'][number][]>();
      for (const file of added) {
        const list = bySpec.get(file.specId) ?? [];
        list.push(file);
        bySpec.set(file.specId, list);
      }
      for (const [specId, files] of bySpec) {
        const fill = (w: ManifestWriter) => {
          for (const { file, dataSequenceNumber } of files) {
            w.add(file, dataSequenceNumber === undefined ? {} : { sequenceNumber: dataSequenceNumber });
          }
        };
        manifests.push(await this.writeManifest(base, specById(base, specId), schema, fill, content));
      }
    }
    this.addedManifests = manifests;
    return manifests;
  }

  /** Builds the snapshot for this attempt on top of `base` (the freshly loaded table). */
  async prepare(base: TableMetadata, attempt: number, nowMs = BigInt(Date.now())): Promise<PreparedCommit> {
    const parent = currentSnapshot(base);
    const sequenceNumber = base.lastSequenceNumber + 1n;
    // A schema change committed in the same request is the schema of this snapshot: readers
    // project a snapshot's rows through its schema-id, and its manifests carry that schema.
    const schemaBase = withExtraUpdates(base, this.change.extraUpdates);
    const added = await this.manifestsForAddedFiles(schemaBase);
    const carried = parent === undefined ? [] : await this.parentManifests(parent);
    const deletes = await this.applyDeletes(schemaBase, carried);
    const merged = await this.mergeManifests(schemaBase, [...added, ...deletes.manifests]);
    const lineage = tracksRowLineage(base) ? assignRowIds(merged, base.nextRowId ?? 0n) : undefined;
    const manifests = lineage?.manifests ?? merged;

    const listPath = metadataFilePath(base, `snap-${this.snapshotId}-${attempt}-${this.fileUuid}.avro`);
    const list = writeManifestList({
      snapshotId: this.snapshotId,
      parentSnapshotId: parent?.snapshotId,
      sequenceNumber,
      manifests,
      formatVersion: base.formatVersion,
    });
    await this.io.write(listPath, list.bytes);
    this.writtenFiles.push(listPath);

    const addedFiles = this.change.addedFiles.map((a) => a.file);
    const changed = new Set([
      ...this.change.addedFiles.map((a) => `${a.specId}/${partitionKey(a.file.partition)}`),
      ...deletes.removed.map((r) => `${r.specId}/${partitionKey(r.file.partition)}`),
      ...(this.change.addedDeleteFiles ?? []).map((a) => `${a.specId}/${partitionKey(a.file.partition)}`),
    ]);
    const removedData = deletes.removed.filter((r) => r.file.content === 'data').map((r) => r.file);
    const removedDeletes = deletes.removed.filter((r) => r.file.content !== 'data').map((r) => r.file);
    const recordsOf = (files: readonly DataFile[]) => files.reduce((sum, f) => sum + f.recordCount, 0n);
    const delta: SnapshotDelta = {
      ...deleteFileDelta(
        (this.change.addedDeleteFiles ?? []).map((a) => a.file),
        removedDeletes,
      ),
      addedDataFiles: addedFiles.length,
      addedRecords: addedFiles.reduce((sum, f) => sum + f.recordCount, 0n),
      addedFilesSize: addedFiles.reduce((sum, f) => sum + f.fileSizeInBytes, 0n),
      deletedDataFiles: removedData.length,
      deletedRecords: recordsOf(removedData),
      removedFilesSize: removedData.reduce((sum, f) => sum + f.fileSizeInBytes, 0n),
      changedPartitions: changed.size,
    };
    const snapshot: Snapshot = {
      snapshotId: this.snapshotId,
      ...(parent === undefined ? {} : { parentSnapshotId: parent.snapshotId }),
      sequenceNumber: base.formatVersion === 1 ? 0n : sequenceNumber,
      timestampMs: nowMs,
      manifestList: listPath,
      summary: snapshotSummary(this.change.operation, delta, parent, {
        ...this.change.summaryProperties,
        'floe.commit-id': this.commitId,
      }),
      schemaId: schemaBase.currentSchemaId,
      ...(lineage === undefined ? {} : { firstRowId: lineage.firstRowId, addedRows: lineage.addedRows }),
    };
    const updates: TableUpdate[] = [
      ...(this.change.extraUpdates ?? []),
      { action: 'add-snapshot', snapshot },
      {
        action: 'set-snapshot-ref',
        refName: MAIN_BRANCH,
        ref: { snapshotId: this.snapshotId, type: 'branch' },
      },
    ];
    const requirements: TableRequirement[] = [
      { type: 'assert-table-uuid', uuid: base.tableUuid },
      { type: 'assert-ref-snapshot-id', ref: MAIN_BRANCH, snapshotId: parent?.snapshotId ?? null },
      ...(this.change.extraRequirements ?? []),
    ];
    return { snapshot, updates, requirements, delta };
  }

  /** Merges small manifests per `commit.manifest-merge.*` (see manifest-merge.ts). */
  private mergeManifests(base: TableMetadata, manifests: readonly ManifestFile[]): Promise<ManifestFile[]> {
    this.merger ??= new ManifestMerger(this.io, this.snapshotId, manifestMergeSettings(base.properties));
    const schema = currentSchema(base);
    return this.merger.merge(manifests, (specId, content, fill) =>
      this.writeManifest(base, specById(base, specId), schema, fill, content),
    );
  }

  private async parentManifests(parent: Snapshot): Promise<ManifestFile[]> {
    const list = readManifestList(await this.io.read(parent.manifestList));
    return [...list.manifests];
  }

  /**
   * Rewrites the parent manifests that hold files this change deletes: data files (and, for
   * compaction, delete files) the delete selector picks, delete files the delete-file selector
   * picks, and delete files made obsolete by the data files removed (obsolete-deletes.ts).
   * Manifests are immutable and the data selector is fixed, so a data manifest's verdict is kept
   * for later attempts: a rebase reads only the data manifests that are new since the last one.
   * Delete manifests are judged on each attempt (obsolescence depends on the attempt's removals).
   */
  private async applyDeletes(
    base: TableMetadata,
    carried: readonly ManifestFile[],
  ): Promise<{ manifests: ManifestFile[]; removed: { file: DataFile; specId: number }[] }> {
    const selector = this.change.deleteSelector;
    const deleteFileSelector = this.change.deleteFileSelector;
    if (selector === undefined && deleteFileSelector === undefined) {
      return { manifests: [...carried], removed: [] };
    }
    const isData = (m: ManifestFile) => m.content === 'data';
    const results = new Array<DeleteVerdict>(carried.length);
    await forEachBounded(
      carried.map((manifest, index) => ({ manifest, index })).filter(({ manifest }) => isData(manifest)),
      MANIFEST_READ_CONCURRENCY,
      async ({ manifest, index }) => {
        if (selector === undefined) {
          results[index] = { manifest, removed: [] };
          return;
        }
        let verdict = this.deleteVerdicts.get(manifest.manifestPath);
        if (verdict === undefined) {
          verdict = await this.deleteFrom(base, manifest, (e) => selector(e.file, manifest.partitionSpecId));
          this.deleteVerdicts.set(manifest.manifestPath, verdict);
        }
        results[index] = verdict;
      },
    );
    const removedData = results.filter((r) => r !== undefined).flatMap((r) => r.removed);
    const removedPaths = new Set(removedData.map((r) => r.file.filePath));
    const dataLeft = carried.some(
      (m, index) =>
        isData(m) && m.addedFilesCount + m.existingFilesCount > (results[index]?.removed.length ?? 0),
    );
    const allDataRemoved = !dataLeft && removedData.length > 0;
    await forEachBounded(
      carried.map((manifest, index) => ({ manifest, index })).filter(({ manifest }) => !isData(manifest)),
      MANIFEST_READ_CONCURRENCY,
      async ({ manifest, index }) => {
        results[index] = await this.deleteFrom(
          base,
          manifest,
          (entry) =>
            selector?.(entry.file, manifest.partitionSpecId) === true ||
            deleteFileSelector?.(entry.file, manifest.partitionSpecId) === true ||
            isObsoleteDeleteFile(entry.file, removedPaths, allDataRemoved),
        );
      },
    );
    return {
      manifests: results.map((r) => r.manifest),
      removed: results.flatMap((r) => r.removed),
    };
  }

  private async deleteFrom(
    base: TableMetadata,
    manifest: ManifestFile,
    pick: (entry: ManifestEntry) => boolean,
  ): Promise<DeleteVerdict> {
    if (manifest.addedFilesCount + manifest.existingFilesCount === 0) return { manifest, removed: [] };
    const contents = readManifest(await this.io.read(manifest.manifestPath), manifest);
    const live = contents.entries.filter((e) => e.status !== 'deleted');
    const doomed = new Set<ManifestEntry>(live.filter(pick));
    if (doomed.size === 0) return { manifest, removed: [] };
    const rewritten = await this.writeManifest(
      base,
      specById(base, manifest.partitionSpecId),
      currentSchema(base),
      (writer) => {
        for (const entry of live) {
          if (doomed.has(entry)) writer.delete(entry);
          else writer.existing(entry);
        }
      },
      manifest.content,
    );
    return {
      manifest: rewritten,
      removed: [...doomed].map((entry) => ({ file: entry.file, specId: manifest.partitionSpecId })),
    };
  }
}

/** What this change does to one parent manifest: keeps it, or replaces it with a rewrite. */
interface DeleteVerdict {
  readonly manifest: ManifestFile;
  readonly removed: readonly { file: DataFile; specId: number }[];
}

const MANIFEST_READ_CONCURRENCY = 8;

/** Where a new metadata file (manifest, manifest list) named `name` goes: `write.metadata.path` or `<location>/metadata`. */
export function metadataFilePath(base: TableMetadata, name: string): string {
  const root = base.properties['write.metadata.path'] ?? `${base.location.replace(/\/+$/, '')}/metadata`;
  return `${root}/${name}`;
}

export function currentSchema(metadata: TableMetadata): Schema {
  const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
  if (schema === undefined)
    throw new Error(`table metadata has no current schema ${metadata.currentSchemaId}`);
  return schema;
}

export function specById(metadata: TableMetadata, specId: number): PartitionSpec {
  const spec = metadata.partitionSpecs.find((s) => s.specId === specId);
  if (spec === undefined) throw new Error(`table metadata has no partition spec ${specId}`);
  return spec;
}

/** `base` with the change's schema updates applied, when it has any (otherwise `base` itself). */
function withExtraUpdates(base: TableMetadata, updates: readonly TableUpdate[] | undefined): TableMetadata {
  const schemaUpdates = (updates ?? []).filter(
    (u) => u.action === 'add-schema' || u.action === 'set-current-schema',
  );
  return schemaUpdates.length === 0 ? base : applyUpdates(base, schemaUpdates);
}
