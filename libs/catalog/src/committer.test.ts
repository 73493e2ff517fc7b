import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJson, type TableUpdate } from '@floe/iceberg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogCommitter, RestCatalog, tableMetadataOf } from './index.ts';

// A scripted server that hands back v2 metadata and records the commit body it receives.
const v2 = (snapshot: string) => ({
  'format-version': 2,
  'table-uuid': '9c12d441-03fe-4693-9a96-a0705ddf69c1',
  location: 's3://b/t',
  'last-sequence-number': 0,
  'last-updated-ms': 1700000000000,
  'last-column-id': 1,
  'current-schema-id': 0,
  schemas: [
    { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] },
  ],
  'default-spec-id': 0,
  'partition-specs': [{ 'spec-id': 0, fields: [] }],
  'last-partition-id': 999,
  'default-sort-order-id': 0,
  'sort-orders': [{ 'order-id': 0, fields: [] }],
  properties: {},
  'current-snapshot-id': -1,
  snapshots: [],
  'snapshot-log': [],
  'metadata-log': [],
  refs: {},
  marker: snapshot,
});

let server: Server;
let base: string;
let committed = '';
let broken = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.startsWith('/v1/config')) return res.end('{}');
      if (req.method === 'POST') committed = body;
      const metadata = broken ? { 'format-version': 9 } : v2('x');
      res.end(JSON.stringify({ 'metadata-location': 's3://b/t/metadata/1.json', metadata }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('catalogCommitter', () => {
  it('loads domain metadata and sends domain updates in their wire form, longs exact', async () => {
    const catalog = new RestCatalog({ uri: base });
    const committer = catalogCommitter(catalog);
    const loaded = await committer.loadTable({ namespace: ['db'], name: 't' });
    expect(loaded.metadata.tableUuid).toBe('9c12d441-03fe-4693-9a96-a0705ddf69c1');
    expect(loaded.metadataLocation).toBe('s3://b/t/metadata/1.json');
    const update: TableUpdate = {
      action: 'set-snapshot-ref',
      refName: 'main',
      ref: { type: 'branch', snapshotId: 9223372036854775807n },
    };
    await committer.commitTable({ namespace: ['db'], name: 't' }, [{ type: 'assert-create' }], [update]);
    expect(committed).toContain('"snapshot-id":9223372036854775807');
    expect(parseJson(committed)).toMatchObject({
      requirements: [{ type: 'assert-create' }],
      updates: [{ action: 'set-snapshot-ref', 'ref-name': 'main', 'snapshot-id': 9223372036854775807n }],
    });
    await catalog.close();
  });

  it('names the table when the catalog returns metadata floe cannot read', async () => {
    broken = true;
    const catalog = new RestCatalog({ uri: base });
    await expect(catalogCommitter(catalog).loadTable({ namespace: ['db'], name: 't' })).rejects.toThrow(
      'loadTable table db.t: the catalog returned table metadata floe cannot read',
    );
    expect(() => tableMetadataOf({ identifier: { namespace: ['db'], name: 't' }, metadata: {} })).toThrow(
      'loadTable table db.t: the catalog returned table metadata floe cannot read',
    );
    broken = false;
    await catalog.close();
  });
});
