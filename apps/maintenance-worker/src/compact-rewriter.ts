// The compaction rewriter the maintenance worker uses: each group is rewritten in a worker
// thread (compact-thread.ts), so decoding and encoding never block the event loop that renews
// the table lock and BullMQ's job lock. With vended credentials the FileIO's refreshing
// credential provider cannot cross into a thread, so the group is rewritten in-process instead.
import { Worker } from 'node:worker_threads';
import { type GroupRewriter, IcebergError, rewriteGroup } from '@floe/iceberg';
import type { CompactThreadInput, CompactThreadReply } from './compact-thread.ts';

export function threadRewriter(settings: {
  readonly location: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly vendedCredentials: boolean;
}): GroupRewriter {
  if (settings.vendedCredentials) return rewriteGroup;
  return ({ metadata, group, targetFileSizeBytes }) => {
    const { tasks, ...rest } = group;
    const workerData: CompactThreadInput = {
      metadata,
      location: settings.location,
      properties: settings.properties,
      group: { ...rest, paths: tasks.map((t) => t.file.filePath) },
      targetFileSizeBytes,
    };
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./compact-thread.ts', import.meta.url), { workerData });
      let settled = false;
      worker.once('message', (reply: CompactThreadReply) => {
        settled = true;
        if (reply.ok) resolve(reply.files);
        else
          reject(
            new IcebergError('io', `compaction rewrite failed: ${reply.message}`, {
              retryable: reply.retryable,
            }),
          );
        void worker.terminate();
      });
      worker.once('error', (error) => {
        if (!settled)
          reject(new IcebergError('io', `compaction thread crashed: ${error.message}`, { cause: error }));
        settled = true;
      });
      worker.once('exit', (code) => {
        if (!settled)
          reject(new IcebergError('io', `compaction thread exited with code ${code} before answering`));
        settled = true;
      });
    });
  };
}
