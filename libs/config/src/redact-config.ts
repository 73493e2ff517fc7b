// A printable copy of a configuration or artifacts tree: secret fields show `[REDACTED]` — or
// their `${env:…}` reference, which is safe and tells the reader where the value comes from —
// and the password inside redis_url is masked. Used by `floe compile` output and debug logs.
import type { FieldPath } from './paths.ts';
import { ENV_REFERENCE_TEXT, isSecretHeaderName, isSensitivePath } from './sensitive-fields.ts';

const REDACTED = '[REDACTED]';

/** Fields that are sensitive but readable once their secret part is masked. */
function redactSensitive(path: FieldPath, value: string): string {
  if (ENV_REFERENCE_TEXT.test(value)) return value;
  const field = path.join('.');
  if (field === 'storage.access_key_id') return value;
  if (path[1] === 'headers' && !isSecretHeaderName(String(path[2]))) return value;
  if (field === 'queue.redis_url') {
    try {
      const url = new URL(value);
      if (url.password !== '') url.password = REDACTED;
      return url.toString();
    } catch {
      return REDACTED;
    }
  }
  return REDACTED;
}

export function redactConfig<T>(config: T): T {
  const walk = (node: unknown, path: FieldPath): unknown => {
    if (typeof node === 'string') return isSensitivePath(path) ? redactSensitive(path, node) : node;
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  return walk(config, []) as T;
}
