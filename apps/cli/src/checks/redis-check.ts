// Checks that the Redis behind BullMQ answers: connect with a short timeout, PING, disconnect.
// No retries — `floe compile` wants a fast, honest answer. ioredis reports a failed connect as
// "Connection is closed", so the socket error seen on the `error` event is what gets explained.
import { Redis } from 'ioredis';
import { displayUrl, elapsedSince, type ServiceCheck } from './service-check.ts';

const LOCAL_STACK_HINT = 'is it running? (local stack: `npm run stack:up`)';

function explainRedisFailure(where: string, error: Error | undefined, timeoutMs: number): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error?.message ?? '';
  if (code === 'ECONNREFUSED') return `Redis at ${where} refused the connection: ${LOCAL_STACK_HINT}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `Redis host in ${where} was not found (DNS ${code}): check the host in queue.redis_url`;
  }
  if (code === 'ETIMEDOUT' || message.includes('timed out') || message.includes('connect ETIMEDOUT')) {
    return `Redis at ${where} did not answer within ${timeoutMs} ms: check queue.redis_url and that the network lets you reach it`;
  }
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    return `Redis at ${where} rejected the credentials: check the user/password in queue.redis_url`;
  }
  if (/Unknown RESP type|Protocol error/i.test(message)) {
    return `something answered at ${where}, but not Redis: check the port in queue.redis_url`;
  }
  return `Redis at ${where} failed (${code ?? (message || 'no answer')}): check queue.redis_url`;
}

export const redisCheck: ServiceCheck = {
  name: 'redis',
  async run(artifacts, { timeoutMs, logger }) {
    const where = displayUrl(artifacts.queue.redis_url);
    const start = process.hrtime.bigint();
    const redis = new Redis(artifacts.queue.redis_url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    let socketError: Error | undefined;
    redis.on('error', (error: Error) => {
      socketError ??= error;
    });
    try {
      await redis.connect();
      const reply = await redis.ping();
      if (reply !== 'PONG') {
        return {
          ok: false,
          message: `Redis at ${where} answered PING with "${reply}": check queue.redis_url`,
        };
      }
      return { ok: true, message: `Redis at ${where} answered PING (${elapsedSince(start)})` };
    } catch (error) {
      const cause = socketError ?? (error as Error);
      logger.debug({ err: cause, check: 'redis' }, 'redis check failed');
      return { ok: false, message: explainRedisFailure(where, cause, timeoutMs) };
    } finally {
      redis.disconnect();
    }
  },
};
