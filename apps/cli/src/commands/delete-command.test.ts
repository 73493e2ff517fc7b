import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.ts';
import { parseDeleteArgs } from './delete-command.ts';

describe('floe delete arguments', () => {
  it('takes a table and a --where filter', () => {
    const args = parseDeleteArgs(['bronze.events', '--where', 'id = 3', '--idempotency-key', 'del-1']);
    expect([args.table, args.where, args.idempotencyKey, args.wait]).toEqual([
      'bronze.events',
      'id = 3',
      'del-1',
      true,
    ]);
  });

  it('names each mistake before anything is contacted', () => {
    expect(() => parseDeleteArgs(['bronze.events'])).toThrow(
      'delete needs --where <filter> (the rows to delete); to empty a table use `floe write --mode overwrite`',
    );
    expect(() => parseDeleteArgs(['events', '--where', 'id = 1'])).toThrow(
      'table "events" must be written as NAMESPACE.TABLE, e.g. bronze.events',
    );
    expect(() => parseDeleteArgs(['--where', 'id = 1'])).toThrow('delete needs exactly one NS.TABLE');
    expect(() => parseDeleteArgs(['a.b', '--where', 'id = 1', '--timeout-ms', '0'])).toThrow(UsageError);
  });
});
