// `floe table health NS.TABLE [--format json]`: whether continuous ingestion is rotting a table —
// data files and how many are small, average and median file size, manifests in the current
// snapshot, delete files, snapshots kept, metadata.json bytes, and the partitions with the most
// files. The figures come from @floe/iceberg's `tableHealth` (the maintenance worker exports the
// same as Prometheus gauges).
import type { TableHealth } from '@floe/iceberg';
import type { Invocation, Subcommand } from '../catalog/catalog-command-group.ts';
import { renderTextTable, toJsonOutput } from '../output/text-table.ts';
import { requireTableName } from './inspect-command.ts';
import { withTable } from './table-reader.ts';

function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${scaled.toFixed(1)} ${units[unit]} (${value})`;
}

/** The human form; exported for unit tests. */
export function renderTableHealth(table: string, health: TableHealth): string {
  const rows: [string, string][] = [
    ['table', table],
    ['snapshot', health.snapshotId ?? '(none: the table is empty)'],
    ['data files', String(health.dataFiles)],
    ['records', String(health.records)],
    ['data size', bytes(health.dataBytes)],
    [
      'small files',
      `${health.smallFiles} (${(health.smallFileShare * 100).toFixed(1)} % below ${bytes(health.smallFileBytes)})`,
    ],
    ['average file size', bytes(health.averageFileBytes)],
    ['median file size', bytes(health.medianFileBytes)],
    ['target file size', bytes(health.targetFileSizeBytes)],
    ['manifests', `${health.manifests} (${health.dataManifests} data, ${health.deleteManifests} delete)`],
    [
      'delete files',
      `${health.deleteFiles} (${health.positionDeleteFiles} position, ${health.equalityDeleteFiles} equality)`,
    ],
    ['snapshots', String(health.snapshots)],
    ['metadata.json', health.metadataJsonBytes === null ? 'unknown' : bytes(health.metadataJsonBytes)],
    ['metadata log entries', String(health.metadataLogEntries)],
    ['partitions', String(health.partitions)],
  ];
  const top =
    health.topPartitions.length === 0
      ? ''
      : `\npartitions with the most files:\n${renderTextTable(
          ['partition', 'data files', 'bytes'],
          health.topPartitions.map((p) => [p.partition, String(p.dataFiles), String(p.bytes)]),
        )}`;
  return renderTextTable(['', ''], rows).split('\n').slice(2).join('\n') + top;
}

export const HEALTH_SUBCOMMAND: Subcommand = {
  name: 'health',
  usage: 'health NS.TABLE',
  summary: 'data files, small-file share, file sizes, manifests, delete files, snapshots, metadata size',
  args: ['NS.TABLE'],
  formats: ['text', 'json'],
  details: 'Options:\n  --format <table|json>  output as a text table (default) or JSON',
  validate(args) {
    requireTableName(args[0] as string);
  },
  async run(invocation: Invocation) {
    const { tableHealth } = await import('@floe/iceberg');
    const name = invocation.args[0] as string;
    return withTable(invocation, name, async (table) => {
      const health = await tableHealth(table.metadata, table.io, {
        ...(table.metadataLocation === undefined ? {} : { metadataLocation: table.metadataLocation }),
      });
      invocation.io.stdout(
        invocation.format === 'json'
          ? toJsonOutput({ table: name, ...health })
          : renderTableHealth(name, health),
      );
    });
  },
};
