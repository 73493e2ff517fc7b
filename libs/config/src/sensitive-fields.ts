// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
// Which floe.yaml fields hold secrets, and how they are kept out of files and messages.
//  - secret fields (client_secret, token, secret_access_key, session_token) must be written as
//    `${env:…}` references: an inline secret is a compile error, because floe.yaml is usually
//    committed to git;
//  - sensitive fields (the secret fields plus access_key_id, redis_url and catalog headers)
//    keep their template in the compiled artifacts when they reference a variable, so the
//    JSON on disk holds `${env:FLOE_CATALOG_CLIENT_SECRET}`, never the value; apps resolve the
//    reference when they load the artifacts;
//  - a redis_url with an inline password, or an Authorization-like header written inline, is
//    rejected for the same reason as an inline secret.
import type { ConfigIssue } from './errors.ts';
import { type FieldPath, formatPath, pathMatches } from './paths.ts';

const SECRET_FIELDS: readonly (readonly string[])[] = [
  ['catalog', 'credential', 'client_secret'],
  ['catalog', 'credential', 'token'],
  ['storage', 'secret_access_key'],
  ['storage', 'session_token'],
];

const REFERENCE_KEPT_FIELDS: readonly (readonly string[])[] = [
  ...SECRET_FIELDS,
  ['storage', 'access_key_id'],
  ['queue', 'redis_url'],
  ['catalog', 'headers', '*'],
];

const SECRET_HEADER_NAME = /authorization|token|secret|password|api[-_]?key|cookie|credential/i;

/** Whether a catalog header carries a credential (its value is treated as a secret). */
export function isSecretHeaderName(name: string): boolean {
  return SECRET_HEADER_NAME.test(name);
}

export const ENV_REFERENCE_TEXT = /\$\{env:[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/;

/** Whether a field may hold a secret (its value is never quoted in messages). */
export function isSensitivePath(path: readonly PropertyKey[]): boolean {
  return REFERENCE_KEPT_FIELDS.some((pattern) => pathMatches(path, pattern));
}

function valueAt(tree: unknown, path: FieldPath): unknown {
  let node = tree;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function headerEntries(tree: unknown): Array<[string, unknown]> {
  const headers = valueAt(tree, ['catalog', 'headers']);
  return headers !== null && typeof headers === 'object' && !Array.isArray(headers)
    ? Object.entries(headers)
    : [];
}

function redisPassword(url: string): string {
  try {
    return new URL(url).password;
  } catch {
    return '';
  }
}

/** Issues for secrets written inline in the raw (not yet interpolated) floe.yaml tree. */
export function inlineSecretIssues(rawTree: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const moveToEnv = (path: FieldPath, suggestedName: string): ConfigIssue => ({
    path: formatPath(path),
    problem: 'holds a secret written inline',
    fix: `put the value in an environment variable and write \${env:${suggestedName}}`,
  });
  const suggestedNames: Record<string, string> = {
    client_secret: 'FLOE_CATALOG_CLIENT_SECRET',
    token: 'FLOE_CATALOG_TOKEN',
    secret_access_key: 'AWS_SECRET_ACCESS_KEY',
    session_token: 'AWS_SESSION_TOKEN',
  };
  for (const path of SECRET_FIELDS) {
    const value = valueAt(rawTree, path);
    if (typeof value === 'string' && value.trim() !== '' && !ENV_REFERENCE_TEXT.test(value)) {
      issues.push(moveToEnv(path, suggestedNames[path[path.length - 1] as string] ?? 'NAME'));
    }
  }
  const redisUrl = valueAt(rawTree, ['queue', 'redis_url']);
  if (typeof redisUrl === 'string' && !ENV_REFERENCE_TEXT.test(redisUrl) && redisPassword(redisUrl) !== '') {
    issues.push({
      path: 'queue.redis_url',
      problem: 'holds a password written inline',
      fix: 'write the password as a reference, e.g. redis://:${env:REDIS_PASSWORD}@host:6379',
    });
  }
  const catalogUri = valueAt(rawTree, ['catalog', 'uri']);
  if (typeof catalogUri === 'string' && /^postgres/i.test(catalogUri) && redisPassword(catalogUri) !== '') {
    issues.push({
      path: 'catalog.uri',
      problem: 'holds a database password',
      fix: 'drop the password from the URL and set PGPASSWORD in the environment (the PostgreSQL client reads it)',
    });
  }
  for (const [name, value] of headerEntries(rawTree)) {
    if (isSecretHeaderName(name) && typeof value === 'string' && !ENV_REFERENCE_TEXT.test(value)) {
      issues.push(moveToEnv(['catalog', 'headers', name], 'FLOE_CATALOG_HEADER'));
    }
  }
  return issues;
}

/** Whether a field's template must be kept verbatim in the compiled artifacts. */
export function keepsReference(path: FieldPath): boolean {
  return isSensitivePath(path);
}

/** Writes `value` at `path` in a plain JSON tree (objects only; used on compiled output). */
export function setValueAt(tree: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let node: Record<string | number, unknown> = tree;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (next === null || typeof next !== 'object') return;
    node = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined && last in node) node[last] = value;
}
