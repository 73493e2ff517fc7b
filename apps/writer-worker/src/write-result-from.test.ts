import { parseWriteResult } from '@floe/jobs';
import { describe, expect, it } from 'vitest';
import { writeResultFrom } from './write-result-from.ts';

const snapshot = {
  snapshotId: 9223372036854775807n,
  sequenceNumber: 12n,
  timestampMs: 1732406400123n,
  manifestList: 's3://w/t/metadata/snap.avro',
  schemaId: 3,
  summary: {
    operation: 'overwrite' as const,
    'added-records': '1500',
    'added-data-files': '2',
    'added-files-size': '40960',
    'deleted-data-files': '1',
    'floe.job-ids': 'job-a,job-b',
  },
};

describe('writeResultFrom', () => {
  it('maps a snapshot to a contract-valid WriteResult with longs as decimal strings', () => {
    const result = writeResultFrom({
      table: 'bronze.events',
      snapshot,
      currentSchemaId: 0,
      attempts: 2,
      alreadyCommitted: false,
    });
    expect(result).toEqual({
      table: 'bronze.events',
      snapshotId: '9223372036854775807',
      sequenceNumber: '12',
      operation: 'overwrite',
      addedRows: 1500,
      addedFiles: 2,
      addedBytes: 40960,
      removedFiles: 1,
      deletedRows: 0,
      schemaId: 3,
      attempts: 2,
      coalescedJobs: 2,
      committedAt: '2024-11-24T00:00:00.123Z',
      alreadyCommitted: false,
    });
    expect(parseWriteResult(result)).toEqual(result);
  });

  it('falls back to the table schema id, one attempt and one job for a found marker', () => {
    const { schemaId: _ignored, ...withoutSchema } = snapshot;
    const result = writeResultFrom({
      table: 't.x',
      snapshot: { ...withoutSchema, summary: { operation: 'append' as const } },
      currentSchemaId: 5,
      attempts: 0,
      alreadyCommitted: true,
    });
    expect(result).toMatchObject({
      schemaId: 5,
      attempts: 1,
      coalescedJobs: 1,
      addedRows: 0,
      alreadyCommitted: true,
    });
  });
});
