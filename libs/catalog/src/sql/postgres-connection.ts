// PostgreSQL behind the SQL catalog's connection seam, through the `pg` client (a small pool).
// The distinction that matters for commits is *when* a failure happened: a connection that
// cannot be opened, or a statement the server rejected with an SQLSTATE, is definite; a
// connection that breaks after the statement was sent leaves the outcome unknown (`lost`).
// Connection strings may carry a password, so only host, port and database are ever shown.

import pg from 'pg';
import {
  type SqlConnection,
  SqlError,
  type SqlExecutor,
  type SqlFailure,
  type SqlRow,
  type SqlValue,
} from './sql-connection.ts';

const POOL_SIZE = 4;
const CONNECT_TIMEOUT_MS = 10_000;

export class PostgresConnection implements SqlConnection {
  readonly dialect = 'postgresql';
  readonly displayName: string;
  readonly #pool: pg.Pool;

  constructor(connectionString: string) {
    this.displayName = redactConnectionString(connectionString);
    this.#pool = new pg.Pool({
      connectionString,
      max: POOL_SIZE,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // An idle client whose server went away must not crash the process; the next query reconnects.
    this.#pool.on('error', () => undefined);
  }

  async query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.#withClient((client) => run(client, sql, params).then((r) => r.rows));
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#withClient((client) => run(client, sql, params).then((r) => r.rowCount ?? 0));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#withClient(async (client) => {
      await run(client, 'BEGIN', []);
      const tx: SqlExecutor = {
        query: async (sql, params = []) => (await run(client, sql, params)).rows,
        execute: async (sql, params = []) => (await run(client, sql, params)).rowCount ?? 0,
      };
      try {
        const result = await work(tx);
        await run(client, 'COMMIT', []);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #withClient<T>(use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      // Nothing was sent: a definite, retryable failure.
      throw new SqlError('busy', `PostgreSQL ${this.displayName}: cannot connect (${message(error)})`, error);
    }
    let broken: unknown;
    // A connection that breaks mid-query also emits 'error' on the client; the query's own
    // rejection is what we act on.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      return await use(client);
    } catch (error) {
      if (error instanceof SqlError && error.failure === 'lost') broken = error;
      throw error;
    } finally {
      // A client whose connection broke goes away instead of back into the pool.
      client.off('error', ignore);
      client.release(broken === undefined ? undefined : true);
    }
  }
}

async function run(client: pg.PoolClient, sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
  try {
    return await client.query(numberPlaceholders(sql), [...params]);
  } catch (error) {
    throw toSqlError(error, sql);
  }
}

/** `?` → `$1`, `$2`, … (the catalog's statements hold no `?` inside literals). */
function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function toSqlError(error: unknown, sql: string): SqlError {
  const code = (error as { code?: unknown } | null)?.code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  let failure: SqlFailure;
  if (sqlState === undefined) failure = 'lost';
  else if (sqlState === '23505') failure = 'duplicate';
  else if (sqlState === '42P01') failure = 'missing-table';
  // serialization failure, deadlock, lock timeout, too many connections, shutting down: rolled back.
  else if (['40001', '40P01', '55P03', '53300', '57P01', '57P03'].includes(sqlState)) failure = 'busy';
  else failure = 'other';
  const shown = sqlState === undefined ? message(error) : `${message(error)} (SQLSTATE ${sqlState})`;
  return new SqlError(failure, `PostgreSQL: ${shown} (in: ${sql.split('\n')[0]})`, error);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `postgresql://user:secret@host:5432/db?…` → `postgresql://host:5432/db`. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'postgresql://(unparseable connection string)';
  }
}
