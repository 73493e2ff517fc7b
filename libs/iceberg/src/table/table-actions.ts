// The table actions that produce snapshots, each a `SnapshotChange` for commitWithRebase:
//   fast append        — add files, touch nothing else;
//   overwrite          — remove every live file (or those a selector picks), add files;
//   replace partitions — remove live files in exactly the partitions the new files belong to
//                        (dynamic partition overwrite), add files.
// Deletes are decided against each attempt's fresh parent, so a rebase after a conflict removes
// what is live *then*, not what was live when the write started.
import type { DataFile } from '../manifest/data-file.ts';
import { partitionKey } from '../spec/partition.ts';
import type { DeleteSelector, SnapshotChange } from './snapshot-producer.ts';

export interface AddedDataFile {
  readonly file: DataFile;
  readonly specId: number;
}

export interface ActionOptions {
  readonly summaryProperties?: Readonly<Record<string, string>>;
}

export function fastAppend(files: readonly AddedDataFile[], options: ActionOptions = {}): SnapshotChange {
  return { operation: 'append', addedFiles: files, ...options };
}

/** Whole-table overwrite, or only the files `selector` picks. */
export function overwrite(
  files: readonly AddedDataFile[],
  selector: DeleteSelector = () => true,
  options: ActionOptions = {},
): SnapshotChange {
  return { operation: 'overwrite', addedFiles: files, deleteSelector: selector, ...options };
}

export function replacePartitions(
  files: readonly AddedDataFile[],
  options: ActionOptions = {},
): SnapshotChange {
  const touched = new Set(files.map(({ file, specId }) => `${specId}/${partitionKey(file.partition)}`));
  return {
    operation: 'overwrite',
    addedFiles: files,
    deleteSelector: (file, specId) => touched.has(`${specId}/${partitionKey(file.partition)}`),
    summaryProperties: { ...options.summaryProperties, 'replace-partitions': 'true' },
  };
}
