// A table's short commit lease in Redis, and the hand-over of written files to its holder
// (DESIGN §5, "across processes"). The writer process holding a table's lease commits; the
// others hand their groupable appends over and wait for the answer. Every step that decides who
// commits a request is one atomic Lua script, so a request is always either waiting in the
// table's hand-over hash (withdrawable by its origin) or taken by exactly one holder.
//
// KEYS (prefix = `queue.prefix`:commit:<catalog scope>)
//   <prefix>:<table>:lease       token of the holder; PX ttl, renewed while it is active
//   <prefix>:<table>:handoffs    hash  hand-over id → v8 blob (handoff-codec.ts)
//   <prefix>:taken:<id>          token of the holder that took the hand-over (PX answer ttl)
//   <prefix>:answer:<id>         the holder's answer blob (PX answer ttl)
//   <prefix>:<table>:maintenance set by a maintenance commit that wants right of way (PX; the
//                                holder holds its next commit back while it is there)
// CHANNELS
//   <prefix>:wake                message: table — a hand-over is waiting for the holder
//   <prefix>:answers:<token>     message: hand-over id — its answer is in <prefix>:answer:<id>
// SCRIPTS (return codes)
//   claimAndTake(lease, handoffs; token, ttl, takenPrefix, answerTtl)
//       lease absent → set to token (2 acquired); ours → PEXPIRE (1 held); else 0.
//       On 1 or 2: every waiting hand-over is removed from the hash, recorded as taken by token,
//       and returned after the code: [code, id1, blob1, id2, blob2, …].
//   handOver(lease, handoffs; token, id, blob, wakeChannel, table)
//       lease absent → 0 (free: claim it instead); ours → 1 (held); else HSET + PUBLISH → 2.
//   renew(lease; token, ttl)          ours → PEXPIRE, 1; else 0.
//   releaseIfIdle(lease, handoffs; token)
//       ours and no hand-over waiting → DEL, 1; ours with hand-overs waiting → 2; else 0.
// Pub/sub only wakes the parties early; every decision re-reads the keys (a missed message
// costs one check interval, never correctness).
import { randomUUID } from 'node:crypto';
import { commitCoordinationBase, maintenanceRightOfWayKey } from '@floe/jobs';
import type { Redis } from 'ioredis';

const CLAIM_AND_TAKE = `
local holder = redis.call('GET', KEYS[1])
local code
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  code = 1
elseif not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  code = 2
else
  return {0}
end
local entries = redis.call('HGETALL', KEYS[2])
if #entries > 0 then
  redis.call('DEL', KEYS[2])
  for i = 1, #entries, 2 do
    redis.call('SET', ARGV[3] .. entries[i], ARGV[1], 'PX', ARGV[4])
  end
end
local result = {code}
for i = 1, #entries do result[#result + 1] = entries[i] end
return result
`;

const HAND_OVER = `
local holder = redis.call('GET', KEYS[1])
if not holder then return 0 end
if holder == ARGV[1] then return 1 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 2
`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

const RELEASE_IF_IDLE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('HLEN', KEYS[2]) > 0 then return 2 end
redis.call('DEL', KEYS[1])
return 1
`;

export interface CommitLeaseOptions {
  /** The writer's Redis connection (commands); a duplicate is opened for pub/sub. */
  readonly redis: Redis;
  /** `queue.prefix`. */
  readonly prefix: string;
  /** Identifies the catalog (URI and warehouse): leases of equal table names in other catalogs never meet. */
  readonly catalogScope: string;
  readonly ttlMs: number;
  /** How long a waiter waits for an answer; answers and taken-records live well beyond it. */
  readonly answerTimeoutMs: number;
}

export interface TakenHandOver {
  readonly id: string;
  readonly blob: Buffer;
}

export interface HandOverStatus {
  readonly answer: Buffer | undefined;
  /** Still in the hand-over hash: nobody took it; the origin may withdraw it. */
  readonly waiting: boolean;
  readonly holder: string | undefined;
  /** The holder that took it, when one did. */
  readonly taker: string | undefined;
}

export interface CommitLeaseEvents {
  /** A hand-over for `table` is waiting (the holder should take it). */
  wake(table: string): void;
  /** The answer to hand-over `id` (sent by this process) is ready. */
  answered(id: string): void;
}

export class CommitLease {
  /** This process's identity in leases and hand-overs. */
  readonly token = randomUUID();
  readonly ttlMs: number;
  private readonly redis: Redis;
  private readonly base: string;
  private readonly answerTtlMs: number;
  private subscriber: Redis | undefined;

  constructor(options: CommitLeaseOptions) {
    this.redis = options.redis;
    this.ttlMs = options.ttlMs;
    this.answerTtlMs = options.answerTimeoutMs * 10;
    this.base = commitCoordinationBase(options.prefix, options.catalogScope);
  }

  /**
   * Subscribes to wake-ups and answers for this process (again on every reconnect). Without the
   * subscription everything still works, one tick slower: holders take hand-overs when they next
   * claim or try to release, waiters read answers on their tick.
   */
  async start(events: CommitLeaseEvents): Promise<void> {
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    const wake = this.wakeChannel();
    const answers = `${this.base}:answers:${this.token}`;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === wake) events.wake(message);
      else if (channel === answers) events.answered(message);
    });
    const subscribe = () =>
      subscriber.subscribe(wake, answers).then(
        () => undefined,
        () => undefined,
      );
    subscriber.on('ready', () => void subscribe());
    await subscribe();
  }

  async close(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }

  async claimAndTake(table: string): Promise<{ held: boolean; acquired: boolean; taken: TakenHandOver[] }> {
    const reply = (await this.redis.callBuffer(
      'EVAL',
      CLAIM_AND_TAKE,
      2,
      this.leaseKey(table),
      this.handoffsKey(table),
      this.token,
      String(this.ttlMs),
      `${this.base}:taken:`,
      String(this.answerTtlMs),
    )) as [number, ...Buffer[]];
    const code = Number(reply[0]);
    const taken: TakenHandOver[] = [];
    for (let i = 1; i + 1 < reply.length; i += 2) {
      taken.push({ id: (reply[i] as Buffer).toString(), blob: reply[i + 1] as Buffer });
    }
    return { held: code > 0, acquired: code === 2, taken };
  }

  async handOver(table: string, id: string, blob: Buffer): Promise<'handed' | 'free' | 'held'> {
    const code = Number(
      await this.redis.eval(
        HAND_OVER,
        2,
        this.leaseKey(table),
        this.handoffsKey(table),
        this.token,
        id,
        blob,
        this.wakeChannel(),
        table,
      ),
    );
    return code === 2 ? 'handed' : code === 1 ? 'held' : 'free';
  }

  /** Whether a maintenance commit on the table asked for right of way (@floe/jobs commit-coordination.ts). */
  async maintenanceWaiting(table: string): Promise<boolean> {
    return (await this.redis.exists(maintenanceRightOfWayKey(this.base, table))) === 1;
  }

  async renew(table: string): Promise<boolean> {
    return (
      Number(await this.redis.eval(RENEW, 1, this.leaseKey(table), this.token, String(this.ttlMs))) === 1
    );
  }

  async releaseIfIdle(table: string): Promise<'released' | 'busy' | 'not-held'> {
    const code = Number(
      await this.redis.eval(RELEASE_IF_IDLE, 2, this.leaseKey(table), this.handoffsKey(table), this.token),
    );
    return code === 1 ? 'released' : code === 2 ? 'busy' : 'not-held';
  }

  /** Takes a waiting hand-over back; false when a holder already took it. */
  async withdraw(table: string, id: string): Promise<boolean> {
    return (await this.redis.hdel(this.handoffsKey(table), id)) === 1;
  }

  async answer(id: string, origin: string, blob: Buffer): Promise<void> {
    await this.redis
      .multi()
      .set(`${this.base}:answer:${id}`, blob, 'PX', this.answerTtlMs)
      .publish(`${this.base}:answers:${origin}`, id)
      .exec();
  }

  async status(table: string, id: string): Promise<HandOverStatus> {
    const [answer, waiting, holder, taker] = await Promise.all([
      this.redis.getBuffer(`${this.base}:answer:${id}`),
      this.redis.hexists(this.handoffsKey(table), id),
      this.redis.get(this.leaseKey(table)),
      this.redis.get(`${this.base}:taken:${id}`),
    ]);
    return {
      answer: answer ?? undefined,
      waiting: waiting === 1,
      holder: holder ?? undefined,
      taker: taker ?? undefined,
    };
  }

  async readAnswer(id: string): Promise<Buffer | undefined> {
    return (await this.redis.getBuffer(`${this.base}:answer:${id}`)) ?? undefined;
  }

  /** Drops an answer once read. */
  async forget(id: string): Promise<void> {
    await this.redis.del(`${this.base}:answer:${id}`, `${this.base}:taken:${id}`);
  }

  private leaseKey(table: string): string {
    return `${this.base}:${table}:lease`;
  }

  private handoffsKey(table: string): string {
    return `${this.base}:${table}:handoffs`;
  }

  private wakeChannel(): string {
    return `${this.base}:wake`;
  }
}
