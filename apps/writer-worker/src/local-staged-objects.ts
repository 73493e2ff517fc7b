// Staged objects in a local folder (`storage.staging.location: file:///…`, floe on one machine):
// the same streaming read as from S3 — a file stream instead of a GetObject body — and the same
// errors: a missing file is `staged-object-missing` (re-stage and enqueue again), a permission
// problem fails the job, anything else may be retried.
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { WriterError } from './writer-error.ts';

export function isLocalStagedUri(uri: string): boolean {
  return uri.startsWith('file:');
}

export function localStagedError(error: unknown, uri: string): WriterError {
  if (error instanceof WriterError) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? 'error');
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new WriterError(
      'staged-object-missing',
      `staged object ${uri} does not exist (${code}): it was deleted or never written; re-stage the data and enqueue the job again`,
      { context: { uri, code } },
    );
  }
  const permanent = code === 'EACCES' || code === 'EPERM' || code === 'EISDIR';
  return new WriterError(
    'staged-object-io',
    `reading staged object ${uri} failed (${code}): ${(error as Error).message}${permanent ? '; check that the writer may read storage.staging.location' : ''}`,
    { context: { uri, code }, retryable: !permanent, cause: error },
  );
}

/** The file's bytes as a stream, after checking its size against the limit. */
export async function openLocalBody(
  uri: string,
  maxBytes: number,
  tooLarge: (bytes: number) => WriterError,
): Promise<{ body: AsyncIterable<Uint8Array>; destroy: () => void }> {
  const path = fileURLToPath(uri);
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) throw tooLarge(size);
  } catch (error) {
    throw localStagedError(error, uri);
  }
  const stream = createReadStream(path);
  return { body: stream, destroy: () => stream.destroy() };
}

export async function deleteLocalStaged(uri: string): Promise<void> {
  await rm(fileURLToPath(uri), { force: true });
}
