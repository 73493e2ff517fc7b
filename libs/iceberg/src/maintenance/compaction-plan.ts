// Plans a bin-packing compaction of one table's current snapshot: which small data files to
// rewrite together, per partition spec and partition, and which delete files the rewrite
// retires. The plan reads manifests only (scan planning attaches to each data file the position
// and equality deletes that apply to it); no data is read.
//
// Selection (the knobs live in one `CompactionOptions` object so table properties, floe.yaml or
// catalog policies can feed it):
//   - a data file is a candidate when it is smaller than `minFileSizeBytes` (default 75 % of the
//     target file size) or has delete files attached (rewriting applies them);
//   - candidates of one partition are packed, oldest first, into groups of at most
//     `maxGroupBytes` input bytes (a group is rewritten into files of the target size);
//   - a group is rewritten when it has at least `minInputFiles` files, or has deletes attached
//     (so compaction also retires delete files);
//   - a delete file is retired when every live data file it applied to is rewritten.

import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { planScan, type ScanPlan, type ScanTask } from '../scan/plan.ts';
import { bindPartitionSpec, partitionKey, partitionPath } from '../spec/partition.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { currentSchema, specById } from '../table/snapshot-producer.ts';
import { DEFAULT_TARGET_FILE_SIZE_BYTES } from '../write/data-file-writer.ts';

/** Compaction knobs; every field optional (see `resolveCompactionOptions` for defaults). */
export interface CompactionOptions {
  /** Size of the files compaction writes; default the table's `write.target-file-size-bytes`. */
  readonly targetFileSizeBytes?: number;
  /** Files below this are small; default 75 % of the target. */
  readonly minFileSizeBytes?: number;
  /** A partition's small files are rewritten once it has this many; default 5. */
  readonly minInputFiles?: number;
  /** Most input bytes rewritten as one group (bounds what one rewrite holds); default min(target, 128 MiB) ×2. */
  readonly maxGroupBytes?: number;
  /** Most groups one run rewrites (the rest wait for the next run); default 100. */
  readonly maxGroups?: number;
}

export type ResolvedCompactionOptions = Required<CompactionOptions>;

const MIB = 1024 * 1024;

/** Table properties floe reads as per-table overrides of the compaction options. */
export const COMPACTION_PROPERTIES = {
  minInputFiles: 'floe.compaction.min-input-files',
  minFileSizeBytes: 'floe.compaction.min-file-size-bytes',
  maxGroupBytes: 'floe.compaction.max-group-bytes',
} as const;

function positiveProperty(properties: Readonly<Record<string, string>>, key: string): number | undefined {
  const raw = properties[key];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** Explicit options beat the table's properties, which beat the defaults. */
export function resolveCompactionOptions(
  metadata: TableMetadata,
  options: CompactionOptions = {},
): ResolvedCompactionOptions {
  const props = metadata.properties;
  const target =
    options.targetFileSizeBytes ??
    positiveProperty(props, 'write.target-file-size-bytes') ??
    DEFAULT_TARGET_FILE_SIZE_BYTES;
  return {
    targetFileSizeBytes: target,
    minFileSizeBytes:
      options.minFileSizeBytes ??
      positiveProperty(props, COMPACTION_PROPERTIES.minFileSizeBytes) ??
      Math.floor(target * 0.75),
    minInputFiles: options.minInputFiles ?? positiveProperty(props, COMPACTION_PROPERTIES.minInputFiles) ?? 5,
    maxGroupBytes:
      options.maxGroupBytes ??
      positiveProperty(props, COMPACTION_PROPERTIES.maxGroupBytes) ??
      Math.min(target, 128 * MIB) * 2,
    maxGroups: options.maxGroups ?? 100,
  };
}

export interface CompactionGroup {
  readonly specId: number;
  readonly partition: readonly DataFile['partition'][number][];
  /** `region=eu` (empty for unpartitioned specs). */
  readonly partitionPath: string;
  /** Data files to rewrite, each with the deletes that apply to it. */
  readonly tasks: readonly ScanTask[];
  readonly inputBytes: bigint;
  readonly inputRows: bigint;
}

export interface CompactionPlan {
  readonly tableSnapshotId: bigint | undefined;
  /** Sequence number of the planned snapshot: the data sequence number of the rewritten files. */
  readonly sequenceNumber: bigint;
  readonly options: ResolvedCompactionOptions;
  readonly scan: ScanPlan;
  readonly groups: readonly CompactionGroup[];
  /** Delete files applying only to rewritten data files: removed by the same commit. */
  readonly retiredDeleteFiles: readonly { readonly file: DataFile; readonly specId: number }[];
  readonly dataFilesTotal: number;
}

export async function planCompaction(
  metadata: TableMetadata,
  io: FileIO,
  options: CompactionOptions = {},
  tableName?: string,
): Promise<CompactionPlan> {
  const resolved = resolveCompactionOptions(metadata, options);
  const scan = await planScan(metadata, io, tableName === undefined ? {} : { tableName });
  const schema = currentSchema(metadata);
  const byPartition = new Map<string, ScanTask[]>();
  for (const task of scan.tasks) {
    const small = task.file.fileSizeInBytes < BigInt(resolved.minFileSizeBytes);
    if (!small && task.deletes.length === 0) continue;
    const key = `${task.specId}/${partitionKey(task.file.partition)}`;
    const list = byPartition.get(key) ?? [];
    list.push(task);
    byPartition.set(key, list);
  }
  const groups: CompactionGroup[] = [];
  for (const tasks of byPartition.values()) {
    // Oldest data first, so a sorted-by-arrival table stays close to arrival order.
    tasks.sort((a, b) =>
      a.dataSequenceNumber < b.dataSequenceNumber ? -1 : a.dataSequenceNumber > b.dataSequenceNumber ? 1 : 0,
    );
    let current: ScanTask[] = [];
    let bytes = 0n;
    const flush = () => {
      const hasDeletes = current.some((t) => t.deletes.length > 0);
      if (current.length >= resolved.minInputFiles || (hasDeletes && current.length > 0)) {
        const first = current[0] as ScanTask;
        const spec = specById(metadata, first.specId);
        groups.push({
          specId: first.specId,
          partition: first.file.partition,
          partitionPath:
            spec.fields.length === 0
              ? ''
              : partitionPath(bindPartitionSpec(spec, schema), first.file.partition),
          tasks: current,
          inputBytes: bytes,
          inputRows: current.reduce((sum, t) => sum + t.file.recordCount, 0n),
        });
      }
      current = [];
      bytes = 0n;
    };
    for (const task of tasks) {
      if (current.length > 0 && bytes + task.file.fileSizeInBytes > BigInt(resolved.maxGroupBytes)) flush();
      current.push(task);
      bytes += task.file.fileSizeInBytes;
    }
    flush();
  }
  groups.sort((a, b) => b.tasks.length - a.tasks.length);
  const chosen = groups.slice(0, resolved.maxGroups);
  return {
    tableSnapshotId: scan.snapshot?.snapshotId,
    sequenceNumber: scan.snapshot?.sequenceNumber ?? 0n,
    options: resolved,
    scan,
    groups: chosen,
    retiredDeleteFiles: retiredDeleteFiles(scan.tasks, chosen),
    dataFilesTotal: scan.tasks.length,
  };
}

/** Delete files every one of whose data files is rewritten by `groups`. */
function retiredDeleteFiles(
  tasks: readonly ScanTask[],
  groups: readonly CompactionGroup[],
): { file: DataFile; specId: number }[] {
  const rewritten = new Set(groups.flatMap((g) => g.tasks.map((t) => t.file.filePath)));
  const verdict = new Map<string, { entry: { file: DataFile; specId: number }; retire: boolean }>();
  for (const task of tasks) {
    for (const del of task.deletes) {
      const seen = verdict.get(del.file.filePath);
      const retire = rewritten.has(task.file.filePath) && (seen?.retire ?? true);
      verdict.set(del.file.filePath, { entry: { file: del.file, specId: del.specId }, retire });
    }
  }
  return [...verdict.values()].filter((v) => v.retire).map((v) => v.entry);
}
