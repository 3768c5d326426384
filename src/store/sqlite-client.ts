import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';

/** The parts of better-sqlite3 this client uses. */
interface Statement {
  readonly reader: boolean;
  all(bindings: unknown[]): unknown[];
  run(bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  safeIntegers(on: boolean): Statement;
}
interface Connection {
  prepare(sql: string): Statement;
}
interface QueryObject {
  sql?: string;
  bindings?: unknown[];
  options?: { safeIntegers?: boolean };
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
}
interface BetterSqlite3ClientClass {
  new (config: Knex.Config): {
    _formatBindings(bindings: unknown[] | undefined): unknown[];
  };
}

const require = createRequire(import.meta.url);
// knex's own dialect for better-sqlite3, extended below; knex takes a client class in `client`.
const BetterSqlite3Client = require('knex/lib/dialects/better-sqlite3/index.js') as BetterSqlite3ClientClass;

/** Prepared statements kept per connection; the least recently used beyond this are dropped. */
const MAX_STATEMENTS = 128;

// Keyed by connection, not held by the client: knex's transaction clients are copies of it.
const statements = new WeakMap<Connection, LRUCache<string, Statement>>();

function statement(connection: Connection, sql: string): Statement {
  let cache = statements.get(connection);
  if (!cache) {
    cache = new LRUCache({ max: MAX_STATEMENTS });
    statements.set(connection, cache);
  }
  let st = cache.get(sql);
  if (!st) {
    st = connection.prepare(sql);
    cache.set(sql, st);
  }
  return st;
}

/**
 * knex's better-sqlite3 client with each connection's prepared statements kept and reused: knex
 * prepares every statement anew, which here cost as much as running it (the multi-row inserts of
 * the exchange log and the claim completions repeat the same text for the same batch size).
 * Statements run synchronously, so one statement object is never used by two queries at once.
 */
export class SqliteClient extends BetterSqlite3Client {
  async _query(connection: Connection, obj: QueryObject): Promise<QueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
    if (!connection) throw new Error('No connection provided');
    const st = statement(connection, obj.sql);
    // A cached statement keeps its last mode: set it on every use.
    st.safeIntegers(obj.options?.safeIntegers === true);
    const bindings = this._formatBindings(obj.bindings);
    if (st.reader) {
      obj.response = st.all(bindings);
      return obj;
    }
    const response = st.run(bindings);
    obj.response = response;
    obj.context = { lastID: response.lastInsertRowid, changes: response.changes };
    return obj;
  }
}

/** Values as better-sqlite3 binds them, the conversions knex's client makes: booleans as 0/1, dates as epoch milliseconds. */
function bindable(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  return v;
}

/**
 * Runs one statement on a connection taken from knex's pool, through the same kept statements:
 * the rows of a query (or of `RETURNING`), an empty list otherwise.
 */
export function runOn(connection: unknown, sql: string, bindings: readonly unknown[]): Array<Record<string, unknown>> {
  const st = statement(connection as Connection, sql);
  st.safeIntegers(false);
  const values = bindings.map(bindable);
  if (st.reader) return st.all(values) as Array<Record<string, unknown>>;
  st.run(values);
  return [];
}

/** The client class as knex's configuration types it. */
export const sqliteClient = SqliteClient as unknown as typeof Knex.Client;
