// The REST session: everything between "call endpoint X for operation Y" and the bytes on the
// wire. It fetches `GET /v1/config` once (prefix, merged properties, namespace separator,
// advertised endpoints), builds URLs from the endpoints table, adds auth and static headers,
// runs each attempt under the resilience policies, gives auth one reactive refresh on
// 401/419, reports every HTTP exchange to the call observer (metrics), and maps failed
// responses through the endpoint's error map. Bodies go out and come
// back through the BigInt-safe JSON of @floe/iceberg.

import { parseJson, stringifyJson } from '@floe/iceberg';
import type { Dispatcher } from 'undici';
import type { ZodType } from 'zod';
import type { AuthManager } from './auth/auth-manager.ts';
import {
  decodeNamespaceSeparator,
  ENDPOINTS,
  type EndpointId,
  endpointKey,
  endpointPath,
  supportedEndpoints,
} from './endpoints.ts';
import { errorFromResponse } from './error-maps.ts';
import { CatalogError } from './errors.ts';
import { type HttpResponse, redactUrl, sendHttp } from './internal/http.ts';
import type { CatalogResilience } from './resilience.ts';
import type { CatalogCallObserver, CatalogLogger, OperationRecord } from './telemetry.ts';
import { configResponseSchema, errorModelSchema } from './wire/responses.ts';

export interface CatalogCall {
  readonly endpoint: EndpointId;
  /** Operation name for messages (`loadTable`). */
  readonly operation: string;
  /** Object for messages (`table bronze.events`). */
  readonly object: string;
  readonly namespace?: readonly string[];
  readonly table?: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly idempotent: boolean;
  readonly record: OperationRecord;
  /** Non-2xx statuses the caller handles itself (304 on load, 404 on HEAD). */
  readonly acceptStatuses?: readonly number[];
  /**
   * A URL the catalog named itself (a table's `client.refresh-credentials-endpoint`), used
   * instead of the endpoint's template and without checking the advertised endpoints.
   */
  readonly url?: string;
}

export interface SessionConfig {
  readonly prefix: string | undefined;
  readonly separator: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly supported: ReadonlySet<EndpointId>;
}

export interface RestSessionOptions {
  readonly uri: string;
  readonly warehouse: string | undefined;
  /** Client-side prefix override (floe.yaml catalog.prefix). */
  readonly prefix: string | undefined;
  readonly clientProperties: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: AuthManager;
  readonly resilience: CatalogResilience;
  readonly dispatcher: Dispatcher;
  readonly logger: CatalogLogger | undefined;
  readonly onCall?: CatalogCallObserver | undefined;
}

const USER_AGENT = 'floe-catalog/0.1';

export class RestSession {
  readonly #options: RestSessionOptions;
  readonly #baseUri: string;
  #config: Promise<SessionConfig> | undefined;

  constructor(options: RestSessionOptions) {
    this.#options = options;
    this.#baseUri = options.uri.replace(/\/+$/, '');
  }

  get baseUri(): string {
    return this.#baseUri;
  }

  /** The catalog configuration, fetched once; a failed fetch is retried on the next call. */
  config(record: OperationRecord): Promise<SessionConfig> {
    if (this.#config === undefined) {
      this.#config = this.#fetchConfig(record).catch((error: unknown) => {
        this.#config = undefined;
        throw error;
      });
    }
    return this.#config;
  }

  /** Fetches the configuration again now (a probe that the catalog answers and accepts our credentials). */
  reloadConfig(record: OperationRecord): Promise<SessionConfig> {
    this.#config = undefined;
    return this.config(record);
  }

  async supports(endpoint: EndpointId, record: OperationRecord): Promise<boolean> {
    return (await this.config(record)).supported.has(endpoint);
  }

  async #fetchConfig(record: OperationRecord): Promise<SessionConfig> {
    const query = this.#options.warehouse === undefined ? undefined : { warehouse: this.#options.warehouse };
    const where =
      this.#options.warehouse === undefined ? 'catalog' : `warehouse '${this.#options.warehouse}'`;
    const started = performance.now();
    const response = await this.#send(
      {
        endpoint: 'getConfig',
        operation: 'getConfig',
        object: where,
        ...(query === undefined ? {} : { query }),
        idempotent: true,
        record,
      },
      { prefix: undefined, separator: '\u001f', properties: {}, supported: new Set(['getConfig']) },
    );
    const wire = this.parse(response, configResponseSchema, 'getConfig', where, `${this.#baseUri}/v1/config`);
    const properties = { ...wire.defaults, ...this.#options.clientProperties, ...wire.overrides };
    const config: SessionConfig = {
      prefix: this.#options.prefix ?? properties['prefix'],
      separator: decodeNamespaceSeparator(properties['namespace-separator']),
      properties,
      supported: supportedEndpoints(wire.endpoints),
    };
    this.#options.logger?.debug(
      {
        operation: 'getConfig',
        catalogUri: this.#baseUri,
        status: response.status,
        durationMs: Math.round(performance.now() - started),
        prefix: config.prefix,
        endpoints: wire.endpoints?.length ?? 'default',
      },
      'catalog getConfig ok',
    );
    return config;
  }

  /** Sends one catalog call (after loading config) and returns the accepted response. */
  async call(call: CatalogCall): Promise<HttpResponse> {
    const config = await this.config(call.record);
    if (call.url === undefined && !config.supported.has(call.endpoint)) {
      const key = endpointKey(ENDPOINTS[call.endpoint]);
      throw new CatalogError(
        'unsupported-endpoint',
        `${call.operation} ${call.object} is not possible: the catalog at ${this.#baseUri} does not advertise ` +
          `"${key}" in GET /v1/config endpoints; upgrade the catalog or avoid this operation`,
        {
          retryable: false,
          context: { operation: call.operation, endpoint: key, catalogUri: this.#baseUri },
        },
      );
    }
    return this.#send(call, config);
  }

  /** Validates a JSON response body against its wire schema. */
  parse<T>(response: HttpResponse, schema: ZodType<T>, operation: string, object: string, url: string): T {
    let json: unknown;
    try {
      json = parseJson(response.text);
    } catch (error) {
      throw this.#invalidResponse(operation, object, url, response.status, 'the body is not JSON', error);
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      const at = issue === undefined ? '' : ` at "${issue.path.join('.')}": ${issue.message}`;
      throw this.#invalidResponse(
        operation,
        object,
        url,
        response.status,
        `unexpected JSON${at}`,
        result.error,
      );
    }
    return result.data;
  }

  #invalidResponse(
    operation: string,
    object: string,
    url: string,
    status: number,
    problem: string,
    cause: unknown,
  ): CatalogError {
    return new CatalogError(
      'invalid-response',
      `${operation} ${object}: the catalog's answer (HTTP ${status} from ${redactUrl(url)}) could not be read: ` +
        `${problem}; check that catalog.uri points at an Iceberg REST catalog (Polaris: <host>/api/catalog)`,
      { context: { operation, object, url: redactUrl(url), status }, cause },
    );
  }

  urlFor(
    call: Pick<CatalogCall, 'endpoint' | 'namespace' | 'table' | 'query'>,
    config: SessionConfig,
  ): string {
    const path = endpointPath(
      ENDPOINTS[call.endpoint],
      {
        prefix: config.prefix,
        ...(call.namespace === undefined ? {} : { namespace: call.namespace }),
        ...(call.table === undefined ? {} : { table: call.table }),
      },
      config.separator,
    );
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) search.set(key, value);
    }
    const query = search.toString();
    return `${this.#baseUri}${path}${query ? `?${query}` : ''}`;
  }

  async #send(call: CatalogCall, config: SessionConfig): Promise<HttpResponse> {
    const endpoint = ENDPOINTS[call.endpoint];
    const url = call.url ?? this.urlFor(call, config);
    const body = call.body === undefined ? undefined : stringifyJson(call.body);
    const accepted = new Set(call.acceptStatuses ?? []);
    const logger = this.#options.logger;

    return this.#options.resilience.execute(
      {
        operation: call.operation,
        object: call.object,
        idempotent: call.idempotent,
        onRetry: (error, attempt, delayMs) =>
          logger?.warn(
            { operation: call.operation, object: call.object, attempt, delayMs, errorKind: error.kind },
            `catalog ${call.operation} attempt ${attempt} failed (${error.kind}); retrying`,
          ),
      },
      async (signal, attempt) => {
        call.record.attempts++;
        const exchange = (authHeader: string | undefined) =>
          this.#observed(call.operation, () =>
            this.#exchange(endpoint.method, url, body, call.headers, authHeader, signal),
          );
        let authHeader = await this.#options.auth.authorizationHeader();
        let response = await exchange(authHeader);
        if ((response.status === 401 || response.status === 419) && !accepted.has(response.status)) {
          // One reactive refresh: the token may have expired or been revoked server-side.
          if (await this.#options.auth.refreshAfterRejection(authHeader)) {
            authHeader = await this.#options.auth.authorizationHeader();
            response = await exchange(authHeader);
          }
        }
        call.record.status = response.status;
        if (response.status < 400 || accepted.has(response.status)) return response;
        throw this.#failure(call, endpoint.method, url, response, attempt);
      },
    );
  }

  /** Times one HTTP exchange for the call observer (metrics). */
  async #observed(operation: string, send: () => Promise<HttpResponse>): Promise<HttpResponse> {
    const onCall = this.#options.onCall;
    if (onCall === undefined) return send();
    const started = performance.now();
    try {
      const response = await send();
      onCall({ operation, status: response.status, durationMs: performance.now() - started });
      return response;
    } catch (error) {
      onCall({ operation, status: 'error', durationMs: performance.now() - started });
      throw error;
    }
  }

  #exchange(
    method: string,
    url: string,
    body: string | undefined,
    extraHeaders: Readonly<Record<string, string>> | undefined,
    authHeader: string | undefined,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      accept: 'application/json',
      ...this.#options.headers,
      ...extraHeaders,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authHeader !== undefined) headers['authorization'] = authHeader;
    return sendHttp(this.#options.dispatcher, {
      method,
      url,
      headers,
      ...(body === undefined ? {} : { body }),
      signal,
    });
  }

  #failure(
    call: CatalogCall,
    method: string,
    url: string,
    response: HttpResponse,
    attempt: number,
  ): CatalogError {
    let serverType: string | undefined;
    let serverMessage: string | undefined;
    if (response.text.length > 0) {
      try {
        const model = errorModelSchema.safeParse(parseJson(response.text));
        if (model.success) {
          serverType = model.data.error.type;
          serverMessage = model.data.error.message;
        } else {
          serverMessage = response.text;
        }
      } catch {
        serverMessage = response.text;
      }
    }
    return errorFromResponse({
      endpoint: call.endpoint,
      operation: call.operation,
      object: call.object,
      method,
      url: redactUrl(url),
      status: response.status,
      serverType,
      serverMessage,
      attempts: attempt,
      extraContext: { catalogUri: this.#baseUri },
    });
  }
}
