// Compaction on demand: after each commit the writer counts the small data files the table has
// gained since its last compaction (@floe/iceberg `smallFilesSinceCompaction`, summaries only)
// and, past the table's trigger (`floe.compaction.trigger-small-files`, else floe.yaml
// `writer.compaction_trigger_small_files`; 0 = off), enqueues one `compact` job for the table on
// the maintenance queue. A table taking dozens of small commits a second then gets compacted as
// fast as it fills, instead of growing thousands of files between the maintenance worker's
// scheduled ticks. At most one such job per table waits or runs at a time (BullMQ
// deduplication), and one process asks at most once per `minIntervalMs` per table, so a table
// whose small files compaction cannot merge (fewer than `min-input-files` per partition) costs
// one planning run per interval. The maintenance worker runs it like any other run: the table
// lock, the Polaris policy and the table's compaction properties apply. Enqueue failures are
// logged, never fail the write.
import {
  type CatalogCommitter,
  compactionTrigger,
  formatTable,
  smallFilesSinceCompaction,
  type TableIdentifier,
  type TableMetadata,
} from '@floe/iceberg';
import { MAINTENANCE_JOB_VERSION, type MaintenanceJob } from '@floe/jobs';
import type { Queue } from 'bullmq';

export interface AutoCompactionOptions {
  /** The maintenance queue. */
  readonly queue: Pick<Queue, 'add'>;
  /** Small files since the last compaction that trigger one, unless the table says otherwise; 0 = off. */
  readonly triggerSmallFiles: number;
  readonly minIntervalMs: number;
  readonly logger?: { warn(fields: Record<string, unknown>, message: string): void };
  readonly onRequested?: (table: string) => void;
  readonly now?: () => number;
}

/** One `compact` run at a time per table, whichever process asked. */
export function autoCompactionKey(table: string): string {
  return `auto-compact.${table}`;
}

export class AutoCompaction {
  readonly #options: AutoCompactionOptions;
  readonly #askedAt = new Map<string, number>();

  constructor(options: AutoCompactionOptions) {
    this.#options = options;
  }

  /** `inner` whose successful commits are checked against the trigger. */
  committer(inner: CatalogCommitter): CatalogCommitter {
    return {
      loadTable: (identifier) => inner.loadTable(identifier),
      commitTable: async (identifier, requirements, updates) => {
        const table = await inner.commitTable(identifier, requirements, updates);
        this.observe(identifier, table.metadata);
        return table;
      },
    };
  }

  /** Asks for a compaction when the table is past its trigger; returns whether it asked. */
  observe(identifier: TableIdentifier, metadata: TableMetadata): boolean {
    const trigger = compactionTrigger(metadata, this.#options.triggerSmallFiles);
    if (trigger === 0) return false;
    const name = formatTable(identifier);
    const now = (this.#options.now ?? Date.now)();
    const asked = this.#askedAt.get(name);
    if (asked !== undefined && now - asked < this.#options.minIntervalMs) return false;
    if (smallFilesSinceCompaction(metadata) < trigger) return false;
    this.#askedAt.set(name, now);
    const job: MaintenanceJob = {
      version: MAINTENANCE_JOB_VERSION,
      action: 'compact',
      table: { namespace: [...identifier.namespace], name: identifier.name },
      dryRun: false,
      policy: {},
    };
    this.#options.queue
      .add('compact', job, {
        jobId: `${autoCompactionKey(name)}.${now}`.replaceAll(':', '-'),
        deduplication: { id: autoCompactionKey(name) },
        attempts: 3,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: { age: 24 * 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
      })
      .then(() => this.#options.onRequested?.(name))
      .catch((error: unknown) =>
        this.#options.logger?.warn(
          { table: name, err: error instanceof Error ? error.message : String(error) },
          'could not ask the maintenance worker for a compaction',
        ),
      );
    return true;
  }
}
