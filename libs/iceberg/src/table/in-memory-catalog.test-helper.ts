// A real, minimal catalog held in memory for unit tests of the commit loop: it checks
// requirements and applies updates with the library's own builder, exactly the semantics a REST
// catalog implements. Hooks let a test inject a concurrent commit or a lost response.

import type { DataFile } from '../manifest/data-file.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { checkRequirements } from '../metadata/requirements.ts';
import type { TableRequirement, TableUpdate } from '../metadata/updates.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import type { CatalogCommitter, CommittedTable } from './catalog-committer.ts';
import type { TableIdentifier } from './table-identifier.ts';

export class FakeCatalogError extends Error {
  readonly kind: string;
  constructor(kind: string, message: string) {
    super(message);
    this.kind = kind;
  }
}

export class InMemoryCatalog implements CatalogCommitter {
  metadata: TableMetadata;
  commits = 0;
  loads = 0;
  /** Runs before a commit is checked; may commit something else first (a concurrent writer). */
  beforeCommit: ((attempt: number) => Promise<void> | void) | undefined;
  /**
   * When set for an attempt number, the commit is reported as unknown and was applied, lost, or
   * is applied late: just before the next commit request is checked (a gateway's 504 while the
   * catalog is still applying it).
   */
  unknownOutcome = new Map<number, 'applied' | 'lost' | 'late'>();
  /** Fails every load while true (a catalog that went away). */
  failLoads = false;
  /** Answers an applied commit with the table as it was before (an answer that does not show it). */
  staleAnswers = false;
  private late: { requirements: readonly TableRequirement[]; updates: readonly TableUpdate[] } | undefined;

  constructor(metadata: TableMetadata) {
    this.metadata = metadata;
  }

  async loadTable(_identifier: TableIdentifier): Promise<CommittedTable> {
    this.loads++;
    if (this.failLoads) throw new FakeCatalogError('service-unavailable', '503 on reload');
    return { metadata: this.metadata, metadataLocation: `mem://t/metadata/v${this.commits}.json` };
  }

  async commitTable(
    _identifier: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<CommittedTable> {
    this.commits++;
    const late = this.late;
    this.late = undefined;
    if (late !== undefined && checkRequirements(this.metadata, late.requirements).length === 0) {
      this.metadata = applyUpdates(this.metadata, late.updates);
    }
    await this.beforeCommit?.(this.commits);
    const unknown = this.unknownOutcome.get(this.commits);
    if (unknown === 'lost') throw new FakeCatalogError('commit-state-unknown', '502 bad gateway');
    if (unknown === 'late') {
      this.late = { requirements, updates };
      throw new FakeCatalogError('commit-state-unknown', '504 gateway timeout, still applying');
    }
    const failures = checkRequirements(this.metadata, requirements);
    if (failures.length > 0) {
      throw new FakeCatalogError('commit-conflict', failures.map((f) => f.reason).join('; '));
    }
    const before = this.metadata;
    this.metadata = applyUpdates(this.metadata, updates);
    if (this.staleAnswers)
      return { metadata: before, metadataLocation: `mem://t/metadata/v${this.commits - 1}.json` };
    if (unknown === 'applied') throw new FakeCatalogError('commit-state-unknown', '504 gateway timeout');
    return { metadata: this.metadata, metadataLocation: `mem://t/metadata/v${this.commits}.json` };
  }
}

export function newTableMetadata(partitioned = true): TableMetadata {
  return applyUpdates(undefined, [
    { action: 'assign-uuid', uuid: '11111111-2222-3333-4444-555555555555' },
    { action: 'upgrade-format-version', formatVersion: 2 },
    {
      action: 'add-schema',
      schema: {
        schemaId: 0,
        identifierFieldIds: [],
        fields: [
          { id: 1, name: 'id', required: true, type: { kind: 'long' } },
          { id: 2, name: 'region', required: false, type: { kind: 'string' } },
        ],
      },
      lastColumnId: 2,
    },
    { action: 'set-current-schema', schemaId: -1 },
    {
      action: 'add-spec',
      spec: {
        specId: 0,
        fields: partitioned ? [{ sourceId: 2, fieldId: 1000, name: 'region', transform: 'identity' }] : [],
      },
    },
    { action: 'set-default-spec', specId: -1 },
    { action: 'add-sort-order', sortOrder: { orderId: 0, fields: [] } },
    { action: 'set-default-sort-order', sortOrderId: -1 },
    { action: 'set-location', location: 'mem://t' },
    {
      action: 'set-properties',
      updates: { 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' },
    },
  ]);
}

/** A data file entry under mem://t/data/ (nothing is written): `rows` rows in partition `region`. */
export function memDataFile(
  name: string,
  region: string | null,
  rows: bigint,
): { file: DataFile; specId: number } {
  return {
    specId: 0,
    file: {
      content: 'data',
      filePath: `mem://t/data/${name}.parquet`,
      fileFormat: 'parquet',
      partition: [region],
      recordCount: rows,
      fileSizeInBytes: rows * 10n,
    },
  };
}
