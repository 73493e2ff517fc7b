// `--prop key=value` and `--remove key` as given on the command line, checked before any
// request: a missing `=`, an empty key, the same key twice, or a key both set and removed is
// a usage error naming the offending flag.
import { UsageError } from '../command.ts';

function listOf(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function parsePropertyFlags(value: unknown): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const item of listOf(value)) {
    const at = item.indexOf('=');
    if (at <= 0) {
      throw new UsageError(
        at === 0
          ? `--prop "${item}" has an empty key; write --prop key=value`
          : `--prop "${item}" needs a value; write --prop key=value (an empty value is --prop key=)`,
      );
    }
    const key = item.slice(0, at);
    if (Object.hasOwn(properties, key)) throw new UsageError(`--prop ${key} is given twice`);
    properties[key] = item.slice(at + 1);
  }
  return properties;
}

export function parseRemovalFlags(value: unknown, updates: Readonly<Record<string, string>> = {}): string[] {
  const removals = listOf(value);
  for (const key of removals) {
    if (key === '') throw new UsageError('--remove needs a property key');
    if (Object.hasOwn(updates, key)) {
      throw new UsageError(`property "${key}" is both set (--prop) and removed (--remove); pick one`);
    }
  }
  return [...new Set(removals)];
}
