// Entry point of one Parquet encode thread (worker_threads, started by encode-threads.ts): says
// it is ready (after a throwaway encode when asked to warm up), then encodes each chunk it is sent
// (encode-chunk.ts) and posts back the file bytes, transferred rather than copied, or the error
// flattened to plain data.
import { parentPort } from 'node:worker_threads';
import {
  type EncodeChunkReply,
  type EncodeChunkRequest,
  encodeChunk,
  flattenChunkError,
  warmUp,
} from './encode-chunk.ts';

const port = parentPort;
if (port === null)
  throw new Error('encode-chunk-thread.ts runs inside a worker thread (see encode-threads.ts)');

port.on('message', (request: EncodeChunkRequest | 'ping' | 'warm') => {
  if (request === 'ping') {
    port.postMessage('ready');
    return;
  }
  if (request === 'warm') {
    // Ready once warm: a failed warm-up is no reason to refuse real work.
    void warmUp()
      .catch(() => undefined)
      .then(() => port.postMessage('ready'));
    return;
  }
  encodeChunk(request).then(
    (chunk) => {
      const reply: EncodeChunkReply = { id: request.id, ok: true, chunk };
      port.postMessage(reply, [chunk.bytes.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const reply: EncodeChunkReply = { id: request.id, ok: false, error: flattenChunkError(error) };
      port.postMessage(reply);
    },
  );
});
