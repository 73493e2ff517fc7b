import { Readable } from 'node:stream';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { Int32, type RecordBatch, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { recordBatchesOf, type WriteData } from './input-batches.ts';
import {
  type FloeProducerOptions,
  producerOptionsFromArtifacts,
  resolveProducerOptions,
  resolveTable,
  resolveWriteOptions,
  type WriteOptions,
} from './options.ts';
import { traceparentOf } from './traceparent.ts';
import { failureFromMessage } from './write-handle.ts';

const base = { redis: { url: 'redis://127.0.0.1:6379' }, staging: { bucket: 'staging' } };

/** A deliberately invalid input, given the type of the parameter it is passed to (what a JavaScript caller could do). */
function untyped<T>(value: unknown): T {
  return value as T;
}

describe('producer options', () => {
  it('fills defaults', () => {
    const resolved = resolveProducerOptions(base);
    expect(resolved).toMatchObject({
      queueName: 'floe-write',
      partBytes: 16 * 1024 * 1024,
      concurrency: 8,
      redis: { prefix: 'floe' },
      job: { attempts: 10 },
    });
  });

  it('names every bad field with its path', () => {
    expect(() =>
      resolveProducerOptions({ ...base, redis: { url: 'http://x' }, concurrency: 0, queueName: 'a:b' }),
    ).toThrow(
      'invalid producer options: redis.url: must be a redis:// or rediss:// URL; queueName: BullMQ queue names cannot contain ":"; concurrency: Too small: expected number to be >=1',
    );
    expect(() =>
      resolveProducerOptions(
        untyped<FloeProducerOptions>({ ...base, staging: { bucket: 'staging', bukket: 1 } }),
      ),
    ).toThrow('invalid producer options: staging: unknown option(s) bukket');
  });

  it('maps CompiledArtifacts storage and queue sections and keeps parts under the staged-object limit', () => {
    const options = producerOptionsFromArtifacts({
      storage: {
        endpoint: 'http://127.0.0.1:9000',
        region: 'eu-west-1',
        path_style: true,
        access_key_id: 'AK',
        secret_access_key: 'SK',
        staging: { bucket: 'stage', prefix: 'staging/' },
        max_staged_object_bytes: 10 * 1024 * 1024,
      },
      queue: {
        redis_url: 'redis://r:6379',
        prefix: 'fp',
        write_queue: 'wq',
        maintenance_queue: 'mq',
      },
    });
    expect(options).toEqual({
      redis: { url: 'redis://r:6379', prefix: 'fp' },
      queueName: 'wq',
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        region: 'eu-west-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      },
      staging: { bucket: 'stage', prefix: 'staging/' },
      partBytes: 8 * 1024 * 1024,
    });
  });
});

describe('write options', () => {
  it('defaults to append with add-columns', () => {
    expect(resolveWriteOptions(undefined)).toMatchObject({ mode: 'append', schemaEvolution: 'add-columns' });
  });

  it('rejects bad fields with their paths', () => {
    expect(() =>
      resolveWriteOptions({
        mode: untyped<WriteOptions['mode']>('merge'),
        create: { partitionSpec: [{ source: 'ts', transform: 'week' }] },
        idempotencyKey: 'a:b',
      }),
    ).toThrow(
      /^invalid write options: mode: .*; create\.partitionSpec\.0\.transform: .*; idempotencyKey: use letters, digits/,
    );
    expect(() => resolveWriteOptions({ snapshotProperties: { 'floe.job-ids': 'x' } })).toThrow(
      "invalid write options: snapshotProperties.floe.job-ids: keys starting with 'floe.' are reserved",
    );
    expect(() => resolveWriteOptions({ idempotencyKey: '12345' })).toThrow(
      'idempotencyKey: must not be a plain integer (BullMQ reserves those)',
    );
  });

  it('allows overwriteFilter only with mode overwrite', () => {
    expect(() => resolveWriteOptions({ overwriteFilter: true })).toThrow(
      'invalid write options: overwriteFilter: is only allowed with mode "overwrite" (mode is "append")',
    );
    expect(resolveWriteOptions({ mode: 'overwrite', overwriteFilter: true }).overwriteFilter).toBe(true);
  });

  it('takes keys with mode upsert only, and sends deletes to delete()', () => {
    expect(resolveWriteOptions({ mode: 'upsert', keys: ['id'] }).keys).toEqual(['id']);
    expect(() => resolveWriteOptions({ keys: ['id'] })).toThrow(
      'invalid write options: keys: is only allowed with mode "upsert" (mode is "append")',
    );
    expect(() => resolveWriteOptions({ mode: untyped<WriteOptions['mode']>('delete') })).toThrow(
      /invalid write options: mode: /,
    );
  });
});

describe('table references', () => {
  it('parses dotted names and objects', () => {
    expect(resolveTable('bronze.events')).toEqual({ namespace: ['bronze'], name: 'events' });
    expect(resolveTable('a.b.c')).toEqual({ namespace: ['a', 'b'], name: 'c' });
    expect(resolveTable({ namespace: 'a.b', name: 'c' })).toEqual({ namespace: ['a', 'b'], name: 'c' });
  });

  it('rejects a name without namespace', () => {
    expect(() => resolveTable('events')).toThrow(
      'invalid table "events": write it as namespace.name (e.g. bronze.events)',
    );
    expect(() => resolveTable({ namespace: [], name: 'x' })).toThrow(/^invalid table: namespace: /);
  });
});

describe('input data', () => {
  const table = new Table({ id: vectorFromArray([1, 2, 3], new Int32()) });
  const rowsOf = async (data: WriteData) => {
    let rows = 0;
    for await (const batch of recordBatchesOf(data)) rows += batch.numRows;
    return rows;
  };

  it('accepts tables, batches, iterables, IPC bytes and readables', async () => {
    const batch = table.batches[0] as RecordBatch;
    expect(await rowsOf(table)).toBe(3);
    expect(await rowsOf(batch)).toBe(3);
    expect(await rowsOf([batch, batch])).toBe(6);
    expect(
      await rowsOf(
        (async function* () {
          yield batch;
        })(),
      ),
    ).toBe(3);
    expect(await rowsOf(tableToIPC(table, 'stream'))).toBe(3);
    expect(await rowsOf(tableToIPC(table, 'file'))).toBe(3);
    expect(await rowsOf(Readable.from([Buffer.from(tableToIPC(table, 'stream'))]))).toBe(3);
  });

  it('explains what is wrong with unusable data', async () => {
    await expect(rowsOf(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).rejects.toThrow(
      /^the data is not a readable Arrow IPC stream or file: /,
    );
    await expect(rowsOf(untyped<WriteData>([{ id: 1 }]))).rejects.toThrow(
      'item 0 of the data is a Object, expected an apache-arrow RecordBatch (is apache-arrow installed twice?)',
    );
    await expect(rowsOf(untyped<WriteData>(42))).rejects.toThrow(/^write\(\) data must be an Arrow Table/);
  });
});

describe('trace context and failure reasons', () => {
  it('builds a traceparent from the span context of the given context', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    });
    expect(traceparentOf(ctx)).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(traceparentOf(ROOT_CONTEXT)).toBeUndefined();
  });

  it('reads a structured failure reason or keeps a plain message', () => {
    const reason = {
      kind: 'schema-mismatch',
      message: "column 'id': long vs int",
      retryable: false,
      context: {},
    };
    expect(failureFromMessage(JSON.stringify(reason))).toEqual({ message: reason.message, reason });
    expect(failureFromMessage('{oops')).toEqual({ message: '{oops', reason: undefined });
    expect(failureFromMessage('plain')).toEqual({ message: 'plain', reason: undefined });
  });
});
