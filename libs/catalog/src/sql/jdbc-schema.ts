// The catalog's two tables, laid out exactly as Apache Iceberg's JdbcCatalog and PyIceberg's
// SqlCatalog lay them out, so all three read and write the same catalog:
//
//   iceberg_tables(catalog_name, table_namespace, table_name,          -- primary key
//                  metadata_location, previous_metadata_location,
//                  iceberg_type)                                        -- JdbcCatalog schema V1
//   iceberg_namespace_properties(catalog_name, namespace, property_key, -- primary key
//                                property_value)
//
// Namespaces are their levels joined with '.', and a namespace with no properties is recorded
// by the property `exists` = `true` (both engines do the same). `iceberg_type` ('TABLE'/'VIEW')
// comes from JdbcCatalog's V1 schema: PyIceberg does not know it and leaves it NULL, which both
// JdbcCatalog and floe read as a table. A database whose tables an older JdbcCatalog or
// PyIceberg created has no such column; floe then works without it (and never alters it).

import { isSqlFailure, type SqlConnection, SqlError } from './sql-connection.ts';

export const TABLES = 'iceberg_tables';
export const NAMESPACE_PROPERTIES = 'iceberg_namespace_properties';
/** The property that makes a namespace without properties exist. */
export const NAMESPACE_EXISTS_PROPERTY = 'exists';

const CREATE_TABLES = `CREATE TABLE IF NOT EXISTS ${TABLES} (
  catalog_name VARCHAR(255) NOT NULL,
  table_namespace VARCHAR(255) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  metadata_location VARCHAR(1000),
  previous_metadata_location VARCHAR(1000),
  iceberg_type VARCHAR(5),
  PRIMARY KEY (catalog_name, table_namespace, table_name)
)`;

const CREATE_NAMESPACE_PROPERTIES = `CREATE TABLE IF NOT EXISTS ${NAMESPACE_PROPERTIES} (
  catalog_name VARCHAR(255) NOT NULL,
  namespace VARCHAR(255) NOT NULL,
  property_key VARCHAR(255) NOT NULL,
  property_value VARCHAR(1000),
  PRIMARY KEY (catalog_name, namespace, property_key)
)`;

export interface CatalogSchemaInfo {
  /** Whether `iceberg_tables` has JdbcCatalog V1's `iceberg_type` column. */
  readonly hasIcebergType: boolean;
}

/** Creates the tables when missing (concurrent creators are fine) and reports their shape. */
export async function ensureCatalogTables(connection: SqlConnection): Promise<CatalogSchemaInfo> {
  for (const ddl of [CREATE_TABLES, CREATE_NAMESPACE_PROPERTIES]) {
    try {
      await connection.execute(ddl);
    } catch (error) {
      // Two processes creating the same PostgreSQL table at once: one loses on the catalog's own
      // unique index. The table exists either way.
      if (!isSqlFailure(error, 'duplicate')) throw error;
    }
  }
  try {
    await connection.query(`SELECT iceberg_type FROM ${TABLES} WHERE 1 = 0`);
    return { hasIcebergType: true };
  } catch (error) {
    if (error instanceof SqlError && error.failure === 'other') return { hasIcebergType: false };
    throw error;
  }
}

/** The SQL condition that keeps only tables (not JdbcCatalog views) of `iceberg_tables`. */
export function tablesOnly(schema: CatalogSchemaInfo): string {
  return schema.hasIcebergType ? " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)" : '';
}

/** `a.b` → the LIKE pattern for its descendants (`a.b.%`), with LIKE's wildcards escaped by `!`. */
export function descendantsPattern(namespace: string): string {
  return `${namespace.replace(/[!_%]/g, (c) => `!${c}`)}.%`;
}
