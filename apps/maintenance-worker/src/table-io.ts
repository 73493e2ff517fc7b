// Opening a table for a maintenance action: load it from the catalog, read its metadata into
// the domain form, and build the FileIO for its location — floe.yaml's S3 properties with the
// catalog's table config merged over them, and with `access_delegation: vended-credentials` the
// catalog's refreshing credentials for that table (a long orphan listing outlives one token).
import { type LoadedTable, type TableIdentifier, tableMetadataOf } from '@floe/catalog';
import { type FileIO, fileIOFor, type TableMetadata } from '@floe/iceberg';
import type { MaintenanceDeps } from './maintenance-deps.ts';

export interface OpenedTable {
  readonly loaded: LoadedTable;
  readonly metadata: TableMetadata;
  readonly io: FileIO;
}

export async function openTable(deps: MaintenanceDeps, table: TableIdentifier): Promise<OpenedTable> {
  const loaded = await deps.catalog.loadTable(table);
  const metadata = tableMetadataOf(loaded);
  const properties = { ...deps.s3Properties, ...loaded.config };
  const credentials = deps.vendedCredentials
    ? { s3Credentials: deps.catalog.credentialsFor(loaded.identifier).awsCredentialProvider }
    : {};
  return { loaded, metadata, io: fileIOFor(metadata.location, properties, credentials) };
}
