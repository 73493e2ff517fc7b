import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from './logger.ts';

function capturingLogger(options: { secrets?: string[] } = {}): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ name: 'test', level: 'debug', destination, ...options });
  return { logger, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('createLogger', () => {
  it('writes JSON lines with an ISO time, a level word and the component name', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ table: 'db.events', attempt: 2 }, 'committed');
    const line = JSON.parse(lines()[0] ?? '{}');
    expect(line).toMatchObject({
      level: 'info',
      name: 'test',
      table: 'db.events',
      attempt: 2,
      msg: 'committed',
    });
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  const secretPaths: Array<[string, Record<string, unknown>]> = [
    ['client_secret at the top', { client_secret: 'S3CR3T-1' }],
    ['clientSecret nested', { catalog: { credential: { clientSecret: 'S3CR3T-1' } } }],
    [
      'client_secret three levels deep',
      { config: { catalog: { credential: { client_secret: 'S3CR3T-1' } } } },
    ],
    ['secret_access_key', { storage: { secret_access_key: 'S3CR3T-1' } }],
    ['secretAccessKey', { s3: { credentials: { secretAccessKey: 'S3CR3T-1' } } }],
    ['token', { auth: { token: 'S3CR3T-1' } }],
    ['access_token', { response: { access_token: 'S3CR3T-1' } }],
    ['accessToken', { accessToken: 'S3CR3T-1' }],
    ['session_token', { storage: { session_token: 'S3CR3T-1' } }],
    ['sessionToken', { creds: { sessionToken: 'S3CR3T-1' } }],
    ['password', { redis: { password: 'S3CR3T-1' } }],
    ['headers.authorization', { headers: { authorization: 'Bearer S3CR3T-1' } }],
    ['req.headers.Authorization', { req: { headers: { Authorization: 'Bearer S3CR3T-1' } } }],
    ['a deeper request header', { call: { request: { headers: { authorization: 'Bearer S3CR3T-1' } } } }],
    ['a field six levels deep', { a: { b: { c: { d: { e: { f: { token: 'S3CR3T-1' } } } } } } }],
    ['a field inside an array', { attempts: [{ ok: false }, { password: 'S3CR3T-1' }] }],
  ];
  for (const [label, fields] of secretPaths) {
    it(`redacts ${label}`, () => {
      const { logger, lines } = capturingLogger();
      logger.info(fields, 'with secret');
      const [line] = lines();
      expect(line).toBeDefined();
      expect(line).not.toContain('S3CR3T-1');
      expect(line).toContain('[REDACTED]');
    });
  }

  it('redacts secret fields bound on a child logger', () => {
    const { logger, lines } = capturingLogger();
    logger.child({ credential: { client_secret: 'S3CR3T-2' } }).warn('child');
    expect(lines()[0]).not.toContain('S3CR3T-2');
  });

  it('scrubs known secret values that appear inside messages and error text', () => {
    const { logger, lines } = capturingLogger({ secrets: ['hunter2-secret', 'quote"secret'] });
    logger.error(
      { err: new Error('login failed for password hunter2-secret'), note: 'quote"secret' },
      'token hunter2-secret rejected',
    );
    const [line] = lines();
    expect(line).not.toContain('hunter2-secret');
    expect(line).not.toContain('quote\\"secret');
    expect(line).toContain('login failed for password [REDACTED]');
  });

  it('redacts an error whose own fields hold a secret', () => {
    const { logger, lines } = capturingLogger();
    logger.error({ err: Object.assign(new Error('refused'), { token: 'S3CR3T-3' }) }, 'call failed');
    const line = JSON.parse(lines()[0] ?? '{}');
    expect(line.err).toMatchObject({ message: 'refused', token: '[REDACTED]' });
  });

  it('keeps non-secret fields intact', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ catalog: { uri: 'http://127.0.0.1:8181', credential: { client_id: 'etl' } } }, 'x');
    expect(JSON.parse(lines()[0] ?? '{}').catalog).toEqual({
      uri: 'http://127.0.0.1:8181',
      credential: { client_id: 'etl' },
    });
  });
});
