import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NAMESPACE_SEPARATOR,
  decodeNamespaceSeparator,
  ENDPOINTS,
  endpointKey,
  endpointPath,
  supportedEndpoints,
} from './endpoints.ts';

describe('endpointPath', () => {
  it('fills prefix, namespace levels (joined by the encoded separator) and table', () => {
    const path = endpointPath(
      ENDPOINTS.loadTable,
      { prefix: 'prod', namespace: ['bronze', 'raw'], table: 'events' },
      DEFAULT_NAMESPACE_SEPARATOR,
    );
    expect(path).toBe('/v1/prod/namespaces/bronze%1Fraw/tables/events');
  });

  it('drops the prefix segment when the catalog has none', () => {
    expect(endpointPath(ENDPOINTS.listNamespaces, { prefix: undefined }, '\u001f')).toBe('/v1/namespaces');
    expect(endpointPath(ENDPOINTS.renameTable, { prefix: '' }, '\u001f')).toBe('/v1/tables/rename');
  });

  it('keeps slashes of a multi-segment prefix and encodes everything else', () => {
    const path = endpointPath(
      ENDPOINTS.dropTable,
      { prefix: 'catalogs/my cat', namespace: ['a/b', 'c.d'], table: 'x y' },
      '.',
    );
    expect(path).toBe('/v1/catalogs/my%20cat/namespaces/a%2Fb.c.d/tables/x%20y');
  });

  it('honours a server-chosen separator', () => {
    expect(endpointPath(ENDPOINTS.loadNamespace, { prefix: undefined, namespace: ['a', 'b'] }, '.')).toBe(
      '/v1/namespaces/a.b',
    );
  });

  it('refuses to build a path without its parameters', () => {
    expect(() => endpointPath(ENDPOINTS.loadNamespace, { prefix: undefined }, '.')).toThrow(
      'loadNamespace needs a namespace',
    );
    expect(() => endpointPath(ENDPOINTS.loadTable, { prefix: undefined, namespace: ['a'] }, '.')).toThrow(
      'loadTable needs a table name',
    );
  });
});

describe('supportedEndpoints', () => {
  it('assumes the spec defaults when the server advertises nothing (no HEAD, no credentials)', () => {
    const supported = supportedEndpoints(undefined);
    expect(supported.has('loadTable')).toBe(true);
    expect(supported.has('commitTable')).toBe(true);
    expect(supported.has('tableExists')).toBe(false);
    expect(supported.has('loadCredentials')).toBe(false);
  });

  it('uses exactly what the server advertises, tolerating extra spaces', () => {
    const supported = supportedEndpoints([
      'GET  /v1/{prefix}/namespaces',
      endpointKey(ENDPOINTS.loadCredentials),
    ]);
    expect([...supported].sort()).toEqual(['getConfig', 'listNamespaces', 'loadCredentials']);
  });
});

describe('decodeNamespaceSeparator', () => {
  it('decodes the URL-encoded form servers send and falls back to the unit separator', () => {
    expect(decodeNamespaceSeparator('%1F')).toBe('\u001f');
    expect(decodeNamespaceSeparator('%2E')).toBe('.');
    expect(decodeNamespaceSeparator(undefined)).toBe('\u001f');
    expect(decodeNamespaceSeparator('')).toBe('\u001f');
    expect(decodeNamespaceSeparator('%')).toBe('%');
  });
});
