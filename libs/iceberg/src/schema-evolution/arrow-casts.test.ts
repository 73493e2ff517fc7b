import {
  Binary,
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  Float32,
  Int8,
  Int32,
  LargeBinary,
  LargeUtf8,
  TimeMillisecond,
  TimestampMillisecond,
  Utf8,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { leafCast } from './arrow-casts.ts';

describe('leafCast', () => {
  it('copies columns already in the write type', () => {
    expect(leafCast(new Int32(), { kind: 'int' })).toMatchObject({ identity: true, description: 'copy' });
    expect(leafCast(new Utf8(), { kind: 'string' })).toMatchObject({ identity: true });
  });

  it('describes casts with both Arrow types', () => {
    expect(leafCast(new Int8(), { kind: 'long' })?.description).toBe('Int8 → Int64');
    expect(leafCast(new Dictionary(new Utf8(), new Int32()), { kind: 'string' })?.description).toBe(
      'Dictionary<Int32, Utf8> → Utf8 (decoded)',
    );
  });

  it('has no kernel for pairs the reconciliation never plans', () => {
    const none: [Parameters<typeof leafCast>[0], Parameters<typeof leafCast>[1]][] = [
      [new Int32(), { kind: 'string' }],
      [new Float32(), { kind: 'long' }],
      [new Decimal(2, 9, 128), { kind: 'decimal', precision: 9, scale: 3 }],
      [new Decimal(2, 9, 128), { kind: 'long' }],
      [new DateMillisecond(), { kind: 'time' }],
      [new DateDay(), { kind: 'long' }],
      [new TimeMillisecond(), { kind: 'timestamp' }],
      [new TimestampMillisecond(), { kind: 'date' }],
      [new LargeUtf8(), { kind: 'binary' }],
      [new LargeBinary(), { kind: 'string' }],
      [new Bool(), { kind: 'int' }],
      [new Binary(), { kind: 'uuid' }],
      [new Dictionary(new Binary(), new Int32()), { kind: 'string' }],
    ];
    for (const [from, to] of none) expect(leafCast(from, to), `${String(from)} → ${to.kind}`).toBeUndefined();
  });
});
