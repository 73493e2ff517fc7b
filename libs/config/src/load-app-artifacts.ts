// How every floe process gets its configuration: `--artifacts floe.compiled.json` (secrets
// resolved from the environment), else `--config floe.yaml` (default `floe.yaml`) compiled in
// memory and resolved the same way — the CompiledArtifacts an app would get from `floe compile`.
// One implementation for the writer, the maintenance worker and the CLI, so a missing file or a
// bad field reads the same everywhere.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadCompiledArtifacts, resolveCompiledArtifacts, serializeCompiledArtifacts } from './artifacts.ts';
import { compileConfig } from './compile.ts';
import type { Env } from './env-interpolation.ts';
import { ConfigError } from './errors.ts';
import type { CompiledArtifacts } from './schema/floe-config.ts';

export interface AppConfigSource {
  /** Path of a floe.yaml; default `floe.yaml`. Ignored when `artifacts` is given. */
  readonly config?: string | undefined;
  /** Path of compiled artifacts (`floe compile` output). */
  readonly artifacts?: string | undefined;
  /** Relative paths resolve against this folder; default the process's cwd. */
  readonly cwd?: string;
}

/** Compiles floe.yaml text and resolves its secret references, as loading its artifacts would. */
export function compileAndResolve(text: string, env: Env, sourceName: string): CompiledArtifacts {
  // Compiled artifacts keep secrets as ${env:…} references; resolving them makes them usable.
  const compiled = compileConfig(text, env, { sourceName });
  return resolveCompiledArtifacts(JSON.parse(serializeCompiledArtifacts(compiled)), env, sourceName);
}

/** The resolved CompiledArtifacts of an app started with `--artifacts F` or `--config F`. */
export async function loadAppArtifacts(source: AppConfigSource, env: Env): Promise<CompiledArtifacts> {
  const cwd = source.cwd ?? process.cwd();
  if (source.artifacts !== undefined) return loadCompiledArtifacts(resolve(cwd, source.artifacts), env);
  const shown = source.config ?? 'floe.yaml';
  const path = resolve(cwd, shown);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError('unreadable-artifacts', `cannot read ${shown} (${code ?? 'error'}):`, [
      {
        path: shown,
        problem: code === 'ENOENT' ? 'does not exist' : 'cannot be read',
        fix: 'pass --config <floe.yaml> or --artifacts <floe.compiled.json>',
      },
    ]);
  }
  return compileAndResolve(text, env, shown);
}
