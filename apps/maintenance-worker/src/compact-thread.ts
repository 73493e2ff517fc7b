// Entry point of the thread a compaction rewrite runs in (compact-rewriter.ts): decoding the
// input Parquet files, applying deletes, sorting and encoding the output are CPU work that would
// otherwise stall the maintenance worker's event loop (its table-lock renewal and BullMQ's job
// lock). The thread gets plain data — the table metadata, the group's input file paths and the
// FileIO settings — plans the table again (reading manifests only), rewrites the group with
// @floe/iceberg's `rewriteGroup`, and posts back the new files (structured clone keeps their
// bigints and Maps) or the error's message and retryable flag.
import { parentPort, workerData } from 'node:worker_threads';
import type { CompactionGroup } from '@floe/iceberg';
import { fileIOFor, isIcebergError, planScan, rewriteGroup, type TableMetadata } from '@floe/iceberg';

export interface CompactThreadInput {
  readonly metadata: TableMetadata;
  readonly location: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly group: Omit<CompactionGroup, 'tasks'> & { readonly paths: readonly string[] };
  readonly targetFileSizeBytes: number;
}

export type CompactThreadReply =
  | { readonly ok: true; readonly files: CompactionGroupFiles }
  | { readonly ok: false; readonly message: string; readonly retryable: boolean };

type CompactionGroupFiles = Awaited<ReturnType<typeof rewriteGroup>>;

async function run(input: CompactThreadInput): Promise<CompactThreadReply> {
  try {
    const io = fileIOFor(input.location, input.properties);
    const scan = await planScan(input.metadata, io);
    const wanted = new Set(input.group.paths);
    const tasks = scan.tasks.filter((t) => wanted.has(t.file.filePath));
    if (tasks.length !== wanted.size) {
      return {
        ok: false,
        message: 'compaction inputs are no longer in the planned snapshot',
        retryable: true,
      };
    }
    const { paths: _paths, ...group } = input.group;
    const files = await rewriteGroup({
      io,
      metadata: input.metadata,
      scan,
      group: { ...group, tasks },
      targetFileSizeBytes: input.targetFileSizeBytes,
    });
    return { ok: true, files };
  } catch (error) {
    return {
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      retryable: isIcebergError(error) ? error.retryable : true,
    };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  void run(workerData as CompactThreadInput).then((reply) => port.postMessage(reply));
}
