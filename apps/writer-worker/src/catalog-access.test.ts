// The credentials state of a writer: which catalog failures count as "our credentials are
// refused", and the pause → re-check → resume cycle, driven by a stand-in probe (the real one,
// against a catalog that rotates its secret, is tests/e2e/fleet-credentials.test.ts).
import { CatalogError } from '@floe/catalog';
import { describe, expect, it } from 'vitest';
import { CatalogAccess, credentialRefusal } from './catalog-access.ts';

const refused = new CatalogError(
  'token-request-failed',
  "catalog rejected client_id 'etl' at http://catalog/v1/oauth/tokens (HTTP 401 invalid_client): check catalog.credential.client_id / catalog.credential.client_secret in floe.yaml (and catalog.scope)",
  { retryable: false, context: { status: 401 } },
);

function harness(answers: (Error | undefined)[]) {
  const calls = { probes: 0, stops: 0, resumes: 0 };
  const lines: string[] = [];
  const log = (level: string) => (_fields: Record<string, unknown>, message: string) => {
    lines.push(`${level} ${message}`);
  };
  const access = new CatalogAccess({
    probe: async () => {
      const answer = answers[Math.min(calls.probes, answers.length - 1)];
      calls.probes += 1;
      if (answer !== undefined) throw answer;
    },
    recheckMs: 5,
    stopTaking: async () => {
      calls.stops += 1;
    },
    resumeTaking: async () => {
      calls.resumes += 1;
    },
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
  });
  return { access, calls, lines };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('credentialRefusal', () => {
  it('counts a refused token request and a 401 after a fresh token, also as a cause', () => {
    expect(credentialRefusal(refused)).toBe(refused);
    const unauthorized = new CatalogError('unauthorized', 'loadTable: 401');
    expect(credentialRefusal(unauthorized)).toBe(unauthorized);
    expect(credentialRefusal(new Error('creating the table failed', { cause: refused }))).toBe(refused);
  });

  it('leaves outages, rate limits and missing grants to the job', () => {
    const rateLimited = new CatalogError('token-request-failed', 'HTTP 429', { retryable: true });
    expect(credentialRefusal(rateLimited)).toBeUndefined();
    expect(credentialRefusal(new CatalogError('forbidden', 'no grant'))).toBeUndefined();
    expect(credentialRefusal(new CatalogError('service-unavailable', '503'))).toBeUndefined();
    expect(credentialRefusal(new Error('ECONNRESET'))).toBeUndefined();
  });
});

describe('CatalogAccess', () => {
  it('stops taking jobs on a refusal, says why, and resumes once a re-check passes', async () => {
    const { access, calls, lines } = harness([refused, refused, undefined]);
    await access.check();
    expect(access.accepted).toBe(false);
    expect(access.reason).toBe(
      `the catalog rejects the writer's credentials; queued jobs wait until it accepts them: ${refused.message}`,
    );
    expect(calls.stops).toBe(1);
    // Jobs meeting the same refusal meanwhile do not pause twice.
    await access.refused(refused);
    expect(calls.stops).toBe(1);
    await until(() => access.accepted);
    expect(calls.resumes).toBe(1);
    expect(calls.probes).toBe(3);
    expect(access.reason).toBeUndefined();
    expect(lines).toEqual([
      'error catalog rejects the writer credentials: taking no jobs until it accepts them (queued jobs stay queued)',
      'info catalog accepts the writer credentials again: taking jobs',
    ]);
    access.close();
  });

  it('does not stop taking jobs when the start-up check cannot reach the catalog', async () => {
    const { access, calls, lines } = harness([new CatalogError('network', 'ECONNREFUSED')]);
    await access.check();
    expect(access.accepted).toBe(true);
    expect(calls.stops).toBe(0);
    expect(lines).toEqual(['warn could not check the catalog credentials at start; jobs will tell']);
    access.close();
  });

  it('stops re-checking once closed', async () => {
    const { access, calls } = harness([refused]);
    await access.check();
    access.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls.probes).toBe(1);
  });
});
