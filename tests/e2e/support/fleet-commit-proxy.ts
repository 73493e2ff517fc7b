// A catalog proxy for the fleet's exactly-once tests that faults AFTER the catalog has answered a
// table commit (POST …/namespaces/{ns}/tables/{table}): the commit has landed, but the writer
// never learns it. `dropNextCommitResponse` cuts the connection instead of relaying the answer
// (the "lost response" case: the writer must reload and find its marker); `holdNextCommitResponse`
// keeps the connection open without answering, so a test can kill -9 the writer while its job is
// active and committed (the "stall after commit" case: the re-delivered job must find the
// marker). tests/support/fault-proxy.ts faults before forwarding, which proves the other half
// (the commit never landed); this one proves the dangerous half. `blockNextCommit` is the
// crash-before-commit case: the commit request is held and never forwarded, so a test can kill
// -9 the writer after it wrote its files but before the catalog saw anything.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CommitProxy {
  readonly url: string;
  /** Commits whose upstream answer was relayed, dropped or held. */
  readonly commits: { relayed: number; dropped: number; held: number; blocked: number };
  /** The next commit is forwarded; its answer (status recorded) is replaced by a cut connection. */
  dropNextCommitResponse(): Promise<number>;
  /** The next commit is forwarded; its answer is never relayed. Resolves with the upstream status. */
  holdNextCommitResponse(): Promise<number>;
  /** The next commit is never forwarded (nor answered). Resolves when it arrives. */
  blockNextCommit(): Promise<number>;
  close(): Promise<void>;
}

const COMMIT_PATH = /\/namespaces\/[^/]+\/tables\/[^/?]+$/;

export async function startCommitProxy(upstreamUri: string): Promise<CommitProxy> {
  const upstream = new URL(upstreamUri);
  const commits = { relayed: 0, dropped: 0, held: 0, blocked: 0 };
  const armed: { mode: 'drop' | 'hold' | 'block'; resolve: (status: number) => void }[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const isCommit = req.method === 'POST' && COMMIT_PATH.test(path);
    const fault = isCommit ? armed.shift() : undefined;
    if (fault?.mode === 'block') {
      commits.blocked++;
      fault.resolve(0);
      return;
    }
    const answer = await forward(upstream, req, body);
    if (fault === undefined) {
      if (isCommit) commits.relayed++;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    if (fault.mode === 'drop') {
      commits.dropped++;
      req.socket.destroy();
    } else {
      commits.held++;
    }
    fault.resolve(answer.status);
  }

  function arm(mode: 'drop' | 'hold' | 'block'): Promise<number> {
    return new Promise((resolve) => armed.push({ mode, resolve }));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    commits,
    dropNextCommitResponse: () => arm('drop'),
    holdNextCommitResponse: () => arm('hold'),
    blockNextCommit: () => arm('block'),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function forward(upstream: URL, req: IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    delete headers['connection'];
    const outgoing = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const contentType = answer.headers['content-type'];
          resolve({
            status: answer.statusCode ?? 502,
            headers: contentType === undefined ? {} : { 'content-type': contentType },
            body: Buffer.concat(chunks),
          });
        });
        answer.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
