// One HTTP exchange over undici, nothing more: send, read the whole body as text, and turn
// transport failures into `CatalogError`s that say whether the request can have reached the
// server. That distinction is what makes retrying a commit safe or unsafe: a refused
// connection never delivered the request; a reset after sending may have.

import { type Dispatcher, request } from 'undici';
import { CatalogError } from '../errors.ts';

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly text: string;
}

/** Error codes meaning the request cannot have reached the server. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export async function sendHttp(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  try {
    const response = await request(req.url, {
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body ?? null,
      signal: req.signal ?? null,
      dispatcher,
    });
    let text = '';
    if (req.method === 'HEAD') await response.body.dump();
    else text = await response.body.text();
    return { status: response.statusCode, headers: flattenHeaders(response.headers), text };
  } catch (error) {
    throw transportError(req, error);
  }
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** The error code of a transport failure, looking through `cause` chains and aggregates. */
export function transportErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth++) {
    if (typeof current !== 'object' || current === null) return undefined;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.length > 0) {
      current = inner[0];
      continue;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function transportError(req: HttpRequest, error: unknown): CatalogError {
  if (error instanceof CatalogError) return error;
  const where = `${req.method} ${redactUrl(req.url)}`;
  if (req.signal?.aborted) {
    return new CatalogError('timeout', `${where} timed out`, {
      context: { method: req.method, url: redactUrl(req.url) },
      cause: error,
    });
  }
  const code = transportErrorCode(error);
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  const reason = error instanceof Error ? error.message : String(error);
  return new CatalogError(
    'network',
    `${where} failed: ${reason}${code ? ` (${code})` : ''}${notSent ? ' — the server was not reached' : ''}`,
    {
      context: { method: req.method, url: redactUrl(req.url), code, notSent },
      cause: error,
    },
  );
}

/** A URL safe to log: user info dropped (query strings of catalog calls carry no secrets). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
