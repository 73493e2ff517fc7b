import { describe, expect, it } from 'vitest';
import type { DataFile } from '../manifest/data-file.ts';
import { DELETE_FILE_PATH_ID, type DeleteFileEntry, deletesFor } from './delete-index.ts';

const encode = (text: string) => new TextEncoder().encode(text);

function file(
  path: string,
  content: DataFile['content'],
  partition: string | null,
  extra: Partial<DataFile> = {},
): DataFile {
  return {
    content,
    filePath: path,
    fileFormat: 'parquet',
    partition: [partition],
    recordCount: 1n,
    fileSizeInBytes: 1n,
    ...extra,
  };
}

const data = file('s3://b/t/data/a.parquet', 'data', 'eu');
const isUnpartitioned = (specId: number) => specId === 9;

function applies(entry: DeleteFileEntry, dataSequenceNumber = 5n): boolean {
  return deletesFor(data, 0, dataSequenceNumber, [entry], isUnpartitioned).length === 1;
}

describe('deletesFor', () => {
  it('applies position deletes of the same partition that are not older than the data', () => {
    expect(applies({ file: file('p1', 'position-deletes', 'eu'), specId: 0, sequenceNumber: 5n })).toBe(true);
    expect(applies({ file: file('p2', 'position-deletes', 'eu'), specId: 0, sequenceNumber: 4n })).toBe(
      false,
    );
    expect(applies({ file: file('p3', 'position-deletes', 'us'), specId: 0, sequenceNumber: 6n })).toBe(
      false,
    );
    expect(applies({ file: file('p4', 'position-deletes', 'eu'), specId: 1, sequenceNumber: 6n })).toBe(
      false,
    );
  });

  it('applies equality deletes only to strictly older data', () => {
    expect(applies({ file: file('e1', 'equality-deletes', 'eu'), specId: 0, sequenceNumber: 6n })).toBe(true);
    expect(applies({ file: file('e2', 'equality-deletes', 'eu'), specId: 0, sequenceNumber: 5n })).toBe(
      false,
    );
  });

  it('applies deletes of an unpartitioned spec to every partition', () => {
    expect(applies({ file: file('g', 'equality-deletes', null), specId: 9, sequenceNumber: 6n })).toBe(true);
  });

  it('limits a position delete that names its data file to that file', () => {
    const other = 's3://b/t/data/b.parquet';
    const named = (path: string): DeleteFileEntry => ({
      file: file('n', 'position-deletes', 'eu', {
        lowerBounds: new Map([[DELETE_FILE_PATH_ID, encode(path)]]),
        upperBounds: new Map([[DELETE_FILE_PATH_ID, encode(path)]]),
      }),
      specId: 0,
      sequenceNumber: 6n,
    });
    expect(applies(named(data.filePath))).toBe(true);
    expect(applies(named(other))).toBe(false);
    const referenced = {
      file: file('r', 'position-deletes', 'eu', { referencedDataFile: other }),
      specId: 0,
      sequenceNumber: 6n,
    };
    expect(applies(referenced)).toBe(false);
  });
});
