// A test gateway that adds Apache Polaris's policy API in front of the real Iceberg REST catalog
// server, following Polaris's published spec (spec/polaris-catalog-apis/policy-apis.yaml) and
// behaviour: `/v1/config` gains a catalog prefix (as a Polaris catalog name) and advertises the
// policy endpoints; Iceberg calls under `/v1/<prefix>/…` are proxied to the server's `/v1/…`;
// `/polaris/v1/<prefix>/…` serves create / load / update / drop policy, attach / detach
// (`mappings`) and `applicable-policies` with Polaris's inheritance — walk catalog → each
// namespace level → the target, an inheritable type attached lower overrides the same type
// above, `inherited` is false only for what is attached to the target itself, and only one
// inheritable policy of a type may be attached to one entity (409 otherwise). Policies live in
// memory; tables and namespaces stay the real server's (applicable-policies of a missing table is
// Polaris's 404). Every request is recorded so tests can assert what the client sent.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorModel, forwardRequest, readBody, sendJson } from './http-relay.ts';

export interface PolicyGatewayOptions {
  /** The real catalog server, e.g. the stack's catalogUri. */
  readonly upstream: string;
  /** The prefix advertised in `/v1/config` overrides (Polaris: the catalog name). */
  readonly prefix?: string;
}

export interface PolicyTarget {
  readonly type: 'catalog' | 'namespace' | 'table-like';
  /** Namespace levels (namespace), or levels then the table name (table-like); empty for the catalog. */
  readonly path?: readonly string[];
}

export interface PolicyGateway {
  readonly url: string;
  readonly prefix: string;
  /** `METHOD path?query` of every request received. */
  readonly requests: readonly string[];
  /** POST …/namespaces/{ns}/policies with `content` as the JSON text Polaris stores. */
  createPolicy(namespace: readonly string[], name: string, type: string, content: unknown): Promise<void>;
  /** PUT …/policies/{name} with new content (version + 1). */
  updatePolicy(namespace: readonly string[], name: string, content: unknown): Promise<void>;
  /** PUT …/policies/{name}/mappings. */
  attachPolicy(namespace: readonly string[], name: string, target: PolicyTarget): Promise<void>;
  close(): Promise<void>;
}

/** The policy endpoints Polaris advertises when its policy store is enabled. */
export const POLARIS_POLICY_ENDPOINTS = [
  'GET /polaris/v1/{prefix}/namespaces/{namespace}/policies',
  'POST /polaris/v1/{prefix}/namespaces/{namespace}/policies',
  'GET /polaris/v1/{prefix}/namespaces/{namespace}/policies/{policy-name}',
  'PUT /polaris/v1/{prefix}/namespaces/{namespace}/policies/{policy-name}',
  'DELETE /polaris/v1/{prefix}/namespaces/{namespace}/policies/{policy-name}',
  'PUT /polaris/v1/{prefix}/namespaces/{namespace}/policies/{policy-name}/mappings',
  'POST /polaris/v1/{prefix}/namespaces/{namespace}/policies/{policy-name}/mappings',
  'GET /polaris/v1/{prefix}/applicable-policies',
];

const SEPARATOR = '\u001f';
/** The predefined maintenance types; all of them are inheritable in Polaris. */
const INHERITABLE = (type: string) => type.startsWith('system.');

interface StoredPolicy {
  readonly namespace: readonly string[];
  readonly name: string;
  readonly type: string;
  description: string | undefined;
  content: string | undefined;
  version: number;
}

class PolarisError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export async function startPolicyGateway(options: PolicyGatewayOptions): Promise<PolicyGateway> {
  const prefix = options.prefix ?? 'floe_catalog';
  const upstream = new URL(options.upstream);
  const policies = new Map<string, StoredPolicy>();
  /** target key → policy keys attached to it, in attachment order */
  const mappings = new Map<string, string[]>();
  const requests: string[] = [];

  const policyKey = (namespace: readonly string[], name: string) => JSON.stringify([namespace, name]);
  const targetKey = (path: readonly string[]) => JSON.stringify(path);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof PolarisError)
        sendJson(res, error.status, errorModel(error.status, error.type, error.message));
      else if (!res.headersSent) sendJson(res, 502, errorModel(502, 'BadGateway', String(error)));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    requests.push(`${req.method} ${raw}`);
    const url = new URL(raw, 'http://gateway');
    const body = await readBody(req);
    const polaris = `/polaris/v1/${prefix}`;
    if (url.pathname.startsWith(`${polaris}/`)) {
      await servePolicyApi(
        req.method ?? 'GET',
        url.pathname.slice(polaris.length),
        url.searchParams,
        body,
        res,
      );
      return;
    }
    let path = raw;
    if (url.pathname.startsWith(`/v1/${prefix}/`)) path = `/v1/${raw.slice(`/v1/${prefix}/`.length)}`;
    const headers = { ...req.headers };
    delete headers['host'];
    delete headers['connection'];
    delete headers['transfer-encoding'];
    headers['content-length'] = String(body.length);
    const answer = await forwardRequest(upstream, req.method ?? 'GET', path, headers, body);
    let payload = answer.body;
    if (url.pathname === '/v1/config' && answer.status === 200) {
      const config = JSON.parse(payload.toString('utf8')) as {
        overrides?: Record<string, string>;
        endpoints?: string[];
      };
      config.overrides = { ...config.overrides, prefix };
      config.endpoints = [...(config.endpoints ?? []), ...POLARIS_POLICY_ENDPOINTS];
      payload = Buffer.from(JSON.stringify(config));
    }
    res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
    res.end(payload);
  }

  async function servePolicyApi(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    if (path === '/applicable-policies' && method === 'GET') {
      sendJson(res, 200, await applicable(query));
      return;
    }
    const match = /^\/namespaces\/([^/]+)\/policies(?:\/([^/]+))?(\/mappings)?$/.exec(path);
    if (match === null) throw new PolarisError(404, 'NotFoundException', `no policy route ${method} ${path}`);
    const namespace = decodeURIComponent(match[1] as string).split(SEPARATOR);
    const name = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const json = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    if (name === undefined && method === 'POST') {
      const created = createPolicy(namespace, json);
      sendJson(res, 200, { policy: wirePolicy(created) });
      return;
    }
    if (name === undefined) throw new PolarisError(405, 'MethodNotAllowed', `${method} on policies`);
    const stored = policies.get(policyKey(namespace, name));
    if (stored === undefined) {
      throw new PolarisError(
        404,
        'NoSuchPolicyException',
        `Policy does not exist: ${namespace.join('.')}.${name}`,
      );
    }
    if (match[3] !== undefined) {
      const target = json['target'] as PolicyTarget | undefined;
      if (target === undefined) throw new PolarisError(400, 'BadRequestException', 'target is required');
      if (method === 'PUT') attach(stored, target);
      else detach(stored, target);
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'GET') sendJson(res, 200, { policy: wirePolicy(stored) });
    else if (method === 'PUT') {
      if (typeof json['content'] === 'string') stored.content = json['content'];
      if (typeof json['description'] === 'string') stored.description = json['description'];
      stored.version++;
      sendJson(res, 200, { policy: wirePolicy(stored) });
    } else if (method === 'DELETE') {
      policies.delete(policyKey(namespace, name));
      for (const attached of mappings.values()) {
        const at = attached.indexOf(policyKey(namespace, name));
        if (at >= 0) attached.splice(at, 1);
      }
      res.writeHead(204);
      res.end();
    } else throw new PolarisError(405, 'MethodNotAllowed', `${method} on a policy`);
  }

  function createPolicy(namespace: readonly string[], json: Record<string, unknown>): StoredPolicy {
    const name = json['name'];
    const type = json['type'];
    if (typeof name !== 'string' || !/^[A-Za-z0-9\-_]+$/.test(name) || typeof type !== 'string') {
      throw new PolarisError(400, 'BadRequestException', 'a policy needs a valid name and a type');
    }
    const key = policyKey(namespace, name);
    if (policies.has(key))
      throw new PolarisError(409, 'AlreadyExistsException', `Policy already exists: ${name}`);
    const stored: StoredPolicy = {
      namespace: [...namespace],
      name,
      type,
      description: typeof json['description'] === 'string' ? json['description'] : undefined,
      content: typeof json['content'] === 'string' ? json['content'] : undefined,
      version: 0,
    };
    policies.set(key, stored);
    return stored;
  }

  function attach(policy: StoredPolicy, target: PolicyTarget): void {
    const key = targetKey(target.type === 'catalog' ? [] : (target.path ?? []));
    const attached = mappings.get(key) ?? [];
    const mine = policyKey(policy.namespace, policy.name);
    if (attached.includes(mine)) return;
    if (INHERITABLE(policy.type) && attached.some((other) => policies.get(other)?.type === policy.type)) {
      throw new PolarisError(
        409,
        'PolicyAttachException',
        `Cannot attach policy '${policy.name}': an inheritable policy of type ${policy.type} is already attached to the target`,
      );
    }
    mappings.set(key, [...attached, mine]);
  }

  function detach(policy: StoredPolicy, target: PolicyTarget): void {
    const key = targetKey(target.type === 'catalog' ? [] : (target.path ?? []));
    const attached = mappings.get(key) ?? [];
    const at = attached.indexOf(policyKey(policy.namespace, policy.name));
    if (at < 0)
      throw new PolarisError(404, 'NoSuchMappingException', 'The policy is not attached to the target');
    attached.splice(at, 1);
  }

  async function applicable(query: URLSearchParams): Promise<unknown> {
    const namespace = query.get('namespace');
    const levels = namespace === null || namespace === '' ? [] : namespace.split(SEPARATOR);
    const table = query.get('target-name');
    if (table !== null && table !== '') await requireTable(levels, table);
    // The entity path: catalog, each namespace level, then the table.
    const path: string[][] = [[]];
    for (let depth = 1; depth <= levels.length; depth++) path.push(levels.slice(0, depth));
    if (table !== null && table !== '') path.push([...levels, table]);
    const type = query.get('policyType');
    const inheritable = new Map<string, { policy: StoredPolicy; direct: boolean }>();
    const direct: StoredPolicy[] = [];
    path.forEach((entity, index) => {
      const last = index === path.length - 1;
      for (const key of mappings.get(targetKey(entity)) ?? []) {
        const policy = policies.get(key);
        if (policy === undefined || (type !== null && type !== '' && policy.type !== type)) continue;
        if (INHERITABLE(policy.type)) inheritable.set(policy.type, { policy, direct: last });
        else if (last) direct.push(policy);
      }
    });
    const all = [
      ...direct.map((policy) => ({ ...wirePolicy(policy), inherited: false, namespace: policy.namespace })),
      ...[...inheritable.values()].map(({ policy, direct: attachedHere }) => ({
        ...wirePolicy(policy),
        inherited: !attachedHere,
        namespace: policy.namespace,
      })),
    ];
    const size = Number(query.get('pageSize') ?? all.length);
    const start = Number(query.get('pageToken') ?? 0);
    const page = all.slice(start, start + Math.max(1, size));
    const next = start + page.length < all.length ? String(start + page.length) : undefined;
    return { 'applicable-policies': page, ...(next === undefined ? {} : { 'next-page-token': next }) };
  }

  async function requireTable(levels: readonly string[], table: string): Promise<void> {
    const path = `/v1/namespaces/${levels.map(encodeURIComponent).join('%1F')}/tables/${encodeURIComponent(table)}`;
    const answer = await forwardRequest(upstream, 'HEAD', path, {}, Buffer.alloc(0));
    if (answer.status === 404) {
      throw new PolarisError(
        404,
        'NoSuchTableException',
        `Table does not exist: ${[...levels, table].join('.')}`,
      );
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function send(method: string, path: string, body: unknown): Promise<void> {
    const response = await fetch(`${url}/polaris/v1/${prefix}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  }
  const nsPath = (namespace: readonly string[]) =>
    `/namespaces/${namespace.map(encodeURIComponent).join('%1F')}/policies`;

  return {
    url,
    prefix,
    get requests() {
      return requests;
    },
    createPolicy: (namespace, name, type, content) =>
      send('POST', nsPath(namespace), { name, type, content: JSON.stringify(content) }),
    updatePolicy: (namespace, name, content) =>
      send('PUT', `${nsPath(namespace)}/${encodeURIComponent(name)}`, { content: JSON.stringify(content) }),
    attachPolicy: (namespace, name, target) =>
      send('PUT', `${nsPath(namespace)}/${encodeURIComponent(name)}/mappings`, { target }),
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function wirePolicy(policy: StoredPolicy) {
  return {
    'policy-type': policy.type,
    inheritable: INHERITABLE(policy.type),
    name: policy.name,
    ...(policy.description === undefined ? {} : { description: policy.description }),
    ...(policy.content === undefined ? {} : { content: policy.content }),
    version: policy.version,
  };
}
