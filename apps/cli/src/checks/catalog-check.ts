// Checks that the Iceberg REST catalog answers with floe.yaml's settings: `GET /v1/config` for
// catalog.warehouse (which first fetches an OAuth2 token when client credentials are set), then
// one namespace listing, which proves the advertised prefix works and the principal may read
// the catalog. One attempt, no retries: `floe compile` wants a fast, honest answer. Each
// failure is turned into what to change in floe.yaml; the client's own messages never carry a
// secret, and the runner scrubs the resolved secrets again.
import type { CatalogError } from '@floe/catalog';
import type { CompiledArtifacts } from '@floe/config';
import { catalogOptionsFrom, restCatalogOptionsFrom } from '@floe/config';
import { describeCatalogAuth } from '../catalog/describe-catalog-auth.ts';
import { elapsedSince, type ServiceCheck } from './service-check.ts';

type CatalogSection = CompiledArtifacts['catalog'];

const LOCAL_STACK_HINT = 'is it running? (local stack: `npm run stack:up`)';
const POLARIS_PATH_HINT =
  'Polaris serves the REST API under /api/catalog, e.g. http://polaris:8181/api/catalog';

function contextText(error: CatalogError, key: string): string | undefined {
  const value = error.context[key];
  return value === undefined ? undefined : String(value);
}

function isNoRoute(error: CatalogError): boolean {
  const said = `${contextText(error, 'serverType') ?? ''} ${contextText(error, 'serverMessage') ?? ''}`;
  return /no route|not found|no handler|unknown path/i.test(said) && !/warehouse|catalog /i.test(said);
}

/** The line `floe compile` prints for a failed catalog check. Exported for unit tests. */
export function explainCatalogFailure(error: unknown, catalog: CatalogSection, timeoutMs: number): string {
  const uri = catalog.uri.replace(/\/+$/, '');
  if (!(error instanceof Error) || !('kind' in error)) {
    return `catalog at ${uri} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const failure = error as CatalogError;
  const status = failure.status;
  const code = contextText(failure, 'code');
  const server = [contextText(failure, 'serverType'), contextText(failure, 'serverMessage')]
    .filter((part) => part !== undefined)
    .join(': ');
  const serverSaid = server === '' ? '' : ` (server said: ${server.slice(0, 200)})`;
  // Polaris answers 404 MissingOrInvalidRealm at any path, the token endpoint included: not a wrong path.
  if (
    [contextText(failure, 'oauthError'), contextText(failure, 'serverType')].includes('MissingOrInvalidRealm')
  ) {
    return `Polaris at ${uri} does not know the realm of the request (HTTP 404 MissingOrInvalidRealm): add the realm header to catalog.headers in floe.yaml (Polaris-Realm: <realm>, e.g. POLARIS)`;
  }
  switch (failure.kind) {
    case 'network':
    case 'retries-exhausted':
    case 'circuit-open':
      if (code === 'ECONNREFUSED') return `catalog at ${uri} refused the connection: ${LOCAL_STACK_HINT}`;
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
        return `catalog host in ${uri} was not found (DNS ${code}): check catalog.uri`;
      }
      return `catalog at ${uri} could not be reached (${code ?? failure.message}): check catalog.uri and the network`;
    case 'timeout':
      return `catalog at ${uri} did not answer within ${timeoutMs} ms: check catalog.uri and that the network lets you reach it`;
    case 'token-request-failed': {
      const endpoint = contextText(failure, 'tokenEndpoint') ?? `${uri}/v1/oauth/tokens`;
      const clientId = contextText(failure, 'clientId') ?? catalog.credential?.client_id ?? '?';
      const oauthError = contextText(failure, 'oauthError');
      const detail = [status === undefined ? undefined : `HTTP ${status}`, oauthError]
        .filter((part) => part !== undefined)
        .join(' ');
      if (status === 404) {
        return `the token endpoint ${endpoint} does not exist (${detail}): catalog.uri probably lacks its path (${POLARIS_PATH_HINT}), or set catalog.oauth2_server_uri`;
      }
      if (status === 401 || status === 400 || status === 403) {
        return `the catalog rejected client id "${clientId}" at ${endpoint} (${detail || 'no status'}): check catalog.credential.client_id / client_secret (Polaris: the principal's credentials) and catalog.scope (${catalog.scope})`;
      }
      if (code === 'ECONNREFUSED')
        return `token endpoint ${endpoint} refused the connection: ${LOCAL_STACK_HINT}`;
      return `token request for client id "${clientId}" at ${endpoint} failed (${detail || code || failure.message}): check catalog.uri or catalog.oauth2_server_uri`;
    }
    case 'unauthorized':
    case 'auth-expired':
      return catalog.credential === undefined
        ? `catalog at ${uri} requires authentication (HTTP ${status ?? 401}): add catalog.credential with client_id + client_secret (Polaris: a principal's credentials) or a token`
        : `catalog at ${uri} did not accept our token (HTTP ${status ?? 401}) ${describeCatalogAuth(catalog)}: check catalog.credential and catalog.scope${serverSaid}`;
    case 'forbidden':
      return `catalog at ${uri} refused access to warehouse "${catalog.warehouse}" (HTTP 403) ${describeCatalogAuth(catalog)}: grant the principal role a catalog role on this catalog (Polaris), or check catalog.scope${serverSaid}`;
    case 'not-found':
    case 'bad-request':
    case 'unsupported-endpoint':
      if (isNoRoute(failure) || (status === 404 && server === '')) {
        return `no Iceberg REST catalog answers at ${uri}/v1/config (HTTP ${status ?? '?'}): check the path in catalog.uri (${POLARIS_PATH_HINT})`;
      }
      return `catalog at ${uri} does not know warehouse "${catalog.warehouse}" (HTTP ${status ?? '?'}): check catalog.warehouse (Polaris: the catalog name; Iceberg REST server: its warehouse location)${serverSaid}`;
    case 'invalid-response':
      return `something answered at ${uri}, but not an Iceberg REST catalog (HTTP ${status ?? '?'}): check catalog.uri (${POLARIS_PATH_HINT})`;
    case 'service-unavailable':
    case 'server-error':
    case 'rate-limited':
      return `catalog at ${uri} is unhealthy (HTTP ${status ?? '?'}, ${failure.kind}): check the catalog server${serverSaid}`;
    default:
      return `catalog at ${uri} failed (${failure.kind}): ${failure.message}`;
  }
}

export const catalogCheck: ServiceCheck = {
  name: 'catalog',
  async run(artifacts, { timeoutMs, logger }) {
    const section = artifacts.catalog;
    if (section.type === 'sql') return checkSqlCatalog(artifacts, logger);
    const uri = section.uri.replace(/\/+$/, '');
    const start = process.hrtime.bigint();
    // Loaded here, not at the top: @floe/catalog brings the Iceberg format library with it.
    const { RestCatalog } = await import('@floe/catalog');
    let catalog: InstanceType<typeof RestCatalog> | undefined;
    try {
      catalog = new RestCatalog(
        restCatalogOptionsFrom(section, { retry: { maxAttempts: 1, timeoutMs }, logger }),
      );
      await catalog.properties();
      const namespaces = await catalog.listNamespaces();
      const count = `${namespaces.length} top-level namespace${namespaces.length === 1 ? '' : 's'}`;
      return {
        ok: true,
        message: `catalog at ${uri} answered GET /v1/config for warehouse "${section.warehouse}" ${describeCatalogAuth(section)}; ${count} (${elapsedSince(start)})`,
      };
    } catch (error) {
      logger.debug({ err: error, check: 'catalog' }, 'catalog check failed');
      return { ok: false, message: explainCatalogFailure(error, section, timeoutMs) };
    } finally {
      await catalog?.close();
    }
  },
};

/** The embedded SQL catalog answers when its database opens and lists its namespaces. */
async function checkSqlCatalog(
  artifacts: Parameters<ServiceCheck['run']>[0],
  logger: Parameters<ServiceCheck['run']>[1]['logger'],
): Promise<{ ok: boolean; message: string }> {
  const start = process.hrtime.bigint();
  const { SqlCatalog } = await import('@floe/catalog');
  const options = catalogOptionsFrom(artifacts.catalog, artifacts.storage, { logger });
  if (options.type !== 'sql') throw new Error('checkSqlCatalog needs catalog.type sql');
  const catalog = new SqlCatalog(options);
  try {
    const namespaces = await catalog.listNamespaces();
    const count = `${namespaces.length} top-level namespace${namespaces.length === 1 ? '' : 's'}`;
    return {
      ok: true,
      message: `SQL catalog "${catalog.name}" in ${catalog.database} answered; ${count} (${elapsedSince(start)})`,
    };
  } catch (error) {
    return { ok: false, message: `SQL catalog in ${catalog.database} failed: ${(error as Error).message}` };
  } finally {
    await catalog.close();
  }
}
