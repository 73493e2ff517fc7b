import { describe, expect, it } from 'vitest';
import { errorFromResponse, errorRuleFor } from './error-maps.ts';

const base = {
  operation: 'loadTable',
  object: 'table bronze.events',
  method: 'GET',
  url: 'http://catalog:8181/v1/namespaces/bronze/tables/events',
  serverType: undefined,
  serverMessage: undefined,
} as const;

describe('errorRuleFor', () => {
  it('maps 404 by endpoint: table endpoints say no such table, namespace endpoints no such namespace', () => {
    expect(errorRuleFor('loadTable', 404, undefined).kind).toBe('no-such-table');
    expect(errorRuleFor('commitTable', 404, 'NoSuchTableException').kind).toBe('no-such-table');
    expect(errorRuleFor('loadNamespace', 404, undefined).kind).toBe('no-such-namespace');
    expect(errorRuleFor('createTable', 404, undefined).kind).toBe('no-such-namespace');
    expect(errorRuleFor('getConfig', 404, undefined).kind).toBe('not-found');
  });

  it("lets the server's error type tell a missing namespace from a missing table", () => {
    expect(errorRuleFor('loadTable', 404, 'NoSuchNamespaceException').kind).toBe('no-such-namespace');
  });

  it('maps 409 by endpoint', () => {
    expect(errorRuleFor('createNamespace', 409, undefined).kind).toBe('namespace-already-exists');
    expect(errorRuleFor('dropNamespace', 409, undefined).kind).toBe('namespace-not-empty');
    expect(errorRuleFor('createTable', 409, undefined).kind).toBe('table-already-exists');
    expect(errorRuleFor('registerTable', 409, undefined).kind).toBe('table-already-exists');
    expect(errorRuleFor('renameTable', 409, undefined).kind).toBe('table-already-exists');
    const conflict = errorRuleFor('commitTable', 409, 'CommitFailedException');
    expect(conflict.kind).toBe('commit-conflict');
    expect(conflict.retryable).toBe(true);
  });

  it('makes every 5xx on a commit a commit-state-unknown, never a plain server error', () => {
    for (const status of [500, 502, 503, 504, 507]) {
      expect(errorRuleFor('commitTable', status, undefined).kind).toBe('commit-state-unknown');
    }
    expect(errorRuleFor('loadTable', 500, undefined).kind).toBe('server-error');
    expect(errorRuleFor('loadTable', 503, undefined).kind).toBe('service-unavailable');
    expect(errorRuleFor('loadTable', 599, undefined).kind).toBe('server-error');
  });

  it('maps auth statuses', () => {
    expect(errorRuleFor('listTables', 401, undefined).kind).toBe('unauthorized');
    expect(errorRuleFor('listTables', 403, undefined).kind).toBe('forbidden');
    expect(errorRuleFor('listTables', 419, undefined).kind).toBe('auth-expired');
    expect(errorRuleFor('listTables', 429, undefined).kind).toBe('rate-limited');
    expect(errorRuleFor('listTables', 406, undefined).kind).toBe('unsupported-endpoint');
    expect(errorRuleFor('updateNamespaceProperties', 422, undefined).kind).toBe('bad-request');
  });

  it('reads a 409 or 422 without an endpoint rule by the reason the catalog gives, not as an unexpected status', () => {
    const error = errorFromResponse({
      ...base,
      endpoint: 'loadTable',
      status: 422,
      serverType: 'UnprocessableEntityException',
      serverMessage: 'Unsupported snapshots mode',
    });
    expect(error.message).toBe(
      "loadTable table bronze.events failed: Unsupported snapshots mode — the catalog could not process the request; correct what the catalog's reason names " +
        '(GET http://catalog:8181/v1/namespaces/bronze/tables/events answered HTTP 422 UnprocessableEntityException)',
    );
    expect(errorRuleFor('dropTable', 409, undefined).what).toBe(
      'the catalog reported a conflict with its current state',
    );
  });

  it('explains a status nobody expects', () => {
    const rule = errorRuleFor('loadTable', 418, undefined);
    expect(rule.kind).toBe('bad-request');
    expect(rule.what).toBe('the catalog answered with unexpected status 418');
  });
});

describe('errorFromResponse', () => {
  it('names operation, object, what failed, the fix, method, URL, status and server words', () => {
    const error = errorFromResponse({
      ...base,
      endpoint: 'loadTable',
      status: 404,
      serverType: 'NoSuchTableException',
      serverMessage: 'Table does not exist: bronze.events',
      attempts: 1,
    });
    expect(error.message).toBe(
      'loadTable table bronze.events failed: the table does not exist; check the table name and namespace ' +
        '(`floe table list <namespace>`) (GET http://catalog:8181/v1/namespaces/bronze/tables/events answered ' +
        'HTTP 404 NoSuchTableException: Table does not exist: bronze.events)',
    );
    expect(error.kind).toBe('no-such-table');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(404);
    expect(error.context).toMatchObject({
      operation: 'loadTable',
      status: 404,
      serverType: 'NoSuchTableException',
    });
  });

  it('keeps the retryable flag of the rule and clips long server text to one line', () => {
    const error = errorFromResponse({
      ...base,
      endpoint: 'commitTable',
      operation: 'commitTable',
      method: 'POST',
      status: 409,
      serverMessage: `line one\n  line two ${'x'.repeat(600)}`,
    });
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 409: line one line two xxx');
    expect(error.message).toContain('…)');
    expect(String(error.context['serverMessage']).length).toBeLessThanOrEqual(401);
  });

  it('says only the status when the server sent no text', () => {
    const error = errorFromResponse({ ...base, endpoint: 'loadTable', status: 503, serverMessage: '  ' });
    expect(error.message).toMatch(/answered HTTP 503\)$/);
    expect(error.retryable).toBe(true);
  });
});
