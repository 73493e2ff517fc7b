// Which delete files a snapshot that removes data files must drop with them (spec §Delete
// Formats: "when removing a data file, writers must also remove any deletion vector that applies
// to that data file"). A delete file that names its one data file (a deletion vector, or a
// position delete file with `referenced_data_file` or equal `file_path` bounds) is obsolete once that file is removed; when
// a change removes every data file of the table (a whole-table overwrite), every older delete
// file is obsolete, since deletes never apply to data added after them by position and equality
// deletes only to older data. A delete file covering several data files, some still live, stays.

import type { DataFile } from '../manifest/data-file.ts';
import { referencedDataFile } from '../scan/delete-index.ts';

export function isObsoleteDeleteFile(
  file: DataFile,
  removedDataFiles: ReadonlySet<string>,
  allDataRemoved: boolean,
): boolean {
  if (allDataRemoved) return true;
  if (file.content === 'equality-deletes') return false;
  const target = referencedDataFile(file);
  return target !== undefined && removedDataFiles.has(target);
}
