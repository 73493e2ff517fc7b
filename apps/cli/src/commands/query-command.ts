// `floe query NS.TABLE [--select a,b] [--where EXPR] [--snapshot ID | --as-of ISO] [--limit N]`:
// reads a table with the library's scan (partition and metrics pruning, only the selected
// columns' bytes fetched, time travel by snapshot id or by time) and prints the rows as a text
// table, CSV or JSON. Values print in Iceberg's JSON single-value form — dates and timestamps
// as ISO text, decimals exact — and longs are decimal strings in JSON. Flag mistakes (and a
// --where that does not parse) are usage errors; an unknown column, snapshot or time is the
// library's ✗ line naming what exists.
import type { IcebergType, IcebergValue, Schema } from '@floe/iceberg';
import type { Table } from 'apache-arrow';
import {
  COMMON_OPTIONS_HELP,
  type FlagValues,
  type Invocation,
  parseSubcommandLine,
  runAgainstCatalog,
  type Subcommand,
} from '../catalog/catalog-command-group.ts';
import { type Command, EXIT_OK, UsageError } from '../command.ts';
import type { Cell, CellTable } from '../output/arrow-table-output.ts';
import { parseSnapshotId, requireTableName } from './inspect-command.ts';
import { withTable } from './table-reader.ts';

type Iceberg = typeof import('@floe/iceberg');

export interface QueryFlags {
  readonly columns: readonly string[] | undefined;
  readonly where: string | undefined;
  readonly snapshotId: bigint | undefined;
  readonly asOfTimestampMs: bigint | undefined;
  readonly limit: number | undefined;
}

/** Checks the query flags; every mistake is a UsageError. Exported for unit tests. */
export function parseQueryFlags(flags: FlagValues): QueryFlags {
  const select = flags['select'] as string | undefined;
  let columns: string[] | undefined;
  if (select !== undefined) {
    columns = select.split(',').map((name) => name.trim());
    if (columns.some((name) => name === '')) {
      throw new UsageError(
        `--select takes column names separated by commas, e.g. id,region; got "${select}"`,
      );
    }
  }
  const snapshotId = parseSnapshotId(flags['snapshot'] as string | undefined);
  const asOf = flags['as-of'] as string | undefined;
  let asOfTimestampMs: bigint | undefined;
  if (asOf !== undefined) {
    if (snapshotId !== undefined) throw new UsageError('give either --snapshot or --as-of, not both');
    const ms = /^\d{4}-\d{2}-\d{2}/.test(asOf) ? Date.parse(asOf) : Number.NaN;
    if (Number.isNaN(ms)) {
      throw new UsageError(
        `--as-of must be an ISO-8601 time such as 2026-01-31T12:00:00Z (a date alone means midnight UTC), got "${asOf}"`,
      );
    }
    asOfTimestampMs = BigInt(ms);
  }
  const limitText = flags['limit'] as string | undefined;
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || !Number.isSafeInteger(limit) || limit <= 0) {
      throw new UsageError(`--limit must be a positive integer, got "${limitText}"`);
    }
  }
  const where = flags['where'] as string | undefined;
  if (where !== undefined && where.trim() === '') throw new UsageError('--where is empty');
  return { columns, where, snapshotId, asOfTimestampMs, limit };
}

/** The --where text as an expression: REST expression JSON when it starts with `{`, else the text syntax. */
export function parseWhere(iceberg: Iceberg, text: string) {
  const trimmed = text.trim();
  try {
    return trimmed.startsWith('{')
      ? iceberg.parseExpressionJson(iceberg.parseJson(trimmed))
      : iceberg.parseFilter(trimmed);
  } catch (error) {
    throw new UsageError(`--where is not a valid filter: ${(error as Error).message}`);
  }
}

function display(iceberg: Iceberg, type: IcebergType, value: IcebergValue): Cell {
  if (value === null) return null;
  switch (type.kind) {
    case 'struct': {
      const struct = value as Readonly<Record<string, IcebergValue>>;
      return Object.fromEntries(
        type.fields.map((field) => [field.name, display(iceberg, field.type, struct[field.name] ?? null)]),
      );
    }
    case 'list':
      return (value as readonly IcebergValue[]).map((item) => display(iceberg, type.element, item));
    case 'map':
      return [...(value as ReadonlyMap<IcebergValue, IcebergValue>)].map(([key, item]) => ({
        key: display(iceberg, type.key, key),
        value: display(iceberg, type.value, item),
      }));
    default:
      return iceberg.serializeJsonSingleValue(type, value) as Cell;
  }
}

/** Scan rows as display cells, column by column of the projected schema. Exported for tests. */
export function cellsOfScan(iceberg: Iceberg, table: Table, schema: Schema): CellTable {
  const vectors = schema.fields.map((field) => table.getChild(field.name));
  const rows: Cell[][] = [];
  for (let row = 0; row < table.numRows; row++) {
    rows.push(
      schema.fields.map((field, column) => {
        const vector = vectors[column];
        if (vector === null || vector === undefined) return null;
        return display(iceberg, field.type, iceberg.readArrowValue(vector, row, field.type, field.name));
      }),
    );
  }
  return { columns: schema.fields.map((field) => field.name), rows };
}

const HELP = `Usage: floe query NS.TABLE [options]

Reads rows of a table: only the selected columns are fetched, and files whose partition values
or column statistics rule out the filter are skipped.

Options:
  --select <a,b,…>           columns to return (default all), in table order
  --where <expr>             row filter as text (id > 5 and region = 'eu', ts >= '2026-01-01T00:00:00',
                             region in ('eu', 'us'), note is null, name starts with 'a') or as
                             Iceberg REST expression JSON
  --snapshot <id>            read this snapshot (see \`floe table snapshots\`)
  --as-of <iso time>         read the snapshot that was current then, e.g. 2026-01-31T12:00:00Z
  --limit <n>                stop after n rows
  --format <table|csv|json>  a text table (default), CSV, or JSON (longs as decimal strings)

${COMMON_OPTIONS_HELP.replace(/\n\s+--format[^\n]*/, '')}

Exit codes: 0 ok, 1 the catalog, storage or table refused (the line says why), 2 usage error.
`;

const QUERY: Subcommand = {
  name: 'query',
  usage: 'query NS.TABLE',
  summary: 'read rows of a table (column selection, filter, time travel)',
  args: ['NS.TABLE'],
  formats: ['text', 'csv', 'json'],
  flags: {
    select: { type: 'string' },
    where: { type: 'string' },
    snapshot: { type: 'string' },
    'as-of': { type: 'string' },
    limit: { type: 'string' },
  },
  validate(args, flags) {
    requireTableName(args[0] as string);
    parseQueryFlags(flags);
  },
  async run(invocation: Invocation) {
    const query = parseQueryFlags(invocation.flags);
    const iceberg = await import('@floe/iceberg');
    const { renderCells } = await import('../output/arrow-table-output.ts');
    const filter = query.where === undefined ? undefined : parseWhere(iceberg, query.where);
    return withTable(invocation, invocation.args[0] as string, async ({ name, metadata, io }) => {
      const plan = await iceberg.planScan(metadata, io, {
        tableName: name,
        ...(filter === undefined ? {} : { filter }),
        ...(query.columns === undefined ? {} : { columns: query.columns }),
        ...(query.snapshotId === undefined ? {} : { snapshotId: query.snapshotId }),
        ...(query.asOfTimestampMs === undefined ? {} : { asOfTimestampMs: query.asOfTimestampMs }),
      });
      const table = await iceberg.scanToTable(
        plan,
        io,
        query.limit === undefined ? {} : { limit: query.limit },
      );
      invocation.io.stdout(renderCells(cellsOfScan(iceberg, table, plan.projectedSchema), invocation.format));
    });
  },
};

export function createQueryCommand(): Command {
  return {
    name: 'query',
    summary: QUERY.summary,
    help: HELP,
    async run(argv, io) {
      const parsed = parseSubcommandLine(QUERY, argv);
      if (parsed.help) {
        io.stdout(HELP);
        return EXIT_OK;
      }
      return runAgainstCatalog(QUERY, parsed, io);
    },
  };
}
