import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { readDataFile } from '../read/read-data-file.ts';
import { castBatch } from '../schema-evolution/cast-batch.ts';
import { writePartitionedDataFiles } from '../write/partitioned-writer.ts';
import { commitWithRebase } from './commit.ts';
import {
  reconcileWithTable,
  schemaContext,
  unionByNameWithTable,
  withSchemaChange,
} from './evolve-schema.ts';
import { InMemoryCatalog, newTableMetadata } from './in-memory-catalog.test-helper.ts';
import { liveDataFiles } from './overwrite-by-filter.ts';
import { currentSchema, specById } from './snapshot-producer.ts';
import { fastAppend } from './table-actions.ts';

const identifier = { namespace: ['db'], name: 't' };

function stagedBatch(): arrow.RecordBatch {
  return new arrow.Table({
    id: arrow.makeVector(Int32Array.from([1, 2, 3])),
    region: arrow.vectorFromArray(['eu', 'eu', 'us'], new arrow.Utf8()),
    note: arrow.vectorFromArray(['a', null, 'c'], new arrow.Utf8()),
  }).batches[0] as arrow.RecordBatch;
}

describe('schemaContext', () => {
  it('reads last column id, highest schema id and format version from the metadata', () => {
    const metadata = newTableMetadata();
    expect(schemaContext(metadata)).toMatchObject({ lastColumnId: 2, highestSchemaId: 0, formatVersion: 2 });
  });
});

describe('append with schema evolution in one commit', () => {
  it('adds the new column and the data in a single catalog commit', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog(newTableMetadata());
    const base = await catalog.loadTable(identifier);
    const staged = stagedBatch();
    const reconciled = reconcileWithTable(base.metadata, staged.schema, 'add-columns', 'db.t');
    expect(reconciled.evolution?.changed).toBe(true);
    // int data into the long id column is a cast, not a table change.
    expect(reconciled.casts.find((c) => c.column === 'id')).toMatchObject({ action: 'cast', to: 'long' });

    const spec = specById(base.metadata, base.metadata.defaultSpecId);
    const batch = castBatch(staged, reconciled.plan);
    const files = await writePartitionedDataFiles([batch], {
      io,
      tableLocation: base.metadata.location,
      schema: reconciled.writeSchema,
      spec,
      arrowSchema: batch.schema,
    });
    const change = withSchemaChange(
      fastAppend(files.map((file) => ({ file, specId: spec.specId }))),
      reconciled.evolution,
    );
    const outcome = await commitWithRebase({ committer: catalog, identifier, io, base, change });

    expect(catalog.commits).toBe(1);
    expect(outcome.status).toBe('committed');
    expect(outcome.snapshot.schemaId).toBe(1);
    const schema = currentSchema(catalog.metadata);
    expect(schema.schemaId).toBe(1);
    expect(schema.fields.map((f) => [f.id, f.name, f.type.kind])).toEqual([
      [1, 'id', 'long'],
      [2, 'region', 'string'],
      [3, 'note', 'string'],
    ]);
    expect(catalog.metadata.lastColumnId).toBe(3);
    const notes: unknown[] = [];
    for (const { file } of await liveDataFiles(io, catalog.metadata)) {
      for await (const b of readDataFile(io, file.filePath, schema)) notes.push(...b.getChild('note')!);
    }
    expect(notes.sort()).toEqual(['a', 'c', null]);
  });

  it('fails the commit when another writer changed the schema first', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog(newTableMetadata());
    const base = await catalog.loadTable(identifier);
    const evolution = unionByNameWithTable(base.metadata, stagedBatch().schema);
    const rival = unionByNameWithTable(
      base.metadata,
      new arrow.Schema([new arrow.Field('other', new arrow.Float64(), true)]),
    );
    catalog.metadata = applyUpdates(catalog.metadata, rival.updates);
    await expect(
      commitWithRebase({
        committer: catalog,
        identifier,
        io,
        base,
        change: withSchemaChange(fastAppend([]), evolution),
        sleep: async () => undefined,
      }),
    ).rejects.toMatchObject({ kind: 'commit-conflict' });
    expect(currentSchema(catalog.metadata).fields.map((f) => f.name)).toEqual(['id', 'region', 'other']);
  });

  it('widens a table column by union-by-name and keeps the change extra updates first', () => {
    const metadata = applyUpdates(newTableMetadata(), [
      {
        action: 'add-schema',
        schema: {
          schemaId: 1,
          identifierFieldIds: [],
          fields: [
            { id: 1, name: 'id', required: true, type: { kind: 'long' } },
            { id: 2, name: 'region', required: false, type: { kind: 'string' } },
            { id: 3, name: 'count', required: false, type: { kind: 'int' } },
          ],
        },
        lastColumnId: 3,
      },
      { action: 'set-current-schema', schemaId: -1 },
    ]);
    const incoming = new arrow.Schema([new arrow.Field('count', new arrow.Int64(), true)]);
    const evolution = unionByNameWithTable(metadata, incoming);
    expect(evolution.schema.schemaId).toBe(2);
    expect(evolution.schema.fields[2]).toMatchObject({ id: 3, type: { kind: 'long' } });
    const base = fastAppend([]);
    const withOwn = {
      ...base,
      extraUpdates: [{ action: 'set-properties', updates: { a: 'b' } }] as const,
      extraRequirements: [{ type: 'assert-table-uuid', uuid: metadata.tableUuid }] as const,
    };
    const combined = withSchemaChange(withOwn, evolution);
    expect(combined.extraUpdates?.map((u) => u.action)).toEqual([
      'add-schema',
      'set-current-schema',
      'set-properties',
    ]);
    expect(combined.extraRequirements?.map((r) => r.type)).toEqual([
      'assert-table-uuid',
      'assert-current-schema-id',
      'assert-last-assigned-field-id',
    ]);
  });

  it('leaves the change alone when the schema needs no change', () => {
    const change = fastAppend([]);
    const metadata = newTableMetadata();
    const same = reconcileWithTable(
      metadata,
      new arrow.Schema([new arrow.Field('id', new arrow.Int64(), false)]),
      'strict',
    );
    expect(same.evolution).toBeUndefined();
    expect(withSchemaChange(change, same.evolution)).toBe(change);
    expect(withSchemaChange(change, { updates: [], requirements: [] })).toBe(change);
  });

  it('names the extra column when the schema mode is strict', () => {
    expect(() => reconcileWithTable(newTableMetadata(), stagedBatch().schema, 'strict', 'db.t')).toThrow(
      /column 'note' \(string\) is not in the table/,
    );
  });
});
