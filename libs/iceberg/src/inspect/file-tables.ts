// Inspection tables that read a snapshot's manifest list and manifests: the manifests, the
// live data and delete files with their metrics, and per-partition totals. Each takes the same
// snapshot selector as a scan (current by default, or by id, time or ref), so an unknown
// snapshot id gets the scan's message naming the snapshots that exist. Partition tuples,
// metrics and bounds are JSON text keyed by name (see inspect-values.ts).

import * as arrow from 'apache-arrow';
import type { FileIO } from '../io/file-io.ts';
import type { DataFileContent } from '../manifest/data-file.ts';
import { DATA_FILE_CONTENT_CODES } from '../manifest/data-file.ts';
import { MANIFEST_CONTENT_CODES } from '../manifest/manifest-file.ts';
import { type SnapshotSelector, selectSnapshot } from '../scan/select-snapshot.ts';
import type { PartitionSpec, Snapshot, TableMetadata } from '../spec/partition-types.ts';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { StructType } from '../spec/types.ts';
import { bytesToHex } from '../spec/values.ts';
import { stringifyJson } from '../util/json.ts';
import {
  boundsText,
  countsText,
  fieldsById,
  int32,
  int64,
  liveEntriesOf,
  manifestsOf,
  partitionStructOf,
  partitionText,
  utf8,
  valueJson,
} from './inspect-values.ts';

export interface InspectOptions extends SnapshotSelector {
  /** Named in error messages, e.g. `db.events`. */
  readonly tableName?: string;
}

function snapshotOf(metadata: TableMetadata, options: InspectOptions): Snapshot | undefined {
  return selectSnapshot(metadata, options, options.tableName ?? metadata.location).snapshot;
}

interface SpecInfo {
  readonly spec: PartitionSpec | undefined;
  readonly struct: StructType | undefined;
}

function specInfos(metadata: TableMetadata): (specId: number) => SpecInfo {
  const cache = new Map<number, SpecInfo>();
  return (specId) => {
    let info = cache.get(specId);
    if (info === undefined) {
      const spec = metadata.partitionSpecs.find((s) => s.specId === specId);
      info = { spec, struct: spec === undefined ? undefined : partitionStructOf(metadata, spec) };
      cache.set(specId, info);
    }
    return info;
  };
}

/** The manifests of the snapshot's manifest list, with file counts and partition summaries. */
export async function manifestsTable(
  metadata: TableMetadata,
  io: FileIO,
  options: InspectOptions = {},
): Promise<arrow.Table> {
  const manifests = await manifestsOf(io, snapshotOf(metadata, options));
  const infoOf = specInfos(metadata);
  const isData = (m: (typeof manifests)[number]) => m.content === 'data';
  const count = (data: boolean, n: (m: (typeof manifests)[number]) => number) =>
    int32(manifests.map((m) => (isData(m) === data ? n(m) : 0)));
  return new arrow.Table({
    content: int32(manifests.map((m) => MANIFEST_CONTENT_CODES[m.content])),
    path: utf8(manifests.map((m) => m.manifestPath)),
    length: int64(manifests.map((m) => m.manifestLength)),
    partition_spec_id: int32(manifests.map((m) => m.partitionSpecId)),
    added_snapshot_id: int64(manifests.map((m) => m.addedSnapshotId)),
    added_data_files_count: count(true, (m) => m.addedFilesCount),
    existing_data_files_count: count(true, (m) => m.existingFilesCount),
    deleted_data_files_count: count(true, (m) => m.deletedFilesCount),
    added_delete_files_count: count(false, (m) => m.addedFilesCount),
    existing_delete_files_count: count(false, (m) => m.existingFilesCount),
    deleted_delete_files_count: count(false, (m) => m.deletedFilesCount),
    partition_summaries: utf8(
      manifests.map((m) => {
        const { spec, struct } = infoOf(m.partitionSpecId);
        const summaries = (m.partitions ?? []).map((summary, index) => {
          const type = struct?.fields[index]?.type;
          const decode = (bytes: Uint8Array | undefined) => {
            if (bytes === undefined || type === undefined) return null;
            try {
              return valueJson(type, deserializeSingleValue(type, bytes));
            } catch {
              return bytesToHex(bytes);
            }
          };
          return {
            field: spec?.fields[index]?.name ?? `_${index}`,
            contains_null: summary.containsNull,
            contains_nan: summary.containsNan ?? null,
            lower_bound: decode(summary.lowerBound),
            upper_bound: decode(summary.upperBound),
          };
        });
        return stringifyJson(summaries);
      }),
    ),
  });
}

const CONTENT_CODE = (content: DataFileContent) => DATA_FILE_CONTENT_CODES[content];

/** One row per live data or delete file of the snapshot (content 0 data, 1 position, 2 equality deletes). */
export async function filesTable(
  metadata: TableMetadata,
  io: FileIO,
  options: InspectOptions = {},
): Promise<arrow.Table> {
  const entries = await liveEntriesOf(io, snapshotOf(metadata, options));
  const fields = fieldsById(metadata);
  const infoOf = specInfos(metadata);
  const files = entries.map((e) => e.entry.file);
  return new arrow.Table({
    content: int32(files.map((f) => CONTENT_CODE(f.content))),
    file_path: utf8(files.map((f) => f.filePath)),
    file_format: utf8(files.map((f) => f.fileFormat.toUpperCase())),
    spec_id: int32(entries.map((e) => e.manifest.partitionSpecId)),
    partition: utf8(
      entries.map((e) => {
        const { spec, struct } = infoOf(e.manifest.partitionSpecId);
        return partitionText(e.entry.file, spec, struct);
      }),
    ),
    record_count: int64(files.map((f) => f.recordCount)),
    file_size_in_bytes: int64(files.map((f) => f.fileSizeInBytes)),
    column_sizes: utf8(files.map((f) => countsText(f.columnSizes, fields))),
    value_counts: utf8(files.map((f) => countsText(f.valueCounts, fields))),
    null_value_counts: utf8(files.map((f) => countsText(f.nullValueCounts, fields))),
    nan_value_counts: utf8(files.map((f) => countsText(f.nanValueCounts, fields))),
    lower_bounds: utf8(files.map((f) => boundsText(f.lowerBounds, fields))),
    upper_bounds: utf8(files.map((f) => boundsText(f.upperBounds, fields))),
    sort_order_id: int32(files.map((f) => f.sortOrderId ?? null)),
  });
}

interface PartitionTotals {
  partition: string;
  specId: number;
  recordCount: bigint;
  fileCount: number;
  totalSize: bigint;
  deleteFileCount: number;
}

/**
 * Totals per partition of the snapshot's live files: data rows, data files, their bytes, and
 * the delete files that apply there. Sorted by spec id, then partition text.
 */
export async function partitionsTable(
  metadata: TableMetadata,
  io: FileIO,
  options: InspectOptions = {},
): Promise<arrow.Table> {
  const entries = await liveEntriesOf(io, snapshotOf(metadata, options));
  const infoOf = specInfos(metadata);
  const totals = new Map<string, PartitionTotals>();
  for (const { entry, manifest } of entries) {
    const { spec, struct } = infoOf(manifest.partitionSpecId);
    const partition = partitionText(entry.file, spec, struct);
    const key = `${manifest.partitionSpecId}\u0000${partition}`;
    let total = totals.get(key);
    if (total === undefined) {
      total = {
        partition,
        specId: manifest.partitionSpecId,
        recordCount: 0n,
        fileCount: 0,
        totalSize: 0n,
        deleteFileCount: 0,
      };
      totals.set(key, total);
    }
    if (entry.file.content === 'data') {
      total.recordCount += entry.file.recordCount;
      total.fileCount++;
      total.totalSize += entry.file.fileSizeInBytes;
    } else {
      total.deleteFileCount++;
    }
  }
  const rows = [...totals.values()].sort((a, b) =>
    a.specId !== b.specId
      ? a.specId - b.specId
      : a.partition < b.partition
        ? -1
        : a.partition > b.partition
          ? 1
          : 0,
  );
  return new arrow.Table({
    partition: utf8(rows.map((r) => r.partition)),
    spec_id: int32(rows.map((r) => r.specId)),
    record_count: int64(rows.map((r) => r.recordCount)),
    file_count: int32(rows.map((r) => r.fileCount)),
    total_size: int64(rows.map((r) => r.totalSize)),
    delete_file_count: int32(rows.map((r) => r.deleteFileCount)),
  });
}
