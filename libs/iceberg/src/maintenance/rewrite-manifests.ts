// Rewrite manifests: cluster the current snapshot's data manifests by partition, into manifests
// of about `commit.manifest.target-size-bytes`, so scan planning that filters on the partition
// opens few manifests. Data files are untouched: every live entry is carried as EXISTING with
// its snapshot id, data and file sequence numbers; tombstones (DELETED entries) are dropped.
// Delete manifests are left as they are.
//
// Committed as a `replace` snapshot through the commit driver. It never conflicts: on a rebase
// the manifests it replaced are looked up in the new parent; when all are still there the
// rewrite is reused and the parent's newer manifests are carried next to it, otherwise (another
// commit rewrote one of them) the rewrite is planned again on the new parent.
import { randomUUID } from 'node:crypto';
import type { FileIO } from '../io/file-io.ts';
import type { ManifestEntry } from '../manifest/data-file.ts';
import type { ManifestFile } from '../manifest/manifest-file.ts';
import { readManifestList, writeManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { ManifestWriter } from '../manifest/manifest-writer.ts';
import { currentSnapshot, snapshotById } from '../metadata/snapshot-queries.ts';
import type { TableRequirement, TableUpdate } from '../metadata/updates.ts';
import { MAIN_BRANCH } from '../metadata/wire.ts';
import { partitionKey } from '../spec/partition.ts';
import type { Snapshot, TableMetadata } from '../spec/partition-types.ts';
import type { CatalogCommitter, CommittedTable } from '../table/catalog-committer.ts';
import { type CommitAction, type CommitLogger, driveCommit } from '../table/commit-driver.ts';
import { manifestMergeSettings } from '../table/manifest-merge.ts';
import { referencedAmong } from '../table/snapshot-action.ts';
import { currentSchema, newSnapshotId, specById } from '../table/snapshot-producer.ts';
import { snapshotSummary } from '../table/snapshot-summary.ts';
import type { TableIdentifier } from '../table/table-identifier.ts';

export interface RewriteManifestsOptions {
  readonly committer: CatalogCommitter;
  readonly identifier: TableIdentifier;
  readonly io: FileIO;
  /** Default: the table's `commit.manifest.target-size-bytes` (8 MiB). */
  readonly targetManifestSizeBytes?: number;
  readonly dryRun?: boolean;
  readonly logger?: CommitLogger;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RewriteManifestsReport {
  readonly snapshotId: bigint | undefined;
  readonly manifestsReplaced: number;
  readonly manifestsWritten: number;
  readonly manifestsKept: number;
  readonly entries: number;
  /** The manifests replaced (or, in a dry run, that would be). */
  readonly replaced: readonly string[];
}

interface Rewrite {
  readonly replaced: readonly ManifestFile[];
  readonly written: readonly ManifestFile[];
  readonly entries: number;
}

interface Attempt {
  readonly updates: readonly TableUpdate[];
  readonly requirements: readonly TableRequirement[];
  readonly rewrite: Rewrite;
  readonly kept: number;
}

/** Data manifests worth rewriting: all of them once there are at least two in a spec. */
function candidates(manifests: readonly ManifestFile[]): ManifestFile[] {
  const bySpec = new Map<number, ManifestFile[]>();
  for (const m of manifests) {
    if (m.content !== 'data') continue;
    bySpec.set(m.partitionSpecId, [...(bySpec.get(m.partitionSpecId) ?? []), m]);
  }
  return [...bySpec.values()].filter((group) => group.length > 1).flat();
}

class RewriteManifestsAction implements CommitAction<Attempt, Snapshot> {
  readonly description = 'rewrite manifests';
  readonly snapshotId = newSnapshotId();
  private readonly commitId = randomUUID();
  private readonly io: FileIO;
  private readonly targetBytes: number | undefined;
  private readonly written: string[] = [];
  private rewrite: Rewrite | undefined;
  private counter = 0;

  constructor(io: FileIO, targetBytes: number | undefined) {
    this.io = io;
    this.targetBytes = targetBytes;
  }

  async plan(base: TableMetadata): Promise<{ rewrite: Rewrite; parentManifests: readonly ManifestFile[] }> {
    const parent = currentSnapshot(base);
    const parentManifests =
      parent === undefined ? [] : readManifestList(await this.io.read(parent.manifestList)).manifests;
    const present = new Set(parentManifests.map((m) => m.manifestPath));
    if (this.rewrite === undefined || !this.rewrite.replaced.every((m) => present.has(m.manifestPath))) {
      this.rewrite = await this.rewriteOn(base, candidates(parentManifests));
    }
    return { rewrite: this.rewrite, parentManifests };
  }

  async prepare(table: CommittedTable, attempt: number): Promise<Attempt | undefined> {
    const base = table.metadata;
    const parent = currentSnapshot(base);
    const { rewrite, parentManifests } = await this.plan(base);
    if (parent === undefined || rewrite.replaced.length === 0) return undefined;
    const replaced = new Set(rewrite.replaced.map((m) => m.manifestPath));
    const kept = parentManifests.filter((m) => !replaced.has(m.manifestPath));
    const sequenceNumber = base.lastSequenceNumber + 1n;
    const listPath = this.metadataPath(base, `snap-${this.snapshotId}-${attempt}-${this.commitId}.avro`);
    const list = writeManifestList({
      snapshotId: this.snapshotId,
      parentSnapshotId: parent.snapshotId,
      sequenceNumber,
      manifests: [...rewrite.written, ...kept],
      formatVersion: base.formatVersion === 1 ? 1 : 2,
    });
    await this.io.write(listPath, list.bytes);
    this.written.push(listPath);
    const noChange = {
      addedDataFiles: 0,
      addedRecords: 0n,
      addedFilesSize: 0n,
      deletedDataFiles: 0,
      deletedRecords: 0n,
      removedFilesSize: 0n,
      changedPartitions: 0,
    };
    const snapshot: Snapshot = {
      snapshotId: this.snapshotId,
      parentSnapshotId: parent.snapshotId,
      sequenceNumber: base.formatVersion === 1 ? 0n : sequenceNumber,
      timestampMs: BigInt(Date.now()),
      manifestList: listPath,
      summary: snapshotSummary('replace', noChange, parent, {
        'manifests-created': String(rewrite.written.length),
        'manifests-replaced': String(rewrite.replaced.length),
        'manifests-kept': String(kept.length),
        'entries-processed': String(rewrite.entries),
        'floe.commit-id': this.commitId,
      }),
      schemaId: base.currentSchemaId,
    };
    return {
      rewrite,
      kept: kept.length,
      updates: [
        { action: 'add-snapshot', snapshot },
        {
          action: 'set-snapshot-ref',
          refName: MAIN_BRANCH,
          ref: { snapshotId: this.snapshotId, type: 'branch' },
        },
      ],
      requirements: [
        { type: 'assert-table-uuid', uuid: base.tableUuid },
        { type: 'assert-ref-snapshot-id', ref: MAIN_BRANCH, snapshotId: parent.snapshotId },
      ],
    };
  }

  landedIn(table: CommittedTable): Snapshot | undefined {
    return snapshotById(table.metadata, this.snapshotId);
  }

  async cleanUp(_table: CommittedTable | undefined, landed: Snapshot | undefined): Promise<void> {
    const written = new Set(this.written);
    const kept = landed === undefined ? new Set<string>() : await referencedAmong(this.io, landed, written);
    const doomed = [...written].filter((path) => !kept.has(path));
    if (doomed.length > 0) await this.io.deleteMany(doomed);
  }

  private metadataPath(base: TableMetadata, name: string): string {
    const root = base.properties['write.metadata.path'] ?? `${base.location.replace(/\/+$/, '')}/metadata`;
    return `${root}/${name}`;
  }

  /** Reads the candidates' live entries, orders them by partition and writes them in target-size chunks. */
  private async rewriteOn(base: TableMetadata, manifests: readonly ManifestFile[]): Promise<Rewrite> {
    if (manifests.length === 0) return { replaced: [], written: [], entries: 0 };
    const target = this.targetBytes ?? Number(manifestMergeSettings(base.properties).targetSizeBytes);
    const schema = currentSchema(base);
    const written: ManifestFile[] = [];
    let entriesTotal = 0;
    const bySpec = new Map<number, ManifestFile[]>();
    for (const m of manifests) bySpec.set(m.partitionSpecId, [...(bySpec.get(m.partitionSpecId) ?? []), m]);
    for (const [specId, group] of bySpec) {
      const entries: ManifestEntry[] = [];
      let bytes = 0;
      for (const manifest of group) {
        bytes += Number(manifest.manifestLength);
        const contents = readManifest(await this.io.read(manifest.manifestPath), manifest);
        for (const entry of contents.entries) if (entry.status !== 'deleted') entries.push(entry);
      }
      entries.sort((a, b) => {
        const ka = partitionKey(a.file.partition);
        const kb = partitionKey(b.file.partition);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
      entriesTotal += entries.length;
      // Stored size per entry, as the inputs show it: how many entries fill a target-size manifest.
      const perManifest = Math.max(1, Math.floor(target / Math.max(1, bytes / Math.max(1, entries.length))));
      const spec = specById(base, specId);
      for (let start = 0; start < entries.length; start += perManifest) {
        const path = this.metadataPath(base, `${this.commitId}-r${this.counter++}.avro`);
        const writer = new ManifestWriter({
          path,
          spec,
          schema,
          snapshotId: this.snapshotId,
          formatVersion: base.formatVersion === 1 ? 1 : 2,
        });
        for (const entry of entries.slice(start, start + perManifest)) writer.existing(entry);
        const { bytes: encoded, manifestFile } = writer.finish();
        await this.io.write(path, encoded);
        this.written.push(path);
        written.push({ ...manifestFile, manifestLength: BigInt(encoded.length) });
      }
    }
    return { replaced: manifests, written, entries: entriesTotal };
  }
}

export async function rewriteManifests(options: RewriteManifestsOptions): Promise<RewriteManifestsReport> {
  const action = new RewriteManifestsAction(options.io, options.targetManifestSizeBytes);
  if (options.dryRun) {
    const base = await options.committer.loadTable(options.identifier);
    const parent = currentSnapshot(base.metadata);
    const manifests =
      parent === undefined ? [] : readManifestList(await options.io.read(parent.manifestList)).manifests;
    const chosen = candidates(manifests);
    return {
      snapshotId: undefined,
      manifestsReplaced: chosen.length,
      manifestsWritten: 0,
      manifestsKept: manifests.length - chosen.length,
      entries: chosen.reduce((sum, m) => sum + m.addedFilesCount + m.existingFilesCount, 0),
      replaced: chosen.map((m) => m.manifestPath),
    };
  }
  let last: Attempt | undefined;
  const tracking: CommitAction<Attempt, Snapshot> = {
    description: action.description,
    prepare: async (table, attempt) => {
      last = await action.prepare(table, attempt);
      return last;
    },
    landedIn: (table) => action.landedIn(table),
    cleanUp: (table, landed) => action.cleanUp(table, landed),
  };
  const outcome = await driveCommit(tracking, {
    committer: options.committer,
    identifier: options.identifier,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  });
  if (outcome.status !== 'committed' || last === undefined) {
    return {
      snapshotId: undefined,
      manifestsReplaced: 0,
      manifestsWritten: 0,
      manifestsKept: 0,
      entries: 0,
      replaced: [],
    };
  }
  return {
    snapshotId: outcome.landed.snapshotId,
    manifestsReplaced: last.rewrite.replaced.length,
    manifestsWritten: last.rewrite.written.length,
    manifestsKept: last.kept,
    entries: last.rewrite.entries,
    replaced: last.rewrite.replaced.map((m) => m.manifestPath),
  };
}
