// The narrow seam between the table format and a catalog (DESIGN §2): the format library never
// imports the catalog implementation; it asks for the current table and hands over a commit
// as requirements + updates. `@floe/catalog` provides an adapter that satisfies this contract.
// A committer signals optimistic-concurrency failure by throwing an error whose `kind` is
// `commit-conflict` (a requirement no longer holds: rebase and retry), and an unknown outcome
// (5xx, lost response) with `commit-state-unknown` (reload and look before doing anything).
import type { TableRequirement, TableUpdate } from '../metadata/updates.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import type { TableIdentifier } from './table-identifier.ts';

export interface CommittedTable {
  readonly metadata: TableMetadata;
  readonly metadataLocation: string | undefined;
}

export interface CatalogCommitter {
  loadTable(identifier: TableIdentifier): Promise<CommittedTable>;
  commitTable(
    identifier: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<CommittedTable>;
}

function kindOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { kind?: unknown }).kind : undefined;
}

export function isCommitConflict(error: unknown): boolean {
  return kindOf(error) === 'commit-conflict';
}

export function isCommitStateUnknown(error: unknown): boolean {
  return kindOf(error) === 'commit-state-unknown';
}
