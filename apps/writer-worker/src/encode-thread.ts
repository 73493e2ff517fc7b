// Entry point of one encode thread (worker_threads): receives encode tasks from encode-pool.ts,
// builds the staging S3 client and the table FileIO from plain settings (cached per thread, so a
// busy thread reuses its connections; table-io-cache.ts), keeps the Parquet threads of a big
// job warm, runs `encodeJob` and posts back the DataFile records
// (structured clone carries their bigints, Maps and byte arrays) or the error flattened to its
// message, name, kind, retryable flag and context — the main thread rebuilds it for retry-or-fail.
import { parentPort } from 'node:worker_threads';
import type { S3Client } from '@aws-sdk/client-s3';
import { prepareEncodeThreads } from '@floe/iceberg';
import { encodeJob, JOB_ENCODE_THREADS } from './encode-job.ts';
import type { EncodeTask, ThreadReply } from './encode-protocol.ts';
import { flattenError } from './encode-protocol.ts';
import { stagingClientFrom } from './staged-objects.ts';
import { TableIOCache } from './table-io-cache.ts';

const stagingClients = new Map<string, S3Client>();
const tableIOs = new TableIOCache();

function stagingClient(task: EncodeTask): S3Client {
  const key = JSON.stringify(task.staging);
  let client = stagingClients.get(key);
  if (client === undefined) {
    client = stagingClientFrom(task.staging);
    stagingClients.set(key, client);
  }
  return client;
}

const port = parentPort;
if (port === null) throw new Error('encode-thread.ts runs inside a worker thread (see encode-pool.ts)');

// The Parquet threads a big job encodes its row ranges on, started and warmed now and kept warm:
// a cold thread encodes the first chunk about half as fast. Only as many as one job uses, not a
// thread per core (every encode thread of the process keeps its own).
void prepareEncodeThreads(JOB_ENCODE_THREADS).catch(() => undefined);

port.on('message', (task: EncodeTask) => {
  let reply: Promise<ThreadReply>;
  try {
    const clients = { staging: stagingClient(task), io: tableIOs.fileIO(task.io) };
    reply = encodeJob(task.request, clients).then(
      (result): ThreadReply => ({ id: task.id, ok: true, result }),
      (error: unknown): ThreadReply => ({ id: task.id, ok: false, error: flattenError(error) }),
    );
  } catch (error) {
    reply = Promise.resolve({ id: task.id, ok: false, error: flattenError(error) });
  }
  void reply.then((message) => port.postMessage(message));
});
