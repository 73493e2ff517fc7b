// One constructor for whichever catalog floe.yaml names: the REST client (`type: rest`, the
// default) or the embedded SQL catalog (`type: sql`). Apps build their catalog here, so the
// writer, the maintenance worker and the CLI run unchanged on either.

import type { Catalog } from './catalog.ts';
import type { RestCatalogOptions } from './options.ts';
import { RestCatalog } from './rest-catalog.ts';
import { SqlCatalog, type SqlCatalogOptions } from './sql/sql-catalog.ts';

export type CatalogOptions = RestCatalogOptions | (SqlCatalogOptions & { readonly type: 'sql' });

export function createCatalog(options: CatalogOptions): Catalog {
  return options.type === 'sql' ? new SqlCatalog(options) : new RestCatalog(options);
}
