// How the CLI describes the configured catalog authentication in check lines (never the secret).
// The config → client options mapping itself lives in @floe/config (`restCatalogOptionsFrom`).
import type { CatalogConfig } from '@floe/config';

/** How the client will authenticate, in words fit for a check line (never the secret). */
export function describeCatalogAuth(catalog: CatalogConfig): string {
  const credential = catalog.credential;
  if (credential?.client_id !== undefined) {
    const endpoint = catalog.oauth2_server_uri ?? `${catalog.uri.replace(/\/+$/, '')}/v1/oauth/tokens`;
    return `as client id "${credential.client_id}" (OAuth2 token from ${endpoint}, scope ${catalog.scope})`;
  }
  if (credential?.token !== undefined) return 'with the configured bearer token';
  return 'without credentials';
}
