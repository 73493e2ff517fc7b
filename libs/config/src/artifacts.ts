// Reading and writing CompiledArtifacts. On disk the file holds `${env:…}` references in its
// secret fields (so it can be shipped in a ConfigMap or baked into an image); every app loads
// it with `loadCompiledArtifacts`, which resolves those references from its own environment
// and validates the whole document again, so a hand-edited or stale file fails with the same
// path-naming messages as floe.yaml.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { type Env, interpolateTree } from './env-interpolation.ts';
import { ConfigError, scrubIssues } from './errors.ts';
import { ARTIFACTS_VERSION, type CompiledArtifacts, CompiledArtifactsSchema } from './schema/floe-config.ts';
import { isSecretHeaderName, keepsReference } from './sensitive-fields.ts';
import { toConfigIssues } from './zod-issues.ts';

export const DEFAULT_ARTIFACTS_FILE = 'floe.compiled.json';

/** Serializes artifacts exactly as `floe compile` writes them. */
export function serializeCompiledArtifacts(artifacts: CompiledArtifacts): string {
  return `${JSON.stringify(artifacts, null, 2)}\n`;
}

/** Writes the artifacts atomically (temp file + rename), so a reader never sees half a file. */
export async function writeCompiledArtifacts(path: string, artifacts: CompiledArtifacts): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, serializeCompiledArtifacts(artifacts), { mode: 0o644 });
  await rename(temporary, path);
}

/**
 * Resolves the `${env:…}` references of parsed artifacts JSON and validates it.
 * `sourceName` names the file in messages.
 */
export function resolveCompiledArtifacts(
  document: unknown,
  env: Env,
  sourceName = DEFAULT_ARTIFACTS_FILE,
): CompiledArtifacts {
  const version = (document as { version?: unknown } | null)?.version;
  if (version !== ARTIFACTS_VERSION) {
    throw new ConfigError('unsupported-version', `${sourceName} cannot be used:`, [
      {
        path: 'version',
        problem: `is ${JSON.stringify(version)}, this floe reads version ${ARTIFACTS_VERSION}`,
        fix: 'run `floe compile` with this version of floe to regenerate it',
      },
    ]);
  }
  const interpolated = interpolateTree(document, env, keepsReference);
  const parsed = CompiledArtifactsSchema.safeParse(interpolated.value, { reportInput: true });
  const schemaIssues = parsed.success ? [] : toConfigIssues(parsed.error.issues, CompiledArtifactsSchema);
  const reported = new Set(interpolated.issues.map((issue) => issue.path));
  const issues = scrubIssues(
    [...interpolated.issues, ...schemaIssues.filter((issue) => !reported.has(issue.path))],
    interpolated.resolvedValues,
  );
  if (issues.length > 0 || !parsed.success) {
    const onlyMissingEnv = interpolated.issues.length === issues.length;
    throw new ConfigError(
      onlyMissingEnv ? 'missing-env' : 'invalid-config',
      `${sourceName} has ${issues.length} problem${issues.length === 1 ? '' : 's'}:`,
      issues,
    );
  }
  return parsed.data;
}

/** Reads, resolves and validates a CompiledArtifacts file. */
export async function loadCompiledArtifacts(
  path: string,
  env: Env = process.env,
): Promise<CompiledArtifacts> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      'unreadable-artifacts',
      `cannot read ${path}:`,
      [
        {
          path,
          problem: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`,
          fix: 'run `floe compile --config floe.yaml --out ' + path + '` to create it',
        },
      ],
      { cause: error },
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      'unreadable-artifacts',
      `cannot read ${path}:`,
      [
        {
          path,
          problem: `is not JSON (${(error as Error).message})`,
          fix: 'regenerate it with `floe compile`',
        },
      ],
      { cause: error },
    );
  }
  return resolveCompiledArtifacts(document, env, path);
}

/**
 * The secret values held by resolved artifacts, for scrubbing text (`redactSecrets`) and for
 * the logger's `secrets` option. Template strings are not secrets and are left out.
 */
export function secretValuesOf(artifacts: CompiledArtifacts): string[] {
  const values = [
    artifacts.catalog.credential?.client_secret,
    artifacts.catalog.credential?.token,
    artifacts.storage.secret_access_key,
    artifacts.storage.session_token,
    ...Object.entries(artifacts.catalog.headers)
      .filter(([name]) => isSecretHeaderName(name))
      .map(([, value]) => value),
  ];
  try {
    const password = new URL(artifacts.queue.redis_url).password;
    if (password !== '') values.push(password, decodeURIComponent(password));
  } catch {
    // An unresolved template is not a URL; it holds no secret value.
  }
  return [
    ...new Set(values.filter((value): value is string => value !== undefined && !value.includes('${env:'))),
  ];
}
