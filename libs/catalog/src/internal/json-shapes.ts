// Shared JSON shape aliases. Catalog payloads are parsed with the BigInt-safe parser of
// @floe/iceberg, so values are plain JSON plus `bigint` for longs beyond 2^53.

/** A parsed JSON object; nested values are JSON values (with `bigint` for large longs). */
export type JsonObject = Readonly<Record<string, unknown>>;
