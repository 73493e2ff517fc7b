// `floe table list|describe|register|rename|drop|upgrade|health`: tables of the configured Iceberg REST
// catalog, named `namespace.table` (nested namespaces with more dots). `describe` shows what
// a person checks first — schema with field ids, partition spec, sort order, properties,
// current snapshot, location, and the Apache Polaris policies that apply (when the catalog has
// the policy API); `register` adopts an existing metadata file (e.g. after a drop
// without purge, or a migration); `drop` keeps data files unless `--purge`; `upgrade` raises
// the format version (v2 → v3 for deletion vectors and row lineage) without rewriting data.
import { catalogCommitter, formatTable, type TableIdentifier, toTableIdentifier } from '@floe/catalog';
import { upgradeFormatVersion } from '@floe/iceberg';
import { createCommandGroup, type Invocation, type Subcommand } from '../catalog/catalog-command-group.ts';
import { type Command, EXIT_OK, UsageError } from '../command.ts';
import { describePolicies, renderPolicies } from '../output/policy-description.ts';
import { describeTable, renderTableDescription } from '../output/table-description.ts';
import { renderTextTable, toJsonOutput } from '../output/text-table.ts';
import { HEALTH_SUBCOMMAND } from './health-command.ts';
import { INSPECT_SUBCOMMANDS } from './inspect-command.ts';

function argAt(invocation: Invocation, index: number): string {
  return invocation.args[index] as string;
}

/** Refuses a table name without a namespace before any request. */
function requireQualified(name: string, what: string): void {
  const parts = name.split('.');
  if (parts.length < 2 || parts.some((part) => part.trim() === '')) {
    throw new UsageError(`${what} "${name}" must be written as NAMESPACE.TABLE, e.g. bronze.events`);
  }
}

/** Human output of `table list`; exported for unit tests. */
export function renderTableList(tables: readonly TableIdentifier[], namespace: string): string {
  if (tables.length === 0) return `no tables in namespace ${namespace}\n`;
  return renderTextTable(
    ['table'],
    tables.map((table) => [formatTable(table)]),
  );
}

const list: Subcommand = {
  name: 'list',
  usage: 'list NS',
  summary: 'list the tables of a namespace',
  args: ['NS'],
  async run(invocation) {
    const namespace = argAt(invocation, 0);
    const tables = await invocation.catalog.listTables(namespace);
    invocation.io.stdout(
      invocation.format === 'json'
        ? toJsonOutput(
            tables.map((table) => ({
              table: formatTable(table),
              namespace: table.namespace,
              name: table.name,
            })),
          )
        : renderTableList(tables, namespace),
    );
    return EXIT_OK;
  },
};

const describe: Subcommand = {
  name: 'describe',
  usage: 'describe NS.TABLE',
  summary:
    'show schema, partition spec, sort order, properties, current snapshot, location and the Polaris policies that apply',
  args: ['NS.TABLE'],
  validate(args) {
    requireQualified(args[0] as string, 'table');
  },
  async run(invocation) {
    const table = await invocation.catalog.loadTable(argAt(invocation, 0));
    const description = describeTable(table);
    const policies = describePolicies(await invocation.catalog.applicablePolicies?.(table.identifier));
    invocation.io.stdout(
      invocation.format === 'json'
        ? toJsonOutput({ ...description, policies })
        : renderTableDescription(description) + renderPolicies(policies),
    );
    return EXIT_OK;
  },
};

const register: Subcommand = {
  name: 'register',
  usage: 'register NS.TABLE METADATA_LOCATION',
  summary: 'register an existing table from its metadata file (s3://…/metadata/….metadata.json)',
  args: ['NS.TABLE', 'METADATA_LOCATION'],
  validate(args) {
    requireQualified(args[0] as string, 'table');
    const location = args[1] as string;
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location) || !location.endsWith('.json')) {
      throw new UsageError(
        `METADATA_LOCATION "${location}" must be the full URI of a table metadata file, e.g. s3://warehouse/db/t/metadata/00001-….metadata.json`,
      );
    }
  },
  async run(invocation) {
    const table = await invocation.catalog.registerTable(argAt(invocation, 0), argAt(invocation, 1));
    const description = describeTable(table);
    if (invocation.format === 'json') {
      invocation.io.stdout(
        toJsonOutput({
          table: description.identifier,
          metadata_location: description.metadata_location,
          current_snapshot_id: description.current_snapshot?.snapshot_id ?? null,
        }),
      );
    } else {
      const snapshot = description.current_snapshot?.snapshot_id ?? 'none';
      invocation.io.stdout(
        `✓ registered table ${description.identifier} from ${description.metadata_location ?? argAt(invocation, 1)} (current snapshot ${snapshot})\n`,
      );
    }
    return EXIT_OK;
  },
};

const rename: Subcommand = {
  name: 'rename',
  usage: 'rename FROM TO',
  summary: 'rename a table, or move it to another namespace',
  args: ['FROM', 'TO'],
  validate(args) {
    requireQualified(args[0] as string, 'FROM');
    requireQualified(args[1] as string, 'TO');
    if (args[0] === args[1]) throw new UsageError(`FROM and TO are both "${args[0]}"`);
  },
  async run(invocation) {
    const [from, to] = [argAt(invocation, 0), argAt(invocation, 1)];
    await invocation.catalog.renameTable(from, to);
    invocation.io.stdout(
      invocation.format === 'json'
        ? toJsonOutput({ from, to, renamed: true })
        : `✓ renamed table ${from} to ${to}\n`,
    );
    return EXIT_OK;
  },
};

const drop: Subcommand = {
  name: 'drop',
  usage: 'drop NS.TABLE [--purge]',
  summary: 'drop a table from the catalog (data files stay unless --purge)',
  args: ['NS.TABLE'],
  flags: { purge: { type: 'boolean', default: false } },
  details:
    'Options:\n  --purge               ask the catalog to delete the data and metadata files too\n\n' +
    'Without --purge the files stay; note the metadata location (`floe table describe`) to\n' +
    'register the table again later.',
  validate(args) {
    requireQualified(args[0] as string, 'table');
  },
  async run(invocation) {
    const name = argAt(invocation, 0);
    const purge = invocation.flags['purge'] === true;
    await invocation.catalog.dropTable(name, { purge });
    invocation.io.stdout(
      invocation.format === 'json'
        ? toJsonOutput({ table: name, dropped: true, purged: purge })
        : `✓ dropped table ${name}${purge ? ' and purged its files' : ' (data and metadata files kept)'}\n`,
    );
    return EXIT_OK;
  },
};

const upgrade: Subcommand = {
  name: 'upgrade',
  usage: 'upgrade NS.TABLE --format-version N',
  summary: 'upgrade the table format version (2 or 3); data and manifests are not rewritten',
  args: ['NS.TABLE'],
  flags: { 'format-version': { type: 'string' } },
  details:
    'Options:\n  --format-version N    the version to upgrade to: 2, or 3 (deletion vectors, row lineage)\n\n' +
    'Format versions only go up. Engines that read the table must support the new version\n' +
    '(Spark with Iceberg 1.8+, PyIceberg 0.10+ for v3).',
  validate(args, flags) {
    requireQualified(args[0] as string, 'table');
    const version = flags['format-version'];
    if (version !== '2' && version !== '3') {
      throw new UsageError(
        version === undefined
          ? 'upgrade needs --format-version 2 or --format-version 3'
          : `--format-version "${String(version)}" is not a version floe can upgrade to; use 2 or 3`,
      );
    }
  },
  async run(invocation) {
    const name = argAt(invocation, 0);
    const target = Number(invocation.flags['format-version']);
    const result = await upgradeFormatVersion(
      catalogCommitter(invocation.catalog),
      toTableIdentifier(name),
      target,
    );
    invocation.io.stdout(
      invocation.format === 'json'
        ? toJsonOutput({
            table: name,
            previous_format_version: result.previousVersion,
            format_version: result.table.metadata.formatVersion,
            upgraded: result.upgraded,
          })
        : result.upgraded
          ? `✓ upgraded table ${name} from format version ${result.previousVersion} to ${target}\n`
          : `table ${name} is already at format version ${result.table.metadata.formatVersion}; nothing to do\n`,
    );
    return EXIT_OK;
  },
};

export const TABLE_SUBCOMMANDS: readonly Subcommand[] = [
  list,
  describe,
  register,
  rename,
  drop,
  upgrade,
  ...INSPECT_SUBCOMMANDS,
  HEALTH_SUBCOMMAND,
];

export function createTableCommand(): Command {
  return createCommandGroup(
    'table',
    'list, describe, register, rename, drop, upgrade and inspect tables of the Iceberg catalog',
    TABLE_SUBCOMMANDS,
  );
}
