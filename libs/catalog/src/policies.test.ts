// Polaris policies: the applicable-policies call as Polaris 1.4.1 serves it (advertised in
// /v1/config, under /polaris/v1/{prefix}, namespace levels joined by 0x1F, page tokens) and the
// typing of the four maintenance policy types, with the message a broken policy produces.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from './errors.ts';
import { describePolicy, tablePoliciesFrom } from './policies.ts';
import type { ApplicablePolicy } from './policy-types.ts';
import {
  jsonAnswer,
  type ScriptedCatalogServer,
  startScriptedCatalog,
} from './scripted-catalog.test-helper.ts';

const POLICY_ENDPOINT = 'GET /polaris/v1/{prefix}/applicable-policies';
const table = { namespace: ['sales', 'eu'], name: 'orders' };

function applicable(
  type: string,
  name: string,
  content: unknown,
  extra: Partial<{ inherited: boolean; namespace: string[]; version: number }> = {},
) {
  return {
    'policy-type': type,
    inheritable: true,
    name,
    description: null,
    content: typeof content === 'string' ? content : JSON.stringify(content),
    version: extra.version ?? 0,
    inherited: extra.inherited ?? false,
    namespace: extra.namespace ?? ['sales'],
  };
}

let server: ScriptedCatalogServer;
beforeAll(async () => {
  server = await startScriptedCatalog();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

describe('applicablePolicies over REST', () => {
  it('asks Polaris for the table (prefix, 0x1F-joined namespace, target-name) and follows page tokens', async () => {
    server.routes.set('GET /v1/config', () =>
      jsonAnswer({
        defaults: {},
        overrides: { prefix: 'prod' },
        endpoints: ['GET /v1/{prefix}/namespaces', POLICY_ENDPOINT],
      }),
    );
    server.routes.set('GET /polaris/v1/prod/applicable-policies', (seen) =>
      seen.url.includes('pageToken=p2')
        ? jsonAnswer({
            'applicable-policies': [
              applicable(
                'system.orphan-file-removal',
                'no-orphans',
                { version: '2025-02-03', enable: false },
                { inherited: true },
              ),
            ],
          })
        : jsonAnswer({
            'applicable-policies': [
              applicable('system.snapshot-expiry', 'keep-3', {
                enable: true,
                config: { min_snapshot_to_keep: 3, max_snapshot_age_days: 2, max_ref_age_days: 0.5 },
              }),
            ],
            'next-page-token': 'p2',
          }),
    );
    const policies = await server.catalog({ warehouse: 'prod' }).applicablePolicies('sales.eu.orders');
    const calls = server.seen.filter((seen) => seen.url.startsWith('/polaris/'));
    expect(calls.map((seen) => seen.url)).toEqual([
      '/polaris/v1/prod/applicable-policies?namespace=sales%1Feu&target-name=orders',
      '/polaris/v1/prod/applicable-policies?namespace=sales%1Feu&target-name=orders&pageToken=p2',
    ]);
    expect(policies?.policies.map((policy) => policy.name)).toEqual(['keep-3', 'no-orphans']);
    expect(policies?.snapshotExpiry).toMatchObject({
      enable: true,
      minSnapshotsToKeep: 3,
      maxSnapshotAgeMs: 172_800_000,
      maxRefAgeMs: 43_200_000,
    });
    expect(policies?.orphanFileRemoval).toMatchObject({ enable: false });
    expect(policies?.orphanFileRemoval?.policy.inherited).toBe(true);
    expect(policies?.dataCompaction).toBeUndefined();
  });

  it('answers undefined, without calling it, when the catalog does not advertise the policy API', async () => {
    server.routes.set('GET /v1/config', () =>
      jsonAnswer({ defaults: {}, overrides: {}, endpoints: ['GET /v1/{prefix}/namespaces'] }),
    );
    expect(await server.catalog().applicablePolicies('sales.orders')).toBeUndefined();
    expect(server.seen.map((seen) => seen.url)).toEqual(['/v1/config']);
  });

  it('maps a missing table to no-such-table', async () => {
    server.routes.set('GET /v1/config', () =>
      jsonAnswer({ defaults: {}, overrides: {}, endpoints: [POLICY_ENDPOINT] }),
    );
    server.routes.set('GET /polaris/v1/applicable-policies', () =>
      jsonAnswer(
        { error: { message: 'Table does not exist: sales.nope', type: 'NoSuchTableException', code: 404 } },
        404,
      ),
    );
    await expect(server.catalog().applicablePolicies('sales.nope')).rejects.toMatchObject({
      kind: 'no-such-table',
    });
  });
});

describe('tablePoliciesFrom', () => {
  const policy = (type: string, content: string | undefined, name = 'p'): ApplicablePolicy => ({
    name,
    type,
    namespace: ['sales'],
    version: 2,
    inherited: false,
    inheritable: true,
    ...(content === undefined ? {} : { content }),
  });

  it('types orphan-file removal and both compaction types, and keeps custom types untouched', () => {
    const typed = tablePoliciesFrom(table, [
      policy(
        'system.orphan-file-removal',
        JSON.stringify({ enable: true, max_orphan_file_age_in_days: 1.5, locations: ['s3://b/t'] }),
      ),
      policy(
        'system.data-compaction',
        JSON.stringify({
          enable: true,
          config: { target_file_size_bytes: 134217728, compaction_strategy: 'bin-pack' },
        }),
      ),
      policy('system.metadata-compaction', JSON.stringify({ enable: false })),
      policy('custom.acme.masking', 'SELECT 1'),
    ]);
    expect(typed.orphanFileRemoval).toMatchObject({
      enable: true,
      olderThanMs: 129_600_000,
      locations: ['s3://b/t'],
    });
    expect(typed.dataCompaction).toMatchObject({
      enable: true,
      targetFileSizeBytes: 134217728,
      config: { compaction_strategy: 'bin-pack' },
    });
    expect(typed.metadataCompaction).toMatchObject({ enable: false, config: {} });
    expect(typed.policies).toHaveLength(4);
  });

  it('prefers the policy attached to the table when a server sends two of one type', () => {
    const inherited = { ...policy('system.snapshot-expiry', '{"enable":false}', 'ns-wide'), inherited: true };
    const direct = policy('system.snapshot-expiry', '{"enable":true}', 'table-own');
    expect(tablePoliciesFrom(table, [inherited, direct]).snapshotExpiry?.policy.name).toBe('table-own');
  });

  it('reads the compaction knobs floe maps from a compaction policy config, and refuses bad ones', () => {
    const typed = tablePoliciesFrom(table, [
      policy(
        'system.data-compaction',
        '{"enable":true,"config":{"min_file_size_bytes":"1000","min_input_files":2}}',
        'small-files',
      ),
      policy(
        'system.metadata-compaction',
        '{"enable":true,"config":{"target_manifest_size_bytes":4096}}',
        'm',
      ),
    ]);
    expect(typed.dataCompaction).toMatchObject({ minFileSizeBytes: 1000, minInputFiles: 2 });
    expect(typed.metadataCompaction).toMatchObject({ targetManifestSizeBytes: 4096 });
    expect(() =>
      tablePoliciesFrom(table, [
        policy('system.data-compaction', '{"enable":true,"config":{"min_input_files":0}}', 'bad'),
      ]),
    ).toThrow(
      'Polaris policy bad (system.data-compaction) that applies to table sales.eu.orders cannot be used: ' +
        'config.min_input_files must be a whole number >= 1, got 0',
    );
  });

  it('says which policy is unreadable and how to fix it', () => {
    const cases: [string | undefined, string][] = [
      [
        '{"enable":"false"}',
        'its content does not match the system.snapshot-expiry schema at "enable": Invalid input: expected boolean, received string',
      ],
      ['not json', 'its content is not JSON'],
      [undefined, 'it has no content (a maintenance policy needs at least {"enable": …})'],
      [
        '{"enable":true,"config":{"min_snapshot_to_keep":0}}',
        'config.min_snapshot_to_keep must be a whole number >= 1, got 0',
      ],
      [
        '{"enable":true,"config":{"max_snapshot_age_days":"soon"}}',
        'config.max_snapshot_age_days must be a number of days >= 0, got "soon"',
      ],
    ];
    for (const [content, problem] of cases) {
      let caught: unknown;
      try {
        tablePoliciesFrom(table, [policy('system.snapshot-expiry', content, 'expiry')]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CatalogError);
      expect((caught as CatalogError).message).toBe(
        `Polaris policy expiry (system.snapshot-expiry) that applies to table sales.eu.orders cannot be used: ${problem}; ` +
          'fix the policy in Polaris (PUT …/policies/expiry) or detach it from the table',
      );
      expect((caught as CatalogError).retryable).toBe(false);
    }
  });

  it('describes a policy with its type, version and where it comes from', () => {
    expect(describePolicy(policy('system.snapshot-expiry', '{}', 'keep'))).toBe(
      'keep (system.snapshot-expiry v2, attached to the table)',
    );
    expect(describePolicy({ ...policy('system.snapshot-expiry', '{}', 'keep'), inherited: true })).toBe(
      'keep (system.snapshot-expiry v2, inherited from a namespace or the catalog)',
    );
  });
});
