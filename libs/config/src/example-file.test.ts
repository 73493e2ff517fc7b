// floe.example.yaml is the reference of every floe.yaml key: this test walks the schema and
// fails when a key is added to the schema without being documented (with a comment) there.
import { describe, expect, it } from 'vitest';
import { FloeConfigSchema } from './schema/floe-config.ts';
import { exampleYaml } from './test-fixtures.ts';
import { knownKeysAt } from './zod-issues.ts';

function allKeyPaths(path: (string | number)[] = []): string[][] {
  return knownKeysAt(FloeConfigSchema, path).flatMap((key) => {
    const child = [...path, key];
    const nested = knownKeysAt(FloeConfigSchema, child).length > 0 ? child : [...child, 0];
    const below = knownKeysAt(FloeConfigSchema, nested).length > 0 ? allKeyPaths(nested) : [];
    return [[...path.filter((segment) => typeof segment === 'string'), key], ...below];
  });
}

describe('floe.example.yaml', () => {
  const text = exampleYaml();
  const paths = allKeyPaths();

  it('walks a schema with every section', () => {
    expect(paths.length).toBeGreaterThan(50);
    expect(paths).toContainEqual(['maintenance', 'schedules', 'every_ms']);
    expect(paths).toContainEqual(['catalog', 'retry', 'breaker', 'half_open_after_ms']);
  });

  it('documents every key, with a comment line right above it', () => {
    const lines = text.split('\n');
    const undocumented = paths
      .map((path) => path[path.length - 1] as string)
      .filter((key) => {
        const index = lines.findIndex((line) => new RegExp(`^\\s*(#\\s*)?(- )?${key}:`).test(line));
        return index <= 0 || !/^\s*#/.test(lines[index - 1] ?? '');
      });
    expect(undocumented).toEqual([]);
  });
});
