// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
// `catalog:` — how floe reaches its Iceberg catalog: the embedded SQL catalog (`type: sql`, a
// SQLite file or PostgreSQL in the JDBC-catalog layout) or a REST catalog (Apache Polaris in
// production). For REST: the
// endpoint and warehouse, OAuth2 client credentials or a static token, access delegation
// (vended storage credentials), extra headers, and the retry/circuit-breaker policy for
// catalog calls. Credentials are checked as a pair here; that secrets are `${env:…}`
// references is checked in sensitive-fields.ts.
import { z } from 'zod';
import { httpUrl, integer, text } from './fields.ts';

export const CatalogRetrySchema = z
  .strictObject({
    /** Attempts per catalog call, the first included. */
    max_attempts: integer({ min: 1, max: 100 }).default(5),
    /** First backoff delay; doubled per attempt with jitter. */
    initial_delay_ms: integer({ min: 0 }).default(100),
    /** Backoff ceiling. */
    max_delay_ms: integer({ min: 0 }).default(10_000),
    /** Timeout of one HTTP attempt. */
    timeout_ms: integer({ min: 1 }).default(30_000),
    breaker: z
      .strictObject({
        /** Consecutive failures that open the breaker. */
        threshold: integer({ min: 1 }).default(5),
        /** How long the breaker stays open before letting one probe call through. */
        half_open_after_ms: integer({ min: 0 }).default(30_000),
      })
      .prefault({}),
  })
  .superRefine((retry, ctx) => {
    if (retry.max_delay_ms < retry.initial_delay_ms) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_delay_ms'],
        message: `is ${retry.max_delay_ms}, below initial_delay_ms (${retry.initial_delay_ms})`,
        params: { fix: 'make max_delay_ms ≥ initial_delay_ms' },
      });
    }
  });

export const CatalogCredentialSchema = z
  .strictObject({
    /** OAuth2 client id (Polaris principal client id). Not a secret. */
    client_id: text.optional(),
    /** OAuth2 client secret. Must be a `${env:…}` reference. */
    client_secret: text.optional(),
    /** A static bearer token, instead of client credentials. Must be a `${env:…}` reference. */
    token: text.optional(),
  })
  .superRefine((credential, ctx) => {
    const hasClient = credential.client_id !== undefined || credential.client_secret !== undefined;
    if (hasClient && credential.token !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'is set together with client_id/client_secret',
        params: {
          fix: 'use either client_id + client_secret (OAuth2 client credentials) or token, not both',
        },
      });
      return;
    }
    if (credential.client_id !== undefined && credential.client_secret === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['client_secret'],
        message: 'is missing while client_id is set',
        params: { fix: 'add client_secret: ${env:FLOE_CATALOG_CLIENT_SECRET}' },
      });
    }
    if (credential.client_secret !== undefined && credential.client_id === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['client_id'],
        message: 'is missing while client_secret is set',
        params: { fix: 'add the client_id that goes with the secret' },
      });
    }
    if (!hasClient && credential.token === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'is empty',
        params: {
          fix: 'give client_id + client_secret or token, or remove credential for a catalog without auth',
        },
      });
    }
  });

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** SQL catalog databases: SQLAlchemy-style URLs, so PyIceberg's SqlCatalog takes the same string. */
const isHttpUrl = (uri: string): boolean => httpUrl('').safeParse(uri).success;
const SQL_URI = /^(sqlite(\+[a-z0-9]+)?:\/\/|postgres(ql)?(\+[a-z0-9]+)?:\/\/|file:|\/)/i;

export const CatalogSchema = z
  .strictObject({
    /**
     * `rest`: an Iceberg REST catalog (Apache Polaris in production). `sql`: floe's embedded SQL
     * catalog in the JDBC-catalog layout (PyIceberg's SqlCatalog, Iceberg's JdbcCatalog) on a
     * SQLite file or PostgreSQL.
     */
    type: z.enum(['rest', 'sql']),
    /**
     * rest: base URL of the REST catalog (Polaris: http://host:8181/api/catalog).
     * sql: the database — sqlite:////abs/path/catalog.db or postgresql://user@host:5432/db.
     */
    uri: text.refine((uri) => isHttpUrl(uri) || SQL_URI.test(uri), {
      message:
        'must be a http:// or https:// URL (type rest) or a sqlite:// or postgresql:// database (type sql)',
      params: {
        fix: 'write a full URL such as http://127.0.0.1:8181 (Polaris: http://polaris:8181/api/catalog), or sqlite:////absolute/path/catalog.db',
      },
    }),
    /**
     * rest: warehouse (Polaris: the catalog name) sent to GET /v1/config.
     * sql: where new tables go — file:///abs/folder or s3://bucket/prefix.
     */
    warehouse: text,
    /** sql: the catalog_name of floe's rows (give PyIceberg's SqlCatalog the same name). */
    name: text.default('floe'),
    /** Path prefix override; normally advertised by /v1/config. */
    prefix: text.optional(),
    credential: CatalogCredentialSchema.optional(),
    /** OAuth2 scope requested with client credentials. */
    scope: text.default('PRINCIPAL_ROLE:ALL'),
    /** Token endpoint; default `<uri>/v1/oauth/tokens`. */
    oauth2_server_uri: httpUrl('http://127.0.0.1:8181/api/catalog/v1/oauth/tokens').optional(),
    /** `vended-credentials` asks the catalog for short-lived storage credentials per table. */
    access_delegation: z.enum(['none', 'vended-credentials']).default('none'),
    /** Extra HTTP headers sent on every catalog request. */
    headers: z
      .record(
        z.string().refine((name) => HEADER_NAME.test(name), {
          message: 'is not a valid HTTP header name',
          params: { fix: 'use letters, digits and - only' },
        }),
        z.string(),
      )
      .default({}),
    retry: CatalogRetrySchema.prefault({}),
  })
  .superRefine((catalog, ctx) => {
    // A URI that is neither kind was reported by the field itself.
    const uriChecked = isHttpUrl(catalog.uri) || SQL_URI.test(catalog.uri);
    if (catalog.type === 'rest') {
      if (uriChecked && !isHttpUrl(catalog.uri)) {
        ctx.addIssue({
          code: 'custom',
          path: ['uri'],
          message: 'must be a http:// or https:// URL for type rest',
          params: {
            fix: 'write a full URL such as http://127.0.0.1:8181, or set catalog.type: sql for a database',
          },
        });
      }
      return;
    }
    if (uriChecked && !SQL_URI.test(catalog.uri)) {
      ctx.addIssue({
        code: 'custom',
        path: ['uri'],
        message: 'is not a SQL catalog database for type sql',
        params: {
          fix: 'write sqlite:////absolute/path/catalog.db (embedded) or postgresql://user@host:5432/database',
        },
      });
    }
    const restOnly: [string, boolean][] = [
      ['credential', catalog.credential !== undefined],
      ['oauth2_server_uri', catalog.oauth2_server_uri !== undefined],
      ['prefix', catalog.prefix !== undefined],
      ['access_delegation', catalog.access_delegation !== 'none'],
      ['headers', Object.keys(catalog.headers).length > 0],
    ];
    for (const [field, set] of restOnly) {
      if (!set) continue;
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: 'is a REST catalog setting, but catalog.type is sql',
        params: { fix: `remove catalog.${field}, or set catalog.type: rest` },
      });
    }
  });

export type CatalogConfig = z.output<typeof CatalogSchema>;
