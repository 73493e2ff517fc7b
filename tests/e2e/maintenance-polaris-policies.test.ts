// Issue 18 acceptance: the maintenance worker obeys Apache Polaris's maintenance policies. A REAL
// writer commits three snapshots to each of two tables of one namespace; the policy gateway of
// the test harness plays Polaris's policy API in front of the real catalog, with a
// `system.snapshot-expiry` policy attached to ONE table (max age 0 days, keep 2) and a disabled
// `system.orphan-file-removal` policy attached to the NAMESPACE, a disabled
// `system.data-compaction` policy on the governed table and an enabled one (1 MiB target, 2 input
// files suffice) on the other. A REAL maintenance worker runs expire, orphans and compact on
// schedules over the namespace (fan-out per table). Then:
//   - the governed table's expiry follows its policy over floe.yaml (which keeps everything
//     younger than 5 days): one snapshot expired, two kept, and the report says the policy
//     decided max age and snapshots to keep;
//   - the other table's expiry follows floe.yaml: nothing expired, the report says floe.yaml;
//   - every scheduled orphan run of both tables was skipped, naming the namespace's policy;
//   - every scheduled compaction of the governed table was skipped, naming its policy, while the
//     other table's three files were compacted into one with the policy's target size, which its
//     report (and `floe maintenance run compact --dry-run`) says the policy decided;
//   - the worker's /metrics counts its catalog calls (the policy lookups among them).
import { RestCatalog } from '@floe/catalog';
import { type PolicyGateway, startPolicyGateway } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { createFleet, jobBatch, sleep } from './support/fleet.ts';
import { createMaintenance, type MaintenanceRun } from './support/maintenance-fleet.ts';

const ROWS = 5;
const fleet = createFleet('mpol');
const maintenance = createMaintenance(fleet);
const catalog = new RestCatalog({ uri: fleet.stack.catalogUri, warehouse: fleet.stack.catalogWarehouse });
let gateway: PolicyGateway | undefined;

afterAll(async () => {
  await maintenance.close();
  await fleet.close();
  await gateway?.close();
  await catalog.close();
}, 120_000);

describe('Polaris maintenance policies on a schedule', () => {
  it('lets a table policy override floe.yaml, a disabled namespace policy stop orphan runs and table policies govern compaction', async () => {
    const ns = fleet.namespace;
    const governed = `${ns}.governed`;
    const other = `${ns}.other`;
    await fleet.startWorker({ concurrency: 1 });
    for (const table of [governed, other]) {
      for (let job = 0; job < 3; job++) {
        const handle = await fleet.producer().write(table, jobBatch(job, ROWS), {
          idempotencyKey: `${fleet.run}-${table}-${job}`,
          ...(job === 0 ? { create: { partitionSpec: [] } } : {}),
        });
        await handle.result(60_000);
      }
    }

    gateway = await startPolicyGateway({ upstream: fleet.stack.catalogUri });
    await gateway.createPolicy([ns], 'expire-fast', 'system.snapshot-expiry', {
      version: '2025-02-03',
      enable: true,
      config: { max_snapshot_age_days: 0, min_snapshot_to_keep: 2 },
    });
    await gateway.createPolicy([ns], 'keep-orphans', 'system.orphan-file-removal', {
      version: '2025-02-03',
      enable: false,
    });
    await gateway.createPolicy([ns], 'no-compaction', 'system.data-compaction', {
      version: '2025-02-03',
      enable: false,
    });
    await gateway.createPolicy([ns], 'compact-small', 'system.data-compaction', {
      version: '2025-02-03',
      enable: true,
      config: { target_file_size_bytes: 1_048_576, min_input_files: 2, compaction_strategy: 'bin-pack' },
    });
    await gateway.attachPolicy([ns], 'expire-fast', { type: 'table-like', path: [ns, 'governed'] });
    await gateway.attachPolicy([ns], 'keep-orphans', { type: 'namespace', path: [ns] });
    await gateway.attachPolicy([ns], 'no-compaction', { type: 'table-like', path: [ns, 'governed'] });
    await gateway.attachPolicy([ns], 'compact-small', { type: 'table-like', path: [ns, 'other'] });

    const worker = await maintenance.start({
      catalogUri: gateway.url,
      concurrency: 2,
      schedules: [
        { name: 'expire-all', everyMs: 2000, action: 'expire', namespaces: [ns] },
        { name: 'orphans-all', everyMs: 2000, action: 'orphans', namespaces: [ns] },
        { name: 'compact-all', everyMs: 2000, action: 'compact', namespaces: [ns] },
      ],
    });
    const runsOf = (action: string, table: string) =>
      worker.runs().filter((run) => run.action === action && run.table === table);
    const done = () =>
      runsOf('expire', governed).length > 0 &&
      runsOf('expire', other).length > 0 &&
      runsOf('orphans', governed).length > 0 &&
      runsOf('orphans', other).length > 0 &&
      runsOf('compact', governed).length > 0 &&
      runsOf('compact', other).some((run) => run.rewrite?.snapshotId !== undefined);
    for (let waited = 0; !done() && waited < 180; waited++) await sleep(500);
    expect(done(), worker.output().slice(-4000)).toBe(true);

    const [firstGoverned] = runsOf('expire', governed) as [MaintenanceRun];
    expect(firstGoverned.snapshotsExpired).toBe(1);
    expect(firstGoverned.settings).toEqual({
      maxSnapshotAgeMs: { value: 0, source: 'polaris-policy', from: 'policy expire-fast' },
      minSnapshotsToKeep: { value: 2, source: 'polaris-policy', from: 'policy expire-fast' },
      // Polaris's snapshot-expiry policy has no count cap: floe.yaml's default decides it.
      maxSnapshots: { value: 500, source: 'floe.yaml', from: 'maintenance.retention.max_snapshots' },
      enabled: { value: true, source: 'polaris-policy', from: 'policy expire-fast' },
    });
    const governedTable = await catalog.loadTable(governed);
    expect(governedTable.metadata['snapshots']).toHaveLength(2);

    for (const run of runsOf('expire', other)) {
      expect(run.snapshotsExpired).toBe(0);
      expect(run.settings?.['maxSnapshotAgeMs']).toEqual({
        value: 432_000_000,
        source: 'floe.yaml',
        from: 'maintenance.retention.max_snapshot_age_ms',
      });
    }
    // Three appends and the compaction's replace; nothing expired.
    expect((await catalog.loadTable(other)).metadata['snapshots']).toHaveLength(4);

    // The maintenance worker counts its catalog calls, the policy lookups included.
    const started = worker
      .output()
      .split('\n')
      .find((line) => line.includes('maintenance worker started'));
    const metricsPort = (JSON.parse(started ?? '{}') as { metricsPort?: number }).metricsPort;
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(
      /floe_catalog_requests_total\{[^}]*operation="getApplicablePolicies"[^}]*status="200"[^}]*\} [1-9]/,
    );

    for (const run of [...runsOf('orphans', governed), ...runsOf('orphans', other)]) {
      expect(run.skipped).toEqual({
        policy: 'keep-orphans',
        policyType: 'system.orphan-file-removal',
        reason:
          'Polaris policy keep-orphans (system.orphan-file-removal v0, inherited from a namespace or the catalog) has enable: false',
      });
      expect(run.filesDeleted).toBe(0);
    }

    for (const run of runsOf('compact', governed)) {
      expect(run.skipped).toEqual({
        policy: 'no-compaction',
        policyType: 'system.data-compaction',
        reason:
          'Polaris policy no-compaction (system.data-compaction v0, attached to the table) has enable: false',
      });
      expect(run.rewrite).toBeUndefined();
    }
    const compacted = runsOf('compact', other).find((run) => run.rewrite?.snapshotId !== undefined);
    expect(compacted?.rewrite).toMatchObject({ filesRewritten: 3, filesAdded: 1 });
    expect(compacted?.settings).toEqual({
      targetFileSizeBytes: { value: 1_048_576, source: 'polaris-policy', from: 'policy compact-small' },
      minInputFiles: { value: 2, source: 'polaris-policy', from: 'policy compact-small' },
      enabled: { value: true, source: 'polaris-policy', from: 'policy compact-small' },
    });

    // The CLI's dry run reports the same layering; the run's own option beats the policy.
    const cli = await maintenance.cli([
      'maintenance',
      'run',
      'compact',
      '--table',
      other,
      '--min-input-files',
      '1',
      '--dry-run',
      '--timeout-ms',
      '120000',
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('1048576 (polaris-policy: policy compact-small)');
    expect(cli.stdout).toContain('1 (run: run.minInputFiles)');
  });
});
