// The snapshot-producing actions (append, overwrite, replace partitions, overwrite by filter, a
// schema change with data) as one `CommitAction` for the commit driver. Each attempt is built by
// a `SnapshotProducer`; an action whose change is re-derived per attempt (overwrite by filter
// re-classifies on the fresh base) gets one producer per derived change, all sharing ONE snapshot
// id and commit id. So "landed" is simply "our snapshot id is in the table", and the files kept
// are the ones the snapshot the table records references — whichever attempt wrote them.
// `commitSnapshotAction` runs the driver with the commit span and log line every snapshot
// commit emits.
import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { snapshotById } from '../metadata/snapshot-queries.ts';
import type { Snapshot } from '../spec/partition-types.ts';
import { inSpan } from '../util/in-span.ts';
import type { CommittedTable } from './catalog-committer.ts';
import { type CommitAction, type DriveCommitOptions, driveCommit } from './commit-driver.ts';
import {
  newSnapshotId,
  type PreparedCommit,
  type SnapshotChange,
  SnapshotProducer,
} from './snapshot-producer.ts';
import { formatTable } from './table-identifier.ts';

/** One attempt of a snapshot action: the prepared commit and the change it was built from. */
export interface PreparedSnapshot extends PreparedCommit {
  readonly change: SnapshotChange;
}

/** The change to commit, fixed or derived from each attempt's base. */
export type ChangeSource =
  | SnapshotChange
  | ((base: CommittedTable, attempt: number) => Promise<SnapshotChange> | SnapshotChange);

export interface SnapshotActionOptions {
  readonly description?: string;
  /** Further files the action wrote (e.g. rewritten data files), deleted unless the landed snapshot references them. */
  readonly extraWrittenFiles?: () => readonly string[];
}

export class SnapshotCommitAction implements CommitAction<PreparedSnapshot, Snapshot> {
  readonly snapshotId = newSnapshotId();
  readonly commitId = randomUUID();
  readonly description: string;
  private readonly io: FileIO;
  private readonly source: ChangeSource;
  private readonly extraWrittenFiles: () => readonly string[];
  private readonly producers = new Map<SnapshotChange, SnapshotProducer>();
  private readonly attempts: PreparedSnapshot[] = [];

  constructor(io: FileIO, source: ChangeSource, options: SnapshotActionOptions = {}) {
    this.io = io;
    this.source = source;
    this.description = options.description ?? (typeof source === 'function' ? 'snapshot' : source.operation);
    this.extraWrittenFiles = options.extraWrittenFiles ?? (() => []);
  }

  async prepare(base: CommittedTable, attempt: number): Promise<PreparedSnapshot> {
    const change = typeof this.source === 'function' ? await this.source(base, attempt) : this.source;
    let producer = this.producers.get(change);
    if (producer === undefined) {
      producer = new SnapshotProducer(this.io, change, {
        snapshotId: this.snapshotId,
        commitId: this.commitId,
      });
      this.producers.set(change, producer);
    }
    const prepared = { ...(await producer.prepare(base.metadata, attempt)), change };
    this.attempts.push(prepared);
    return prepared;
  }

  landedIn(table: CommittedTable): Snapshot | undefined {
    return snapshotById(table.metadata, this.snapshotId);
  }

  /** The attempt whose manifest list `snapshot` records (undefined for a foreign snapshot). */
  attemptOf(snapshot: Snapshot): PreparedSnapshot | undefined {
    return this.attempts.find((a) => a.snapshot.manifestList === snapshot.manifestList);
  }

  async cleanUp(_table: CommittedTable | undefined, landed: Snapshot | undefined): Promise<void> {
    const written = new Set([
      ...[...this.producers.values()].flatMap((p) => p.writtenFiles),
      ...this.extraWrittenFiles(),
    ]);
    const kept = landed === undefined ? new Set<string>() : await referencedAmong(this.io, landed, written);
    const doomed = [...written].filter((path) => !kept.has(path));
    if (doomed.length > 0) await this.io.deleteMany(doomed);
  }
}

/**
 * Which of `candidates` `snapshot` references: its manifest list, the manifests in it, and the
 * files those manifests list (only candidate manifests are read: others cannot name our files).
 */
export async function referencedAmong(
  io: FileIO,
  snapshot: Snapshot,
  candidates: ReadonlySet<string>,
): Promise<Set<string>> {
  const kept = new Set<string>();
  if (candidates.has(snapshot.manifestList)) kept.add(snapshot.manifestList);
  const list = readManifestList(await io.read(snapshot.manifestList));
  for (const manifest of list.manifests) {
    if (!candidates.has(manifest.manifestPath)) continue;
    kept.add(manifest.manifestPath);
    const contents = readManifest(await io.read(manifest.manifestPath), manifest);
    for (const entry of contents.entries) {
      if (candidates.has(entry.file.filePath)) kept.add(entry.file.filePath);
    }
  }
  return kept;
}

export interface SnapshotCommitOutcome {
  readonly status: 'committed' | 'already-committed';
  /** The snapshot holding the change: ours as the table records it, or the marked one. */
  readonly snapshot: Snapshot;
  readonly table: CommittedTable;
  readonly attempts: number;
  readonly conflicts: number;
  readonly unknownOutcomes: number;
  readonly durationMs: number;
}

/** Drives a snapshot action, with the `iceberg.commit` span and one log line per commit. */
export function commitSnapshotAction(
  action: SnapshotCommitAction,
  options: DriveCommitOptions,
): Promise<SnapshotCommitOutcome> {
  return inSpan('iceberg.commit', async (span) => {
    const outcome = await commitAndLog(action, options, span);
    const summary = outcome.snapshot.summary;
    span.setAttributes({
      'floe.snapshot_id': outcome.snapshot.snapshotId.toString(),
      'floe.commit.attempts': outcome.attempts,
      'floe.commit.conflicts': outcome.conflicts,
      'floe.commit.unknown_outcomes': outcome.unknownOutcomes,
      'floe.commit.status': outcome.status,
      'floe.commit.duration_ms': outcome.durationMs,
      'floe.rows_added': Number(summary['added-records'] ?? 0),
      'floe.files_added': Number(summary['added-data-files'] ?? 0),
      'floe.bytes_added': Number(summary['added-files-size'] ?? 0),
    });
    return outcome;
  });
}

async function commitAndLog(
  action: SnapshotCommitAction,
  options: DriveCommitOptions,
  span: Span,
): Promise<SnapshotCommitOutcome> {
  const name = formatTable(options.identifier);
  span.setAttribute('floe.table', name);
  const outcome = await driveCommit(action, options);
  if (outcome.status === 'nothing-to-commit') {
    throw new IcebergError('invalid-argument', `${action.description} commit to ${name} prepared nothing`, {
      context: { table: name },
    });
  }
  const snapshot = outcome.status === 'committed' ? outcome.landed : outcome.snapshot;
  const result: SnapshotCommitOutcome = {
    status: outcome.status,
    snapshot,
    table: outcome.table,
    attempts: outcome.attempts,
    conflicts: outcome.conflicts,
    unknownOutcomes: outcome.unknownOutcomes,
    durationMs: outcome.durationMs,
  };
  if (outcome.status === 'committed') {
    options.logger?.info(
      {
        table: name,
        snapshotId: snapshot.snapshotId.toString(),
        status: outcome.status,
        attempts: outcome.attempts,
        conflicts: outcome.conflicts,
        unknownOutcomes: outcome.unknownOutcomes,
        durationMs: outcome.durationMs,
        addedRecords: snapshot.summary['added-records'] ?? '0',
        addedFiles: snapshot.summary['added-data-files'] ?? '0',
        addedBytes: snapshot.summary['added-files-size'] ?? '0',
      },
      'committed snapshot',
    );
  }
  return result;
}
