// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
// `catalog:` — how floe reaches the Iceberg REST catalog (Apache Polaris in production): the
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

export const CatalogSchema = z.strictObject({
  /** Catalog protocol. Only the Iceberg REST protocol is supported. */
  type: z.literal('rest'),
  /** Base URL of the REST catalog (Polaris: http://host:8181/api/catalog). */
  uri: httpUrl('http://127.0.0.1:8181 (Polaris: http://polaris:8181/api/catalog)'),
  /** Warehouse (Polaris: the catalog name) sent to GET /v1/config. */
  warehouse: text,
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
});

export type CatalogConfig = z.output<typeof CatalogSchema>;
