// `floe table snapshots|history|refs|manifests|files|partitions NS.TABLE`: the inspection
// tables of @floe/iceberg printed as a text table, CSV or JSON (longs as decimal strings). The
// file-level listings take `--snapshot ID` to look at an older snapshot; an unknown id gets the
// library's message naming the snapshots that exist. They are subcommands of `floe table`
// (registered in table-command.ts) and run through the same catalog frame. Columns the library
// keeps as JSON text (a snapshot's summary) are printed as JSON objects with `--format json`.
import type { Table } from 'apache-arrow';
import type { Invocation, Subcommand } from '../catalog/catalog-command-group.ts';
import { UsageError } from '../command.ts';
import type { Cell, CellTable } from '../output/arrow-table-output.ts';
import { type OpenedTable, withTable } from './table-reader.ts';

type Inspect = typeof import('@floe/iceberg');

/** Refuses a table name without a namespace before any request. */
export function requireTableName(name: string): void {
  const parts = name.split('.');
  if (parts.length < 2 || parts.some((part) => part.trim() === '')) {
    throw new UsageError(`table "${name}" must be written as NAMESPACE.TABLE, e.g. bronze.events`);
  }
}

/** `--snapshot` as a snapshot id; a usage error names what was given. Exported for tests. */
export function parseSnapshotId(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text.trim())) {
    throw new UsageError(
      `--snapshot must be a snapshot id (an integer, see \`floe table snapshots\`), got "${text}"`,
    );
  }
  return BigInt(text.trim());
}

const FORMAT_HELP =
  '  --format <table|csv|json>  output as a text table (default), CSV, or JSON (longs as strings)';
const SNAPSHOT_HELP = '  --snapshot <id>       list what this snapshot reads instead of the current one';

/** The cells of `columns` (JSON object text) parsed into objects; other cells as they are. */
export function withJsonColumns(table: CellTable, columns: readonly string[]): CellTable {
  const indexes = new Set(columns.map((name) => table.columns.indexOf(name)).filter((i) => i >= 0));
  if (indexes.size === 0) return table;
  return {
    columns: table.columns,
    rows: table.rows.map((row) =>
      row.map((cell, i) => (indexes.has(i) && typeof cell === 'string' ? (JSON.parse(cell) as Cell) : cell)),
    ),
  };
}

function inspectSubcommand(
  name: string,
  summary: string,
  build: (iceberg: Inspect, table: OpenedTable, snapshotId: bigint | undefined) => Promise<Table> | Table,
  bySnapshot: boolean,
  jsonColumns: readonly string[] = [],
): Subcommand {
  return {
    name,
    usage: `${name} NS.TABLE${bySnapshot ? ' [--snapshot ID]' : ''}`,
    summary,
    args: ['NS.TABLE'],
    formats: ['text', 'csv', 'json'],
    ...(bySnapshot ? { flags: { snapshot: { type: 'string' } } } : {}),
    details: `Options:\n${bySnapshot ? `${SNAPSHOT_HELP}\n` : ''}${FORMAT_HELP}`,
    validate(args, flags) {
      requireTableName(args[0] as string);
      parseSnapshotId(flags['snapshot'] as string | undefined);
    },
    async run(invocation: Invocation) {
      const snapshotId = parseSnapshotId(invocation.flags['snapshot'] as string | undefined);
      const iceberg = await import('@floe/iceberg');
      const { cellsOfArrowTable, renderCells } = await import('../output/arrow-table-output.ts');
      return withTable(invocation, invocation.args[0] as string, async (table) => {
        const cells = cellsOfArrowTable(await build(iceberg, table, snapshotId));
        const shown = invocation.format === 'json' ? withJsonColumns(cells, jsonColumns) : cells;
        invocation.io.stdout(renderCells(shown, invocation.format));
      });
    },
  };
}

function selector(table: OpenedTable, snapshotId: bigint | undefined) {
  return { tableName: table.name, ...(snapshotId === undefined ? {} : { snapshotId }) };
}

export const INSPECT_SUBCOMMANDS: readonly Subcommand[] = [
  inspectSubcommand(
    'snapshots',
    'list the snapshots: commit time, id, parent, operation, manifest list, summary',
    (iceberg, table) => iceberg.snapshotsTable(table.metadata),
    false,
    ['summary'],
  ),
  inspectSubcommand(
    'history',
    'list when each snapshot became current, and whether the current state descends from it',
    (iceberg, table) => iceberg.historyTable(table.metadata),
    false,
  ),
  inspectSubcommand(
    'refs',
    'list the branches and tags with their snapshot and retention',
    (iceberg, table) => iceberg.refsTable(table.metadata),
    false,
  ),
  inspectSubcommand(
    'manifests',
    'list the manifests of a snapshot with file counts and partition summaries',
    (iceberg, table, id) => iceberg.manifestsTable(table.metadata, table.io, selector(table, id)),
    true,
  ),
  inspectSubcommand(
    'files',
    'list the data and delete files of a snapshot with partition, rows, size and column metrics',
    (iceberg, table, id) => iceberg.filesTable(table.metadata, table.io, selector(table, id)),
    true,
  ),
  inspectSubcommand(
    'partitions',
    'list the partitions of a snapshot with row count, file count and total size',
    (iceberg, table, id) => iceberg.partitionsTable(table.metadata, table.io, selector(table, id)),
    true,
  ),
];
