// Upgrading a table's format version (v1 → v2, v2 → v3) through the catalog: one
// `upgrade-format-version` update guarded by `assert-table-uuid`. Upgrading never rewrites data
// or manifests; on v3 the catalog starts `next-row-id` at 0 and floe's next commit gives the
// existing rows their ids (row-lineage.ts). The change is idempotent, so a conflict or an unknown
// outcome is settled by reloading: a table already at (or past) the target is the goal reached.
// A downgrade or an unknown version is refused before anything is sent.

import { IcebergError } from '../errors.ts';
import {
  type CatalogCommitter,
  type CommittedTable,
  isCommitConflict,
  isCommitStateUnknown,
} from './catalog-committer.ts';
import { formatTable, type TableIdentifier } from './table-identifier.ts';

export interface UpgradeFormatVersionResult {
  readonly table: CommittedTable;
  readonly previousVersion: 1 | 2 | 3;
  /** False when the table already had the requested version (nothing was committed). */
  readonly upgraded: boolean;
}

const ATTEMPTS = 4;

export async function upgradeFormatVersion(
  committer: CatalogCommitter,
  identifier: TableIdentifier,
  formatVersion: number,
): Promise<UpgradeFormatVersionResult> {
  const name = formatTable(identifier);
  if (formatVersion !== 2 && formatVersion !== 3) {
    throw new IcebergError(
      'invalid-argument',
      `cannot upgrade ${name} to format version ${formatVersion}: floe writes format versions 2 and 3`,
      { context: { table: name, formatVersion } },
    );
  }
  let table = await committer.loadTable(identifier);
  const previousVersion = table.metadata.formatVersion;
  if (previousVersion > formatVersion) {
    throw new IcebergError(
      'invalid-argument',
      `${name} is at format version ${previousVersion}; format versions cannot be downgraded to ${formatVersion}`,
      { context: { table: name, formatVersion } },
    );
  }
  for (let attempt = 1; ; attempt++) {
    if (table.metadata.formatVersion >= formatVersion) {
      return { table, previousVersion, upgraded: previousVersion < formatVersion };
    }
    try {
      const committed = await committer.commitTable(
        identifier,
        [{ type: 'assert-table-uuid', uuid: table.metadata.tableUuid }],
        [{ action: 'upgrade-format-version', formatVersion }],
      );
      return { table: committed, previousVersion, upgraded: true };
    } catch (error) {
      if (attempt >= ATTEMPTS || !(isCommitConflict(error) || isCommitStateUnknown(error))) throw error;
      table = await committer.loadTable(identifier);
    }
  }
}
