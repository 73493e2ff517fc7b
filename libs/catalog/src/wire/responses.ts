// zod schemas for the Iceberg REST catalog's response bodies (apache/iceberg
// open-api/rest-catalog-open-api.yaml) and the OAuth2 token endpoint. They stay private to the
// client: each response is checked here once, so the rest of the code works with typed values
// and a server that answers with something unexpected gets a clear `invalid-response` error
// naming the operation instead of a TypeError deep inside.

import { z } from 'zod';

const stringMap = z.record(z.string(), z.string());
const namespaceLevels = z.array(z.string());
const jsonObject = z.record(z.string(), z.unknown());

export const configResponseSchema = z.object({
  defaults: stringMap.optional(),
  overrides: stringMap.optional(),
  endpoints: z.array(z.string()).optional(),
});
export type ConfigResponse = z.infer<typeof configResponseSchema>;

export const errorModelSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.union([z.number(), z.bigint()]).optional(),
  }),
});

export const listNamespacesResponseSchema = z.object({
  namespaces: z.array(namespaceLevels),
  'next-page-token': z.string().nullable().optional(),
});

export const namespaceResponseSchema = z.object({
  namespace: namespaceLevels,
  properties: stringMap.nullable().optional(),
});

export const updateNamespacePropertiesResponseSchema = z.object({
  updated: z.array(z.string()).optional(),
  removed: z.array(z.string()).optional(),
  missing: z.array(z.string()).nullable().optional(),
});

export const tableIdentifierSchema = z.object({
  namespace: namespaceLevels,
  name: z.string(),
});

export const listTablesResponseSchema = z.object({
  identifiers: z.array(tableIdentifierSchema),
  'next-page-token': z.string().nullable().optional(),
});

export const storageCredentialSchema = z.object({
  prefix: z.string(),
  config: stringMap,
});

export const loadTableResultSchema = z.object({
  'metadata-location': z.string().nullable().optional(),
  metadata: jsonObject,
  config: stringMap.optional(),
  'storage-credentials': z.array(storageCredentialSchema).optional(),
});
export type LoadTableResultWire = z.infer<typeof loadTableResultSchema>;

export const commitTableResponseSchema = z.object({
  'metadata-location': z.string(),
  metadata: jsonObject,
});

export const loadCredentialsResponseSchema = z.object({
  'storage-credentials': z.array(storageCredentialSchema),
});

export const oauthTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.bigint()]).optional(),
  issued_token_type: z.string().optional(),
});

export const oauthErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});
