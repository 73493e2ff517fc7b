// Staging in a local folder (`storage.staging.location: file:///…`) for floe on one machine:
// each part is written to a temporary sibling and renamed into place, so a writer never reads a
// half-written part, exactly as an S3 upload becomes visible only when complete. Failures name
// the file and say what to fix.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FloeProducerError } from './errors.ts';

/** The path of `key` under a `file:///folder` staging root. */
export function localStagingPath(root: string, key: string): string {
  return fileURLToPath(`${root.replace(/\/+$/, '')}/${key}`);
}

export async function writeLocalPart(root: string, key: string, body: Uint8Array): Promise<void> {
  const path = localStagingPath(root, key);
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, body);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    const code = String((error as { code?: unknown }).code ?? 'error');
    throw new FloeProducerError(
      'storage-error',
      `staging ${path} failed (${code}: ${(error as Error).message}): check that storage.staging.location is a folder this process may write`,
      {
        context: { path, code },
        cause: error,
        retryable: !['EACCES', 'EPERM', 'EROFS', 'ENOTDIR'].includes(code),
      },
    );
  }
}

export async function deleteLocalParts(root: string, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((key) => rm(localStagingPath(root, key), { force: true })));
}
