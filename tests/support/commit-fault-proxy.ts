// A catalog proxy for deterministic commit-fault tests: it relays every request to the real
// REST catalog and plays armed faults on table commits only (POST …/namespaces/{ns}/tables/{t};
// loads — the client's reloads — always pass). Each fault is one way a production network leaves
// a commit's outcome unclear, or refuses it for certain:
//   late-504   answer 504 at once WITHOUT forwarding; forward the request later, just before the
//              next commit to the same table is relayed (a gateway timed out while the catalog
//              was still applying it: the client's reload misses it, its next attempt meets it);
//   cut        forward, then cut the connection instead of relaying the answer;
//   broken-2xx forward, then relay the upstream status with a truncated body;
//   hold       never answer (the client times out); with `forward` the commit still lands;
//   refuse     answer `status` (409: conflict, 400: invalid) WITHOUT forwarding;
//   pause      hold the commit until `until` resolves, then relay it normally (keeps a commit in
//              flight, e.g. so that jobs queue up behind it and form one group).
// tests/support/fault-proxy.ts faults every kind of request before forwarding; this one is
// about commits and what happens to them after they leave.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BufferedAnswer, forwardBuffered, readBody, relayAnswer, trackedServer } from './http-relay.ts';

export type CommitFault =
  | { readonly kind: 'late-504' }
  | { readonly kind: 'cut' }
  | { readonly kind: 'broken-2xx' }
  | { readonly kind: 'hold'; readonly forward: boolean }
  | { readonly kind: 'refuse'; readonly status: number }
  | { readonly kind: 'pause'; readonly until: Promise<void> };

/** What happened to one commit request. */
export interface CommitRecord {
  /** `{ns}/{table}` as it appears in the request path (URL-encoded). */
  readonly table: string;
  /** The fault played on it, or `relayed`. */
  readonly fault: CommitFault['kind'] | 'relayed';
  /** The catalog's status when the request was forwarded (undefined: never forwarded). */
  readonly upstreamStatus: number | undefined;
}

export interface CommitFaultProxy {
  readonly url: string;
  /** Every commit request seen, in arrival order (a late-504 is updated once forwarded). */
  readonly commits: readonly CommitRecord[];
  /**
   * Plays `fault` on the next commit (to `table`, `namespace.table` dotted, when given).
   * Resolves with the record once the fault has played out (forwarded, or refused/held).
   */
  arm(fault: CommitFault, table?: string): Promise<CommitRecord>;
  close(): Promise<void>;
}

export const commitFaults = {
  late504: (): CommitFault => ({ kind: 'late-504' }),
  cut: (): CommitFault => ({ kind: 'cut' }),
  broken2xx: (): CommitFault => ({ kind: 'broken-2xx' }),
  hold: (forward: boolean): CommitFault => ({ kind: 'hold', forward }),
  refuse: (status: number): CommitFault => ({ kind: 'refuse', status }),
  pause: (until: Promise<void>): CommitFault => ({ kind: 'pause', until }),
} as const;

const COMMIT_PATH = /\/namespaces\/([^/]+)\/tables\/([^/?]+)$/;

interface Armed {
  readonly fault: CommitFault;
  readonly table: string | undefined;
  readonly settle: (record: CommitRecord) => void;
}

interface LateCommit {
  readonly req: IncomingMessage;
  readonly body: Buffer;
  readonly index: number;
  readonly armed: Armed;
}

export async function startCommitFaultProxy(upstreamUri: string): Promise<CommitFaultProxy> {
  const upstream = new URL(upstreamUri);
  const commits: CommitRecord[] = [];
  const armed: Armed[] = [];
  const late = new Map<string, LateCommit>();
  const { server, close } = trackedServer(handle);
  const forward = (req: IncomingMessage, body: Buffer) => forwardBuffered(upstream, req, body);

  function takeArmed(table: string): Armed | undefined {
    // Nested namespace levels are joined by the unit separator (0x1F) in the path.
    const dotted = decodeURIComponent(table).split(String.fromCharCode(0x1f)).join('.').replace('/', '.');
    const index = armed.findIndex((a) => a.table === undefined || a.table === dotted);
    return index < 0 ? undefined : armed.splice(index, 1)[0];
  }

  async function landLate(table: string): Promise<void> {
    const pending = late.get(table);
    if (pending === undefined) return;
    late.delete(table);
    const answer = await forward(pending.req, pending.body);
    const record = { ...(commits[pending.index] as CommitRecord), upstreamStatus: answer.status };
    commits[pending.index] = record;
    pending.armed.settle(record);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const match = req.method === 'POST' ? COMMIT_PATH.exec(path) : null;
    if (match === null) return relayAnswer(res, await forward(req, body));
    const table = `${match[1]}/${match[2]}`;
    await landLate(table);
    const fault = takeArmed(table);
    const index = commits.length;
    const record = (upstreamStatus: number | undefined): CommitRecord => ({
      table,
      fault: fault?.fault.kind ?? 'relayed',
      upstreamStatus,
    });
    if (fault === undefined) {
      const answer = await forward(req, body);
      commits.push(record(answer.status));
      return relayAnswer(res, answer);
    }
    switch (fault.fault.kind) {
      case 'late-504': {
        commits.push(record(undefined));
        late.set(table, { req, body, index, armed: fault });
        relayAnswer(res, errorAnswer(504, 'gateway timeout (injected: the commit is still being applied)'));
        return;
      }
      case 'refuse': {
        const done = record(undefined);
        commits.push(done);
        relayAnswer(res, errorAnswer(fault.fault.status, `commit refused (injected ${fault.fault.status})`));
        fault.settle(done);
        return;
      }
      case 'hold': {
        const upstreamStatus = fault.fault.forward ? (await forward(req, body)).status : undefined;
        const done = record(upstreamStatus);
        commits.push(done);
        fault.settle(done);
        // Never answer: the client times out and closes the connection.
        return;
      }
      case 'pause': {
        commits.push(record(undefined));
        await fault.fault.until;
        const answer = await forward(req, body);
        const done = record(answer.status);
        commits[index] = done;
        relayAnswer(res, answer);
        fault.settle(done);
        return;
      }
      case 'cut': {
        const answer = await forward(req, body);
        const done = record(answer.status);
        commits.push(done);
        req.socket.destroy();
        fault.settle(done);
        return;
      }
      case 'broken-2xx': {
        const answer = await forward(req, body);
        const done = record(answer.status);
        commits.push(done);
        relayAnswer(res, { ...answer, body: answer.body.subarray(0, Math.floor(answer.body.length / 2)) });
        fault.settle(done);
        return;
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    commits,
    arm: (fault, table) => new Promise((settle) => armed.push({ fault, table, settle })),
    close,
  };
}

function errorAnswer(status: number, message: string): BufferedAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ error: { message, type: 'InjectedFault', code: status } })),
  };
}
