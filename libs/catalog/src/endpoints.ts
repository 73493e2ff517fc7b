// The table of REST catalog endpoints this client calls, in the spec's own notation
// (`GET /v1/{prefix}/namespaces`), so that every request is built from one place and can be
// checked against the `endpoints` list a server advertises in `GET /v1/config`. A server that
// advertises nothing gets the spec's default set; HEAD and credential endpoints are optional
// and have fallbacks in the client. Polaris's own policy API lives beside the Iceberg paths
// (`/polaris/v1/{prefix}/…`, relative to the same base URI) and is called only when advertised.

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'DELETE';

export interface Endpoint {
  readonly id: EndpointId;
  readonly method: HttpMethod;
  /** Path template as the spec writes it; `{prefix}`, `{namespace}`, `{table}` are filled in. */
  readonly path: string;
}

export type EndpointId =
  | 'getConfig'
  | 'listNamespaces'
  | 'createNamespace'
  | 'loadNamespace'
  | 'namespaceExists'
  | 'dropNamespace'
  | 'updateNamespaceProperties'
  | 'listTables'
  | 'createTable'
  | 'registerTable'
  | 'loadTable'
  | 'tableExists'
  | 'commitTable'
  | 'dropTable'
  | 'renameTable'
  | 'loadCredentials'
  | 'getApplicablePolicies';

const NS = '/v1/{prefix}/namespaces/{namespace}';
const TABLE = `${NS}/tables/{table}`;

export const ENDPOINTS: Readonly<Record<EndpointId, Endpoint>> = {
  getConfig: { id: 'getConfig', method: 'GET', path: '/v1/config' },
  listNamespaces: { id: 'listNamespaces', method: 'GET', path: '/v1/{prefix}/namespaces' },
  createNamespace: { id: 'createNamespace', method: 'POST', path: '/v1/{prefix}/namespaces' },
  loadNamespace: { id: 'loadNamespace', method: 'GET', path: NS },
  namespaceExists: { id: 'namespaceExists', method: 'HEAD', path: NS },
  dropNamespace: { id: 'dropNamespace', method: 'DELETE', path: NS },
  updateNamespaceProperties: { id: 'updateNamespaceProperties', method: 'POST', path: `${NS}/properties` },
  listTables: { id: 'listTables', method: 'GET', path: `${NS}/tables` },
  createTable: { id: 'createTable', method: 'POST', path: `${NS}/tables` },
  registerTable: { id: 'registerTable', method: 'POST', path: `${NS}/register` },
  loadTable: { id: 'loadTable', method: 'GET', path: TABLE },
  tableExists: { id: 'tableExists', method: 'HEAD', path: TABLE },
  commitTable: { id: 'commitTable', method: 'POST', path: TABLE },
  dropTable: { id: 'dropTable', method: 'DELETE', path: TABLE },
  renameTable: { id: 'renameTable', method: 'POST', path: '/v1/{prefix}/tables/rename' },
  loadCredentials: { id: 'loadCredentials', method: 'GET', path: `${TABLE}/credentials` },
  getApplicablePolicies: {
    id: 'getApplicablePolicies',
    method: 'GET',
    path: '/polaris/v1/{prefix}/applicable-policies',
  },
};

/** `GET /v1/{prefix}/namespaces` — the form servers advertise in `endpoints`. */
export function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.method} ${endpoint.path}`;
}

/**
 * What a server supports when its config response lists no `endpoints` (servers older than
 * the `endpoints` field): the namespace and table basics, as the reference clients assume.
 */
const DEFAULT_SUPPORTED: readonly EndpointId[] = [
  'getConfig',
  'listNamespaces',
  'createNamespace',
  'loadNamespace',
  'dropNamespace',
  'updateNamespaceProperties',
  'listTables',
  'createTable',
  'registerTable',
  'loadTable',
  'commitTable',
  'dropTable',
  'renameTable',
];

/** The set of endpoints the client may call, from the server's advertised list (or defaults). */
export function supportedEndpoints(advertised: readonly string[] | undefined): ReadonlySet<EndpointId> {
  if (advertised === undefined) return new Set(DEFAULT_SUPPORTED);
  const keys = new Set(advertised.map((entry) => entry.trim().replace(/\s+/g, ' ')));
  const supported = new Set<EndpointId>(['getConfig']);
  for (const endpoint of Object.values(ENDPOINTS)) {
    if (keys.has(endpointKey(endpoint))) supported.add(endpoint.id);
  }
  return supported;
}

export interface PathParams {
  readonly prefix: string | undefined;
  /** Namespace levels, joined with the server's separator and URL-encoded here. */
  readonly namespace?: readonly string[];
  readonly table?: string;
}

/** The default separator of namespace levels in paths: the unit separator, sent as `%1F`. */
export const DEFAULT_NAMESPACE_SEPARATOR = '\u001f';

/**
 * Fills an endpoint's path template. Each namespace level is percent-encoded on its own and the
 * levels are joined with the (encoded) separator, so a level containing the separator character
 * or a slash cannot be misread by the server.
 */
export function endpointPath(endpoint: Endpoint, params: PathParams, separator: string): string {
  let path = endpoint.path;
  path = params.prefix
    ? path.replace('{prefix}', encodePrefix(params.prefix))
    : path.replace('/{prefix}', '');
  if (path.includes('{namespace}')) {
    if (params.namespace === undefined) throw new Error(`${endpoint.id} needs a namespace`);
    const encodedSeparator = encodeURIComponent(separator);
    path = path.replace('{namespace}', params.namespace.map(encodeURIComponent).join(encodedSeparator));
  }
  if (path.includes('{table}')) {
    if (params.table === undefined) throw new Error(`${endpoint.id} needs a table name`);
    path = path.replace('{table}', encodeURIComponent(params.table));
  }
  return path;
}

// A prefix may legitimately hold slashes (`catalogs/prod`); encode the segments, keep the slashes.
function encodePrefix(prefix: string): string {
  return prefix
    .split('/')
    .filter((segment) => segment.length > 0)
    .map(encodeURIComponent)
    .join('/');
}

/** Reads the `namespace-separator` config value, which servers send URL-encoded (`%1F`). */
export function decodeNamespaceSeparator(value: string | undefined): string {
  if (value === undefined || value.length === 0) return DEFAULT_NAMESPACE_SEPARATOR;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
