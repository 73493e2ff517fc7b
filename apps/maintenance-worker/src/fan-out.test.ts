import { parseMaintenanceJob } from '@floe/jobs';
import { describe, expect, it } from 'vitest';
import { fanOutTargets, perTableJobId } from './fan-out.ts';

describe('fan-out', () => {
  it('derives per-table ids BullMQ accepts from scheduler job ids', () => {
    expect(perTableJobId('repeat:nightly:1795503658267', { namespace: ['a', 'b'], name: 't' })).toBe(
      'repeat-nightly-1795503658267.a.b.t',
    );
  });

  it('merges named tables with the tables namespaces hold now, once each, sorted', async () => {
    const job = parseMaintenanceJob({
      version: 1,
      action: 'expire',
      namespaces: [['a'], ['b']],
    });
    const listed: Record<string, { namespace: string[]; name: string }[]> = {
      a: [
        { namespace: ['a'], name: 'z' },
        { namespace: ['a'], name: 'y' },
      ],
      b: [],
    };
    const children: Record<string, string[][]> = { '': [['a'], ['b']], a: [['a', 'c']] };
    listed['a.c'] = [{ namespace: ['a', 'c'], name: 'x' }];
    const catalog = {
      listTables: async (ns: string | readonly string[]) => listed[[ns].flat().join('.')] ?? [],
      listNamespaces: async (parent?: string | readonly string[]) =>
        children[parent === undefined ? '' : [parent].flat().join('.')] ?? [],
    };
    expect((await fanOutTargets(job, catalog)).map((t) => t.name)).toEqual(['y', 'z']);
    const named = parseMaintenanceJob({
      version: 1,
      action: 'expire',
      tables: [
        { namespace: ['a'], name: 'y' },
        { namespace: ['a'], name: 'y' },
      ],
    });
    expect(await fanOutTargets(named, catalog)).toHaveLength(1);
    const every = parseMaintenanceJob({ version: 1, action: 'compact', allTables: true });
    expect((await fanOutTargets(every, catalog)).map((t) => [...t.namespace, t.name].join('.'))).toEqual([
      'a.c.x',
      'a.y',
      'a.z',
    ]);
  });
});
