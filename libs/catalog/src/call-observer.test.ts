// The call observer the workers turn into Prometheus metrics: one observation per HTTP exchange
// (the config fetch, the token request and the retried attempts included), with the status, or
// `error` when no answer came.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogCallObservation } from './index.ts';
import {
  jsonAnswer,
  type ScriptedCatalogServer,
  startScriptedCatalog,
} from './scripted-catalog.test-helper.ts';

let server: ScriptedCatalogServer;
let seen: CatalogCallObservation[];
const onCall = (observation: CatalogCallObservation) => seen.push(observation);
const summary = () => seen.map((observation) => `${observation.operation} ${observation.status}`);

beforeAll(async () => {
  server = await startScriptedCatalog();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  seen = [];
});

describe('onCall', () => {
  it('observes the token request, the config fetch and each attempt of an operation', async () => {
    server.routes.set('POST /v1/oauth/tokens', () => jsonAnswer({ access_token: 't', expires_in: 3600 }));
    let calls = 0;
    server.routes.set('GET /v1/namespaces', () =>
      ++calls === 1
        ? jsonAnswer({ error: { message: 'busy', type: 'Unavailable', code: 503 } }, 503)
        : jsonAnswer({ namespaces: [['a']] }),
    );
    const catalog = server.catalog({ credential: 'id:secret', onCall });
    expect(await catalog.listNamespaces()).toEqual([['a']]);
    expect(summary()).toEqual([
      'oauthToken 200',
      'getConfig 200',
      'listNamespaces 503',
      'listNamespaces 200',
    ]);
    expect(seen.every((observation) => observation.durationMs >= 0)).toBe(true);
  });

  it('reports error when no answer came', async () => {
    const catalog = server.catalog({ uri: 'http://127.0.0.1:1', onCall, retry: { maxAttempts: 1 } });
    await expect(catalog.listNamespaces()).rejects.toThrow();
    expect(summary()).toEqual(['getConfig error']);
  });
});
