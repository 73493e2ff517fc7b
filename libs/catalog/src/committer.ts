// The bridge from a `Catalog` to the format library's `CatalogCommitter` seam (@floe/iceberg
// table/catalog-committer.ts): loads come back as domain `TableMetadata`, and commits take the
// domain `TableRequirement`/`TableUpdate` unions, converted to their REST wire form here. The
// catalog's error kinds (`commit-conflict`, `commit-state-unknown`) pass through unchanged, which
// is exactly what the commit driver in @floe/iceberg branches on; a commit answer whose metadata
// cannot be read is `commit-state-unknown` too (the catalog accepted it). A caller that keeps
// table states (the writer's cache) can hand the committer its latest parse of each table, so
// loads and commit answers only read the snapshots that are new (`parseTableMetadata`'s `known`).

import {
  type CatalogCommitter,
  type CommittedTable,
  parseTableMetadata,
  type TableMetadata,
  type TableRequirement,
  type TableUpdate,
  tableRequirementToJson,
  tableUpdateToJson,
} from '@floe/iceberg';
import type { Catalog, LoadedTable, TableIdentifier } from './catalog.ts';
import { unreadableCommitAnswer } from './commit-outcome.ts';
import { CatalogError } from './errors.ts';
import { formatTable } from './identifiers.ts';
import type { JsonObject } from './internal/json-shapes.ts';

/**
 * The domain form of a loaded table's metadata; unreadable metadata is an `invalid-response`.
 * `known`: an earlier parse of the same table, whose snapshots are reused by id.
 */
export function tableMetadataOf(
  table: Pick<LoadedTable, 'identifier' | 'metadata'>,
  known?: TableMetadata,
): TableMetadata {
  return domainMetadata(table.identifier, table.metadata, 'loadTable', known);
}

function domainMetadata(
  identifier: TableIdentifier,
  metadata: JsonObject,
  operation: string,
  known: TableMetadata | undefined,
): TableMetadata {
  try {
    return parseTableMetadata(metadata, known === undefined ? {} : { known });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CatalogError(
      'invalid-response',
      `${operation} table ${formatTable(identifier)}: the catalog returned table metadata floe cannot read (${reason}); ` +
        'check the table with another Iceberg client and report it if the metadata looks valid',
      { context: { operation, table: formatTable(identifier) }, cause: error },
    );
  }
}

export interface CatalogCommitterOptions {
  /** The caller's latest parse of a table, if any (its snapshots are not read again). */
  readonly knownMetadata?: (identifier: TableIdentifier) => TableMetadata | undefined;
}

export function catalogCommitter(catalog: Catalog, options: CatalogCommitterOptions = {}): CatalogCommitter {
  const known = (identifier: TableIdentifier) => options.knownMetadata?.(identifier);
  return {
    async loadTable(identifier): Promise<CommittedTable> {
      const loaded = await catalog.loadTable(identifier);
      return {
        metadata: tableMetadataOf(loaded, known(identifier)),
        metadataLocation: loaded.metadataLocation,
      };
    },
    async commitTable(
      identifier,
      requirements: readonly TableRequirement[],
      updates: readonly TableUpdate[],
    ): Promise<CommittedTable> {
      const result = await catalog.commitTable(identifier, {
        requirements: requirements.map(tableRequirementToJson),
        updates: updates.map(tableUpdateToJson),
      });
      let metadata: TableMetadata;
      try {
        metadata = domainMetadata(identifier, result.metadata, 'commitTable', known(identifier));
      } catch (error) {
        throw unreadableCommitAnswer(error, `table ${formatTable(identifier)}`, 200);
      }
      return { metadata, metadataLocation: result.metadataLocation };
    },
  };
}
