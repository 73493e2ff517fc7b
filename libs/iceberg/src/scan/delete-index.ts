// Which delete files apply to a data file (spec §Scan Planning, "delete file applicability"). A
// position delete applies to data files of the same partition (or any partition when the delete
// file is unpartitioned) whose data sequence number is not newer than the delete's; an equality
// delete only to strictly older data. A position delete that names its data file
// (`referenced_data_file`, or equal lower/upper bounds on `file_path`) applies to that file only.
// A deletion vector (format v3: a Puffin blob) always names its data file and replaces every
// position delete file written for it before, so when one applies, position delete files for
// the same data file are ignored (spec §Deletion Vectors).

import type { DataFile } from '../manifest/data-file.ts';
import { isDeletionVector } from '../puffin/deletion-vector.ts';
import { partitionKey } from '../spec/partition.ts';
import type { Schema } from '../spec/types.ts';

export interface DeleteFileEntry {
  readonly file: DataFile;
  readonly specId: number;
  readonly sequenceNumber: bigint;
}

/** Field id of `file_path` in position delete files (reserved by the spec). */
export const DELETE_FILE_PATH_ID = 2147483546;
/** Field id of `pos` in position delete files. */
export const DELETE_POS_ID = 2147483545;

/** The columns of a position delete file (without the optional deleted `row`). */
export const POSITION_DELETE_SCHEMA: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: DELETE_FILE_PATH_ID, name: 'file_path', required: true, type: { kind: 'string' } },
    { id: DELETE_POS_ID, name: 'pos', required: true, type: { kind: 'long' } },
  ],
};

const decoder = new TextDecoder();

export function deletesFor(
  file: DataFile,
  specId: number,
  dataSequenceNumber: bigint,
  deletes: readonly DeleteFileEntry[],
  isUnpartitioned: (specId: number) => boolean,
): DeleteFileEntry[] {
  if (deletes.length === 0) return [];
  const key = partitionKey(file.partition);
  const applicable = deletes.filter((entry) => {
    const global = isUnpartitioned(entry.specId);
    if (!global && (entry.specId !== specId || partitionKey(entry.file.partition) !== key)) return false;
    if (entry.file.content === 'equality-deletes') return entry.sequenceNumber > dataSequenceNumber;
    if (entry.sequenceNumber < dataSequenceNumber) return false;
    const referenced = referencedDataFile(entry.file);
    return referenced === undefined || referenced === file.filePath;
  });
  if (!applicable.some((entry) => isDeletionVector(entry.file))) return applicable;
  return applicable.filter(
    (entry) => entry.file.content === 'equality-deletes' || isDeletionVector(entry.file),
  );
}

/** The one data file a delete file applies to, when it names one (see header); else undefined. */
export function referencedDataFile(file: DataFile): string | undefined {
  if (file.referencedDataFile !== undefined) return file.referencedDataFile;
  const lower = file.lowerBounds?.get(DELETE_FILE_PATH_ID);
  const upper = file.upperBounds?.get(DELETE_FILE_PATH_ID);
  if (lower === undefined || upper === undefined) return undefined;
  const low = decoder.decode(lower);
  return low === decoder.decode(upper) ? low : undefined;
}
