// PyIceberg reads the Arrow schema we produce for an Iceberg schema (via IPC) and converts it
// back with its own `pyarrow_to_schema`, which relies on our `PARQUET:field_id` metadata.
import { runPython } from '@floe/test-support';
import { Table, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseSchema } from '../spec/type-json.ts';
import { icebergToArrowSchema } from './arrow-schema.ts';

const schema = parseSchema({
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'n', required: false, type: 'int' },
    { id: 3, name: 'ok', required: false, type: 'boolean' },
    { id: 4, name: 'f', required: false, type: 'float' },
    { id: 5, name: 'd', required: false, type: 'double' },
    { id: 6, name: 'price', required: false, type: 'decimal(9,2)' },
    { id: 7, name: 'day', required: false, type: 'date' },
    { id: 8, name: 'at', required: false, type: 'time' },
    { id: 9, name: 'ts', required: false, type: 'timestamp' },
    { id: 10, name: 'tstz', required: false, type: 'timestamptz' },
    { id: 11, name: 's', required: false, type: 'string' },
    { id: 12, name: 'fx', required: false, type: 'fixed[3]' },
    { id: 13, name: 'bin', required: false, type: 'binary' },
    {
      id: 14,
      name: 'loc',
      required: false,
      type: { type: 'struct', fields: [{ id: 15, name: 'lat', required: true, type: 'double' }] },
    },
    {
      id: 16,
      name: 'tags',
      required: false,
      type: { type: 'list', 'element-id': 17, 'element-required': false, element: 'string' },
    },
    {
      id: 18,
      name: 'attrs',
      required: false,
      type: {
        type: 'map',
        'key-id': 19,
        key: 'string',
        'value-id': 20,
        'value-required': true,
        value: 'long',
      },
    },
  ],
});

describe('PyIceberg reads our Arrow schemas', () => {
  it('recovers the same Iceberg schema, ids included', async () => {
    const ipc = tableToIPC(new Table(icebergToArrowSchema(schema)), 'stream');
    const result = await runPython<{ json: unknown }>(
      `import json, os
import pyarrow as pa
from pyiceberg.io.pyarrow import pyarrow_to_schema
arrow_schema = pa.ipc.open_stream(bytes.fromhex(os.environ['FLOE_IPC'])).schema
print(json.dumps({'json': json.loads(pyarrow_to_schema(arrow_schema).model_dump_json())}))`,
      { FLOE_IPC: Buffer.from(ipc).toString('hex') },
    );
    expect(parseSchema(result.json)).toEqual(schema);
  });
});
