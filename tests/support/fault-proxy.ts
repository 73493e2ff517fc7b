// A fault-injecting HTTP proxy for resilience tests: it forwards to a real upstream (the stack's
// catalog server) and, on demand, answers the next requests with 503, drops their connections
// without a response, delays them, or goes fully down (stops listening, so connections are
// refused) and comes back up on the same port. Faults are queued per request, or made
// persistent until cleared, and every request is counted so tests can assert how many
// attempts a client made.

import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, trackedServer, upstreamRequest } from './http-relay.ts';

export type Fault =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'delay'; readonly ms: number };

export interface FaultProxy {
  readonly url: string;
  /** Requests that reached the proxy (while up). */
  readonly requests: number;
  /** Requests forwarded to the upstream. */
  readonly forwarded: number;
  /** Queue faults for the next requests, one per request, in order. */
  inject(...faults: Fault[]): void;
  /** Apply a fault to every request until cleared with `undefined`. */
  setPersistent(fault: Fault | undefined): void;
  /** Stop listening and cut open connections: clients get connection refused. */
  goDown(): Promise<void>;
  /** Listen again on the same port. */
  comeUp(): Promise<void>;
  resetCounters(): void;
  close(): Promise<void>;
}

export const faults = {
  status: (status: number): Fault => ({ kind: 'status', status }),
  unavailable: (): Fault => ({ kind: 'status', status: 503 }),
  drop: (): Fault => ({ kind: 'drop' }),
  delay: (ms: number): Fault => ({ kind: 'delay', ms }),
} as const;

export async function startFaultProxy(upstreamUri: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUri);
  const queue: Fault[] = [];
  let persistent: Fault | undefined;
  const counters = { requests: 0, forwarded: 0 };
  const { server, close: stop } = trackedServer(handle);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests++;
    const body = await readBody(req);
    const fault = queue.shift() ?? persistent;
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: `injected fault ${fault.status}`, type: 'InjectedFault', code: fault.status },
        }),
      );
      return;
    }
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (req.socket.destroyed) return;
    counters.forwarded++;
    await forward(req, res, body);
  }

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(upstreamRequest(upstream, req, body), (answer) => {
        const passHeaders = { ...answer.headers };
        delete passHeaders['connection'];
        delete passHeaders['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, passHeaders);
        answer.pipe(res);
        answer.on('end', () => resolve());
        answer.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return counters.requests;
    },
    get forwarded() {
      return counters.forwarded;
    },
    inject(...added: Fault[]) {
      queue.push(...added);
    },
    setPersistent(fault) {
      persistent = fault;
    },
    goDown: stop,
    comeUp() {
      return new Promise<void>((resolve, reject) => {
        if (server.listening) return resolve();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    resetCounters() {
      counters.requests = 0;
      counters.forwarded = 0;
      queue.length = 0;
      persistent = undefined;
    },
    close: stop,
  };
}
