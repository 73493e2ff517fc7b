// `catalog.type: sql` in floe.yaml: the embedded SQL catalog's section compiles to the options
// `createCatalog` takes, and REST-only settings, a URI that is no database, and a PostgreSQL
// password written into the URL are refused with the fix.
import { describe, expect, it } from 'vitest';
import { catalogOptionsFrom } from './client-options.ts';
import { compileConfig } from './compile.ts';
import { ConfigError } from './errors.ts';

const SQL_YAML = `
catalog:
  type: sql
  uri: sqlite:////var/lib/floe/catalog.db
  warehouse: file:///var/lib/floe/warehouse
storage:
  staging:
    bucket: floe-staging
queue:
  redis_url: redis://127.0.0.1:6379
`;

function problems(yaml: string): string {
  try {
    compileConfig(yaml, {});
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected compileConfig to fail');
}

describe('catalog.type: sql', () => {
  it('compiles to SQL catalog options with the default catalog name and the storage properties', () => {
    const artifacts = compileConfig(SQL_YAML, {});
    const options = catalogOptionsFrom(artifacts.catalog, artifacts.storage);
    expect(options).toMatchObject({
      type: 'sql',
      uri: 'sqlite:////var/lib/floe/catalog.db',
      warehouse: 'file:///var/lib/floe/warehouse',
      name: 'floe',
    });
    expect(options.type === 'sql' ? options.properties?.['client.region'] : undefined).toBe('us-east-1');
  });

  it('refuses REST-only settings, naming the field and the fix', () => {
    const message = problems(
      SQL_YAML.replace('  warehouse: file', '  access_delegation: vended-credentials\n  warehouse: file'),
    );
    expect(message).toContain(
      'catalog.access_delegation: is a REST catalog setting, but catalog.type is sql — remove catalog.access_delegation, or set catalog.type: rest',
    );
  });

  it('refuses a http URI for type sql and a database URI for type rest', () => {
    expect(
      problems(SQL_YAML.replace('sqlite:////var/lib/floe/catalog.db', 'http://127.0.0.1:8181')),
    ).toContain(
      'catalog.uri: is not a SQL catalog database for type sql — write sqlite:////absolute/path/catalog.db (embedded) or postgresql://user@host:5432/database',
    );
    expect(problems(SQL_YAML.replace('type: sql', 'type: rest'))).toContain(
      'catalog.uri: must be a http:// or https:// URL for type rest — write a full URL such as http://127.0.0.1:8181, or set catalog.type: sql for a database',
    );
  });

  it('refuses a PostgreSQL password in the URI and points at PGPASSWORD', () => {
    const message = problems(
      SQL_YAML.replace('sqlite:////var/lib/floe/catalog.db', 'postgresql://floe:hunter2@db:5432/catalog'),
    );
    expect(message).toContain(
      'catalog.uri: holds a database password — drop the password from the URL and set PGPASSWORD in the environment',
    );
    expect(message).not.toContain('hunter2');
  });
});
