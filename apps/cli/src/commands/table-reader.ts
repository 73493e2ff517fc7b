// What the read-side commands (`floe table snapshots|history|files|partitions`, `floe query`)
// share: load a table through the catalog, open storage for its files with the `storage:`
// section of floe.yaml (the catalog's per-table config, which may carry vended credentials,
// wins), and turn a format-library refusal (unknown snapshot, bad column) into one ✗ line with
// exit 1 instead of a crash. @floe/iceberg and @floe/catalog load only when a command runs.
import { s3PropertiesFrom } from '@floe/config';
import type { FileIO, TableMetadata } from '@floe/iceberg';
import { redactSecrets } from '@floe/telemetry';
import { type Invocation, loadArtifacts } from '../catalog/catalog-command-group.ts';
import { EXIT_FAILURE, EXIT_OK } from '../command.ts';

export interface OpenedTable {
  readonly name: string;
  readonly metadata: TableMetadata;
  readonly io: FileIO;
  /** The current metadata.json, when the catalog says where it is. */
  readonly metadataLocation: string | undefined;
}

/**
 * Loads `name` and runs `read` on it. An IcebergError (the library's clear refusals) becomes a
 * ✗ line scrubbed of the configured secrets; catalog errors propagate to the command group,
 * which prints them the same way.
 */
export async function withTable(
  invocation: Invocation,
  name: string,
  read: (table: OpenedTable) => Promise<void>,
): Promise<number> {
  const artifacts = await loadArtifacts(invocation.flags, invocation.io);
  const { secretValuesOf } = await import('@floe/config');
  const { tableMetadataOf } = await import('@floe/catalog');
  const { fileIOFor, isIcebergError } = await import('@floe/iceberg');
  const loaded = await invocation.catalog.loadTable(name);
  try {
    const metadata = tableMetadataOf(loaded);
    const io = fileIOFor(metadata.location, { ...s3PropertiesFrom(artifacts.storage), ...loaded.config });
    await read({ name, metadata, io, metadataLocation: loaded.metadataLocation });
    return EXIT_OK;
  } catch (error) {
    if (!isIcebergError(error)) throw error;
    invocation.io.stderr(`✗ ${redactSecrets(error.message, secretValuesOf(artifacts))}\n`);
    return EXIT_FAILURE;
  }
}
