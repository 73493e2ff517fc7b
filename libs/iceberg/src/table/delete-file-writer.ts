// Writes the delete files of a merge-on-read delete, in the form the table's format version
// calls for (spec §Delete Formats):
//   v2 — one position delete file (Parquet, `file_path` + `pos` with the reserved field ids,
//        sorted by position) per data file, beside the data in its partition folder, with full
//        `file_path` bounds so every reader scopes it to that one file;
//   v3 — one Puffin file holding a `deletion-vector-v1` blob per data file (the merged vector:
//        earlier deletes of that file included), each entry pointing at its blob by
//        `content_offset` / `content_size_in_bytes`.
// Returns the delete-file entries to commit and the locations written (for clean-up when the
// commit does not land).

import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { deletionVectorBlob } from '../puffin/deletion-vector.ts';
import { writePuffin } from '../puffin/puffin-file.ts';
import { POSITION_DELETE_SCHEMA } from '../scan/delete-index.ts';
import { bindPartitionSpec, partitionPath } from '../spec/partition.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { writeDataFiles } from '../write/data-file-writer.ts';
import type { DeleteTarget } from './row-level-delete.ts';
import { currentSchema, specById } from './snapshot-producer.ts';

export interface WrittenDeletes {
  readonly deleteFiles: readonly { readonly file: DataFile; readonly specId: number }[];
  readonly writtenLocations: readonly string[];
}

export async function writeDeleteFiles(
  metadata: TableMetadata,
  io: FileIO,
  targets: readonly DeleteTarget[],
  tableName: string,
): Promise<WrittenDeletes> {
  if (targets.length === 0) return { deleteFiles: [], writtenLocations: [] };
  if (metadata.formatVersion < 2) {
    throw new IcebergError(
      'unsupported',
      `${tableName} is a format v1 table, which has no row-level deletes; upgrade it first with \`floe table upgrade ${tableName} --format-version 2\``,
      { context: { table: tableName } },
    );
  }
  return metadata.formatVersion >= 3
    ? writeDeletionVectors(metadata, io, targets)
    : writePositionDeletes(metadata, io, targets);
}

function dataRoot(metadata: TableMetadata): string {
  return (metadata.properties['write.data.path'] ?? `${metadata.location.replace(/\/+$/, '')}/data`).replace(
    /\/+$/,
    '',
  );
}

async function writeDeletionVectors(
  metadata: TableMetadata,
  io: FileIO,
  targets: readonly DeleteTarget[],
): Promise<WrittenDeletes> {
  const { bytes, blobs } = writePuffin(
    targets.map((t) => deletionVectorBlob(t.file.filePath, t.merged)),
    { 'created-by': 'floe' },
  );
  const location = `${dataRoot(metadata)}/${randomUUID()}-deletes.puffin`;
  await io.write(location, bytes);
  const deleteFiles = targets.map((target, i) => {
    const blob = blobs[i]!;
    const file: DataFile = {
      content: 'position-deletes',
      filePath: location,
      fileFormat: 'puffin',
      partition: target.file.partition,
      recordCount: BigInt(target.merged.cardinality),
      fileSizeInBytes: BigInt(bytes.length),
      referencedDataFile: target.file.filePath,
      contentOffset: blob.offset,
      contentSizeInBytes: blob.length,
    };
    return { file, specId: target.specId };
  });
  return { deleteFiles, writtenLocations: [location] };
}

async function writePositionDeletes(
  metadata: TableMetadata,
  io: FileIO,
  targets: readonly DeleteTarget[],
): Promise<WrittenDeletes> {
  const schema = currentSchema(metadata);
  const deleteFiles: { file: DataFile; specId: number }[] = [];
  const writtenLocations: string[] = [];
  try {
    for (const target of targets) {
      const positions = [...target.positions.values()];
      const batch = new arrow.Table({
        file_path: arrow.vectorFromArray(
          positions.map(() => target.file.filePath),
          new arrow.Utf8(),
        ),
        pos: arrow.makeVector(BigInt64Array.from(positions, BigInt)),
      }).batches[0]!;
      const spec = specById(metadata, target.specId);
      const partition =
        spec.fields.length === 0
          ? undefined
          : {
              tuple: target.file.partition,
              path: partitionPath(bindPartitionSpec(spec, schema), target.file.partition),
            };
      const files = await writeDataFiles([batch], {
        io,
        tableLocation: metadata.location,
        schema: POSITION_DELETE_SCHEMA,
        arrowSchema: batch.schema,
        // Full bounds: lower = upper = the data file's path, which scopes the file to it.
        properties: { ...metadata.properties, 'write.metadata.metrics.default': 'full' },
        fileNamePrefix: `00000-${randomUUID()}-deletes`,
        ...(partition === undefined ? {} : { partition }),
      });
      for (const file of files) {
        writtenLocations.push(file.filePath);
        deleteFiles.push({
          file: { ...file, content: 'position-deletes', referencedDataFile: target.file.filePath },
          specId: target.specId,
        });
      }
    }
  } catch (error) {
    await io.deleteMany(writtenLocations).catch(() => undefined);
    throw error;
  }
  return { deleteFiles, writtenLocations };
}
