import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compact, describeJsonValue, formatJsonPath, longWire, parseWire } from './wire-common.ts';

describe('wire error helpers', () => {
  it('formats JSON paths', () => {
    expect(formatJsonPath([])).toBe('(root)');
    expect(formatJsonPath(['snapshots', 0, 'snapshot-id'])).toBe('snapshots[0].snapshot-id');
    expect(formatJsonPath([2, 'a'])).toBe('[2].a');
  });

  it('describes values briefly without dumping them', () => {
    expect(describeJsonValue(undefined)).toBe('nothing');
    expect(describeJsonValue(null)).toBe('null');
    expect(describeJsonValue([1])).toBe('an array');
    expect(describeJsonValue({ a: 1 })).toBe('an object');
    expect(describeJsonValue(true)).toBe('boolean true');
    expect(describeJsonValue(12n)).toBe('number 12');
    expect(describeJsonValue('x'.repeat(50))).toBe(`string "${'x'.repeat(40)}…"`);
    expect(describeJsonValue(() => 1)).toBe('function');
  });

  it('explains each kind of shape problem', () => {
    const strict = z.strictObject({ a: z.string() });
    expect(() => parseWire('doc', strict, { a: 'x', b: 1 })).toThrow('doc: (root): unexpected field(s) b');
    expect(() => parseWire('doc', z.union([z.string(), z.boolean()]), 3)).toThrow(
      'doc: (root): does not match any accepted form (got number 3)',
    );
    expect(() => parseWire('doc', z.array(z.string()).min(2), ['a'])).toThrow(/^doc: \(root\): Too small/);
    expect(() => parseWire('doc', z.object({ a: z.boolean() }), { a: [] }, ['outer', 1])).toThrow(
      'doc: outer[1].a: expected a boolean, got an array',
    );
    expect(() => parseWire('doc', longWire, 1.5)).toThrow(
      'doc: (root): expected an int64 integer, got number 1.5',
    );
    expect(parseWire('doc', longWire, 7)).toBe(7n);
  });

  it('compacts away undefined values only', () => {
    expect(compact({ a: 1, b: undefined, c: null, d: 0 })).toEqual({ a: 1, c: null, d: 0 });
  });
});
