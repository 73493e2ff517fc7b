import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJsonSchemas } from './json-schema.ts';

const schemaDir = join(import.meta.dirname, '..', 'schema');

describe('exported JSON Schemas', () => {
  const rendered = renderJsonSchemas();

  it.each(Object.keys(rendered))('%s is up to date (run `npm run jobs:schema` if this fails)', (file) => {
    expect(readFileSync(join(schemaDir, file), 'utf8')).toBe(rendered[file]);
  });

  it('describes the write job for other languages', () => {
    const schema = JSON.parse(rendered['write-job.v1.schema.json'] as string) as {
      required: string[];
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(schema.required).toEqual(
      expect.arrayContaining(['version', 'table', 'mode', 'batches', 'idempotencyKey']),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toContain('overwriteFilter');
  });
});
