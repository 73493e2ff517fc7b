// Table health: the figures that say whether continuous ingestion is rotting a table — how many
// data files the current snapshot reads and how many of them are small, file sizes, manifests,
// delete files, snapshots kept and the size of the metadata.json every commit rewrites, and the
// partitions with the most files (where compaction pays most). `floe table health` prints it and
// the maintenance worker exports it as Prometheus gauges after each run on a table.

import type { FileIO } from '../io/file-io.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { bindPartitionSpec, partitionPath } from '../spec/partition.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { currentSchema } from '../table/snapshot-producer.ts';
import { DEFAULT_TARGET_FILE_SIZE_BYTES } from '../write/data-file-writer.ts';
import { liveEntriesOf, manifestsOf } from './inspect-values.ts';

export interface PartitionFiles {
  /** `region=eu`, `(unpartitioned)` for a spec without fields; prefixed `spec N:` for old specs. */
  readonly partition: string;
  readonly dataFiles: number;
  readonly bytes: number;
}

export interface TableHealth {
  readonly snapshotId: string | null;
  readonly dataFiles: number;
  readonly records: number;
  readonly dataBytes: number;
  /** Files smaller than `smallFileBytes`, and their share of `dataFiles` (0 for an empty table). */
  readonly smallFiles: number;
  readonly smallFileShare: number;
  readonly smallFileBytes: number;
  readonly targetFileSizeBytes: number;
  readonly averageFileBytes: number;
  readonly medianFileBytes: number;
  readonly manifests: number;
  readonly dataManifests: number;
  readonly deleteManifests: number;
  readonly deleteFiles: number;
  readonly positionDeleteFiles: number;
  readonly equalityDeleteFiles: number;
  readonly snapshots: number;
  /** Size of the current metadata.json (undefined when its location is unknown). */
  readonly metadataJsonBytes: number | null;
  readonly metadataLogEntries: number;
  readonly partitions: number;
  /** At most `topPartitions` partitions, most files first. */
  readonly topPartitions: readonly PartitionFiles[];
}

export interface TableHealthOptions {
  /** Where the current metadata.json lives (to measure it). */
  readonly metadataLocation?: string | undefined;
  readonly topPartitions?: number;
  /** Below this a file is small; default 75 % of `write.target-file-size-bytes`. */
  readonly smallFileBytes?: number;
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : Math.round(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2);
}

export async function tableHealth(
  metadata: TableMetadata,
  io: FileIO,
  options: TableHealthOptions = {},
): Promise<TableHealth> {
  const snapshot = currentSnapshot(metadata);
  const rawTarget = Number(metadata.properties['write.target-file-size-bytes']);
  const target =
    Number.isSafeInteger(rawTarget) && rawTarget > 0 ? rawTarget : DEFAULT_TARGET_FILE_SIZE_BYTES;
  const smallFileBytes = options.smallFileBytes ?? Math.floor(target * 0.75);
  const manifests = await manifestsOf(io, snapshot);
  const live = await liveEntriesOf(io, snapshot);
  const schema = currentSchema(metadata);
  const sizes: number[] = [];
  let records = 0;
  let positionDeletes = 0;
  let equalityDeletes = 0;
  const byPartition = new Map<string, { dataFiles: number; bytes: number }>();
  for (const { entry, manifest } of live) {
    const file = entry.file;
    if (file.content === 'position-deletes') positionDeletes++;
    else if (file.content === 'equality-deletes') equalityDeletes++;
    else {
      const size = Number(file.fileSizeInBytes);
      sizes.push(size);
      records += Number(file.recordCount);
      const spec = metadata.partitionSpecs.find((s) => s.specId === manifest.partitionSpecId);
      let name = '(unpartitioned)';
      if (spec !== undefined && spec.fields.length > 0) {
        name = partitionPath(bindPartitionSpec(spec, schema), file.partition);
      }
      if (manifest.partitionSpecId !== metadata.defaultSpecId)
        name = `spec ${manifest.partitionSpecId}: ${name}`;
      const slot = byPartition.get(name) ?? { dataFiles: 0, bytes: 0 };
      slot.dataFiles++;
      slot.bytes += size;
      byPartition.set(name, slot);
    }
  }
  sizes.sort((a, b) => a - b);
  const dataBytes = sizes.reduce((sum, s) => sum + s, 0);
  const smallFiles = sizes.filter((s) => s < smallFileBytes).length;
  const metadataJsonBytes =
    options.metadataLocation === undefined ? null : await io.length(options.metadataLocation);
  return {
    snapshotId: snapshot?.snapshotId.toString() ?? null,
    dataFiles: sizes.length,
    records,
    dataBytes,
    smallFiles,
    smallFileShare: sizes.length === 0 ? 0 : smallFiles / sizes.length,
    smallFileBytes,
    targetFileSizeBytes: target,
    averageFileBytes: sizes.length === 0 ? 0 : Math.round(dataBytes / sizes.length),
    medianFileBytes: median(sizes),
    manifests: manifests.length,
    dataManifests: manifests.filter((m) => m.content === 'data').length,
    deleteManifests: manifests.filter((m) => m.content === 'deletes').length,
    deleteFiles: positionDeletes + equalityDeletes,
    positionDeleteFiles: positionDeletes,
    equalityDeleteFiles: equalityDeletes,
    snapshots: metadata.snapshots.length,
    metadataJsonBytes,
    metadataLogEntries: metadata.metadataLog.length,
    partitions: byPartition.size,
    topPartitions: [...byPartition.entries()]
      .map(([partition, v]) => ({ partition, ...v }))
      .sort((a, b) => b.dataFiles - a.dataFiles || (a.partition < b.partition ? -1 : 1))
      .slice(0, options.topPartitions ?? 5),
  };
}
