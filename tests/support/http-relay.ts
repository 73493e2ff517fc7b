// HTTP plumbing the test proxies share: a loopback server that tracks its sockets (so closing it
// cuts every open connection, as a crashed gateway would), reading a request body whole, and
// forwarding a buffered request to the upstream with the answer buffered too.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

export interface TrackedServer {
  readonly server: Server;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** A server whose handler errors destroy the response, with its open sockets tracked. */
export function trackedServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): TrackedServer {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface BufferedAnswer {
  readonly status: number;
  /** content-type and etag, when the upstream sent them. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** The options of the upstream request that re-sends `req` with its already-read `body`. */
export function upstreamRequest(upstream: URL, req: IncomingMessage, body: Buffer): RequestOptions {
  const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
  delete headers['transfer-encoding'];
  delete headers['connection'];
  return { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers };
}

/** Sends `req` (with its already-read `body`) to `upstream` and reads the whole answer. */
export function forwardBuffered(upstream: URL, req: IncomingMessage, body: Buffer): Promise<BufferedAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(upstreamRequest(upstream, req, body), (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const passed: Record<string, string> = {};
        for (const name of ['content-type', 'etag']) {
          const value = answer.headers[name];
          if (typeof value === 'string') passed[name] = value;
        }
        resolve({ status: answer.statusCode ?? 502, headers: passed, body: Buffer.concat(chunks) });
      });
      answer.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Writes a buffered answer to the client. */
export function relayAnswer(res: ServerResponse, answer: BufferedAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  res.end(answer.body);
}
