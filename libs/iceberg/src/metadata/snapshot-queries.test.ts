import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TableMetadata } from '../spec/partition-types.ts';
import {
  ancestorsOf,
  currentSnapshot,
  findSnapshotWithProperty,
  snapshotAsOf,
  snapshotById,
  snapshotForRef,
} from './snapshot-queries.ts';
import { readTableMetadata } from './wire.ts';

const dir = fileURLToPath(new URL('../../testdata/table-metadata/', import.meta.url));
const m = readTableMetadata(readFileSync(`${dir}v2-full.json`, 'utf8'));
const [S1, S2, S3] = [3051729675574597004n, 3055729675574597004n, 8744736658442914487n];
const jobIn = (job: string) => (value: string) => value.split(',').includes(job);

describe('snapshot queries', () => {
  it('finds the current snapshot, one by id and a ref head', () => {
    expect(currentSnapshot(m)?.snapshotId).toBe(S3);
    expect(snapshotById(m, S1)?.sequenceNumber).toBe(1n);
    expect(snapshotById(m, 1n)).toBeUndefined();
    expect(snapshotForRef(m, 'v1.0')?.snapshotId).toBe(S2);
    expect(snapshotForRef(m, 'nope')).toBeUndefined();
    const empty = readTableMetadata(readFileSync(`${dir}v1-single-schema.json`, 'utf8'));
    expect(currentSnapshot(empty)).toBeUndefined();
  });

  it('walks ancestors newest first and stops at expired parents or loops', () => {
    expect([...ancestorsOf(m, S3)].map((s) => s.snapshotId)).toEqual([S3, S2, S1]);
    const expired: TableMetadata = { ...m, snapshots: m.snapshots.slice(1) };
    expect([...ancestorsOf(expired, S3)].map((s) => s.snapshotId)).toEqual([S3, S2]);
    const looped: TableMetadata = {
      ...m,
      snapshots: m.snapshots.map((s) => (s.snapshotId === S1 ? { ...s, parentSnapshotId: S3 } : s)),
    };
    expect([...ancestorsOf(looped, S3)]).toHaveLength(3);
    expect([...ancestorsOf(m, 1n)]).toEqual([]);
  });

  it('answers which snapshot was current at a time from the snapshot log', () => {
    expect(snapshotAsOf(m, 1731900000000n)).toBeUndefined();
    expect(snapshotAsOf(m, 1731900000001n)?.snapshotId).toBe(S1);
    expect(snapshotAsOf(m, 1731900000002n)?.snapshotId).toBe(S2);
    expect(snapshotAsOf(m, 1831900000000n)?.snapshotId).toBe(S3);
  });

  it('finds the snapshot that carries a job id in floe.job-ids', () => {
    expect(findSnapshotWithProperty(m, 'floe.job-ids', jobIn('job-2'))?.snapshotId).toBe(S1);
    expect(findSnapshotWithProperty(m, 'floe.job-ids', jobIn('job-3'))?.snapshotId).toBe(S2);
    expect(findSnapshotWithProperty(m, 'floe.job-ids', jobIn('job-7'))).toBeUndefined();
    expect(findSnapshotWithProperty(m, 'floe.commit-id', (v) => v === 'c-2')?.snapshotId).toBe(S2);
  });

  it('searches another ref and stops at the time bound', () => {
    expect(findSnapshotWithProperty(m, 'floe.job-ids', jobIn('job-4'), { ref: 'audit' })).toBeUndefined();
    expect(findSnapshotWithProperty(m, 'floe.job-ids', jobIn('job-1'), { ref: 'audit' })?.snapshotId).toBe(
      S1,
    );
    expect(
      findSnapshotWithProperty(m, 'floe.job-ids', jobIn('job-1'), { notBeforeMs: 1731900000002n }),
    ).toBeUndefined();
    expect(
      findSnapshotWithProperty(m, 'floe.job-ids', jobIn('job-3'), { notBeforeMs: 1731900000002n })
        ?.snapshotId,
    ).toBe(S2);
    expect(findSnapshotWithProperty(m, 'floe.job-ids', jobIn('job-1'), { ref: 'missing' })).toBeUndefined();
  });
});
