// Checks commit requirements (`TableRequirement`) against the table's current metadata, the
// way a REST catalog does before applying updates. A failed requirement means someone else
// committed first: the caller reloads, rebases and retries, so the thrown error is a
// retryable `commit-conflict` that says which requirement failed and what the table holds.

import { IcebergError } from '../errors.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import type { TableRequirement } from './updates.ts';

export interface RequirementFailure {
  readonly index: number;
  readonly requirement: TableRequirement;
  readonly reason: string;
}

function failureReason(
  metadata: TableMetadata | undefined,
  requirement: TableRequirement,
): string | undefined {
  if (requirement.type === 'assert-create') {
    return metadata === undefined ? undefined : 'the table already exists';
  }
  if (metadata === undefined) return 'the table does not exist';
  const mismatch = (what: string, actual: unknown, expected: unknown): string | undefined =>
    actual === expected ? undefined : `${what} is ${String(actual)}, expected ${String(expected)}`;
  switch (requirement.type) {
    case 'assert-table-uuid':
      return mismatch('table uuid', metadata.tableUuid, requirement.uuid);
    case 'assert-ref-snapshot-id': {
      const ref = metadata.refs[requirement.ref];
      if (requirement.snapshotId === null) {
        return ref === undefined
          ? undefined
          : `ref '${requirement.ref}' already exists at snapshot ${ref.snapshotId}`;
      }
      if (ref === undefined) {
        return `ref '${requirement.ref}' does not exist, expected it at snapshot ${requirement.snapshotId}`;
      }
      return mismatch(`ref '${requirement.ref}' snapshot`, ref.snapshotId, requirement.snapshotId);
    }
    case 'assert-last-assigned-field-id':
      return mismatch('last assigned field id', metadata.lastColumnId, requirement.lastAssignedFieldId);
    case 'assert-current-schema-id':
      return mismatch('current schema id', metadata.currentSchemaId, requirement.currentSchemaId);
    case 'assert-last-assigned-partition-id':
      return mismatch(
        'last assigned partition id',
        metadata.lastPartitionId,
        requirement.lastAssignedPartitionId,
      );
    case 'assert-default-spec-id':
      return mismatch('default spec id', metadata.defaultSpecId, requirement.defaultSpecId);
    case 'assert-default-sort-order-id':
      return mismatch('default sort order id', metadata.defaultSortOrderId, requirement.defaultSortOrderId);
  }
}

/** Every requirement that does not hold, with the reason; empty when the commit may proceed. */
export function checkRequirements(
  metadata: TableMetadata | undefined,
  requirements: readonly TableRequirement[],
): RequirementFailure[] {
  const failures: RequirementFailure[] = [];
  requirements.forEach((requirement, index) => {
    const reason = failureReason(metadata, requirement);
    if (reason !== undefined) failures.push({ index, requirement, reason });
  });
  return failures;
}

/** Throws a retryable `commit-conflict` naming the first failed requirement. */
export function assertRequirements(
  metadata: TableMetadata | undefined,
  requirements: readonly TableRequirement[],
): void {
  const [first, ...rest] = checkRequirements(metadata, requirements);
  if (first === undefined) return;
  const more = rest.length > 0 ? ` (and ${rest.length} more failed requirement(s))` : '';
  throw new IcebergError(
    'commit-conflict',
    `requirement failed: ${first.requirement.type}: ${first.reason}${more}`,
    { context: { requirement: first.requirement.type, index: first.index } },
  );
}
