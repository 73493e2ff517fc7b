// SQLite behind the SQL catalog's connection seam, through Node's built-in `node:sqlite` (no
// native add-on to build). One file is the whole catalog, shared by every floe process on the
// machine and by PyIceberg's SqlCatalog: WAL journaling lets readers run beside the one writer,
// the busy timeout makes a second writer wait for the lock instead of failing, and writes that
// must be atomic take the write lock up front (`BEGIN IMMEDIATE`). The driver is synchronous, so
// statements of this process are queued one at a time: an await inside a transaction can never
// let another operation's statement slip into it.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import {
  type SqlConnection,
  SqlError,
  type SqlExecutor,
  type SqlFailure,
  type SqlRow,
  type SqlValue,
} from './sql-connection.ts';

/** How long a statement waits for another process's write lock before giving up. */
const BUSY_TIMEOUT_MS = 10_000;

// SQLite primary result codes (the low byte of an extended code).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
// Extended codes of a primary-key and a unique-constraint violation.
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

export class SqliteConnection implements SqlConnection {
  readonly dialect = 'sqlite';
  readonly displayName: string;
  readonly #db: DatabaseSync;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.displayName = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      this.#db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
      this.#db.exec('PRAGMA journal_mode = WAL');
    } catch (error) {
      throw toSqlError(error, `open SQLite catalog ${path}`);
    }
  }

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.#serialized(async () => this.#all(sql, params));
  }

  execute(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#serialized(async () => this.#run(sql, params));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#serialized(async () => {
      this.#run('BEGIN IMMEDIATE', []);
      const tx: SqlExecutor = {
        query: async (sql, params = []) => this.#all(sql, params),
        execute: async (sql, params = []) => this.#run(sql, params),
      };
      try {
        const result = await work(tx);
        this.#run('COMMIT', []);
        return result;
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.#tail.catch(() => undefined);
    if (this.#db.isOpen) this.#db.close();
  }

  #serialized<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  #all(sql: string, params: readonly SqlValue[]): SqlRow[] {
    try {
      return this.#db.prepare(sql).all(...(params as SQLInputValue[])) as SqlRow[];
    } catch (error) {
      throw toSqlError(error, sql);
    }
  }

  #run(sql: string, params: readonly SqlValue[]): number {
    try {
      return Number(this.#db.prepare(sql).run(...(params as SQLInputValue[])).changes);
    } catch (error) {
      throw toSqlError(error, sql);
    }
  }
}

function toSqlError(error: unknown, what: string): SqlError {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  const message = error instanceof Error ? error.message : String(error);
  const primary = typeof errcode === 'number' ? errcode & 0xff : undefined;
  let failure: SqlFailure = 'other';
  if (errcode === SQLITE_CONSTRAINT_PRIMARYKEY || errcode === SQLITE_CONSTRAINT_UNIQUE) failure = 'duplicate';
  else if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) failure = 'busy';
  else if (/no such table/i.test(message)) failure = 'missing-table';
  return new SqlError(failure, `SQLite: ${message} (in: ${what.split('\n')[0]})`, error);
}
