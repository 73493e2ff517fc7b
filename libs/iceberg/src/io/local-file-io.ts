// FileIO over the local filesystem, for `file://` URIs (`file:///tmp/wh`, Hadoop's `file:/tmp/wh`)
// and plain paths. Used by local development, the CLI and tests that want real files without a
// store. Writes go to a temporary sibling and are renamed into place, so a reader never sees a
// half-written metadata or data file (object stores give us that for free).

import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IcebergError } from '../errors.ts';
import {
  BaseFileIO,
  checkRange,
  type FileInfo,
  notFound,
  rangeOutside,
  type WriteSource,
} from './file-io.ts';

export class LocalFileIO extends BaseFileIO {
  async write(location: string, source: WriteSource): Promise<number> {
    const path = localPath(location);
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      let written = 0;
      const body = Readable.from(
        source instanceof Uint8Array ? [source] : (source as AsyncIterable<Uint8Array>),
      );
      const counter = async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          written += chunk.byteLength;
          yield chunk;
        }
      };
      await pipeline(body, counter, createWriteStream(temporary));
      await rename(temporary, path);
      return written;
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw ioError('write', location, error);
    }
  }

  async read(location: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(localPath(location)));
    } catch (error) {
      throw ioError('read', location, error);
    }
  }

  async readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(location, offset, length);
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(localPath(location), 'r');
      const size = (await handle.stat()).size;
      if (offset + length > size) throw rangeOutside(location, offset, length, size);
      const buffer = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer;
    } catch (error) {
      throw ioError('read', location, error);
    } finally {
      await handle?.close();
    }
  }

  async length(location: string): Promise<number> {
    try {
      const info = await stat(localPath(location));
      if (!info.isFile()) throw notFound(location);
      return info.size;
    } catch (error) {
      throw ioError('stat', location, error);
    }
  }

  async exists(location: string): Promise<boolean> {
    try {
      return (await stat(localPath(location))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw ioError('stat', location, error);
    }
  }

  async delete(location: string): Promise<void> {
    try {
      await rm(localPath(location), { force: true });
    } catch (error) {
      throw ioError('delete', location, error);
    }
  }

  async *list(prefix: string): AsyncIterable<FileInfo> {
    const prefixPath = localPath(prefix);
    // A prefix may end inside a file name (`data/0000`), so walk from its folder and filter.
    const root = prefixPath.endsWith('/') ? prefixPath.slice(0, -1) || '/' : dirname(prefixPath);
    const asUri = isFileUri(prefix);
    for await (const path of walk(root)) {
      if (!path.startsWith(prefixPath)) continue;
      const info = await stat(path);
      yield {
        location: asUri ? pathToFileURL(path).href : path,
        size: info.size,
        lastModifiedMs: info.mtimeMs,
      };
    }
  }
}

async function* walk(folder: string): AsyncIterable<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return;
    throw ioError('list', folder, error);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile() && !entry.name.endsWith('.tmp')) yield path;
  }
}

function isFileUri(location: string): boolean {
  return location.startsWith('file:');
}

/** `file:///a/b` and Hadoop's `file:/a/b` → `/a/b`; plain paths pass through. */
export function localPath(location: string): string {
  if (!isFileUri(location)) return location;
  const normalized = location.startsWith('file://') ? location : `file://${location.slice('file:'.length)}`;
  const path = fileURLToPath(normalized);
  // fileURLToPath drops a trailing slash's meaning for prefixes; keep it.
  return location.endsWith('/') && !path.endsWith('/') ? `${path}/` : path;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function ioError(operation: string, location: string, error: unknown): IcebergError {
  if (error instanceof IcebergError) return error;
  if (isMissing(error) && operation !== 'write') return notFound(location, error);
  const code = String((error as { code?: unknown } | null)?.code ?? 'unknown');
  // Permission and "is a directory" problems will not fix themselves; anything else might.
  const permanent = ['EACCES', 'EPERM', 'EISDIR', 'EROFS', 'ENOTDIR', 'ENOENT'].includes(code);
  return new IcebergError(
    'io',
    `could not ${operation} ${location}: ${code} ${(error as Error).message ?? ''}`.trim(),
    {
      retryable: !permanent,
      context: { location, operation, code },
      cause: error,
    },
  );
}
