import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { runOn } from './sqlite-client.js';
import type { StoreClient } from './store.js';

/** Runs one SQL statement; resolves to the rows it returned (a query's, or `RETURNING`'s), else none. */
export type RawQuery = (sql: string, bindings?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

/** A RawQuery on knex (or a knex transaction): PostgreSQL's result rows; SQLite's rows, or none for a plain write. */
export function queryOf(knex: Knex | Knex.Transaction, client: StoreClient): RawQuery {
  return async (sql, bindings = []) => {
    const result: unknown = await knex.raw(sql, bindings as Knex.RawBinding[]);
    if (client === 'postgres') return (result as { rows: Array<Record<string, unknown>> }).rows;
    return Array.isArray(result) ? (result as Array<Record<string, unknown>>) : [];
  };
}

/** Bound variables per statement we allow ourselves: SQLite allows 32766, PostgreSQL 65535. */
export const MAX_BINDINGS = 30000;

/**
 * Multi-row `INSERT … VALUES (…), (…)` in as few statements as the binding limit allows, each
 * followed by `suffix` (an `ON CONFLICT …` or `RETURNING …` clause). Built by hand because knex
 * writes multi-row inserts for SQLite as `SELECT … UNION ALL`, which is slower and capped at 500
 * rows. Returns the rows the statements returned, in order, and how many statements ran.
 */
export async function insertRows(query: RawQuery, table: string, columns: readonly string[], rows: readonly unknown[][], suffix = ''): Promise<{ returned: Array<Record<string, unknown>>; statements: number }> {
  const returned: Array<Record<string, unknown>> = [];
  let statements = 0;
  const perStatement = Math.max(1, Math.floor(MAX_BINDINGS / columns.length));
  const cols = columns.map((c) => `"${c}"`).join(', ');
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const sql = `insert into "${table}" (${cols}) values ${chunk.map(() => tuple).join(', ')}${suffix ? ` ${suffix}` : ''}`;
    returned.push(...(await query(sql, chunk.flat())));
    statements += 1;
  }
  return { returned, statements };
}

/**
 * A RawQuery for single statements outside a transaction, run on a connection taken from knex's
 * pool for the statement: SQLite's one connection (so it waits for a transaction in progress),
 * or one of PostgreSQL's.
 */
export function directQuery(knex: Knex, client: StoreClient): RawQuery {
  return async (sql, bindings = []) => {
    const pool = knex.client as unknown as PoolClient;
    const connection = await pool.acquireConnection();
    try {
      return await run(client, connection, sql, bindings);
    } finally {
      await pool.releaseConnection(connection);
    }
  };
}

interface PgConnection {
  query(sql: string, values?: readonly unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** `?` placeholders numbered as PostgreSQL wants them, kept per statement text (batches repeat theirs). */
const numbered = new LRUCache<string, string>({ max: 256 });

export function pgPlaceholders(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, out);
  }
  return out;
}

/** One statement on a pooled connection; the SQL of this module's callers has `?` only as placeholders. */
async function run(client: StoreClient, connection: unknown, sql: string, bindings: readonly unknown[]): Promise<Array<Record<string, unknown>>> {
  if (client === 'postgres') return (await (connection as PgConnection).query(pgPlaceholders(sql), bindings)).rows;
  return runOn(connection, sql, bindings);
}

interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

interface SqliteConnection {
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
}

/**
 * One transaction of raw statements on one connection taken from knex's pool for the whole
 * transaction: on SQLite its only connection, so every other query waits for it as for a knex
 * transaction. The statements run on the driver directly — SQLite with its kept prepared
 * statements, PostgreSQL with numbered placeholders — without knex's per-statement machinery, which
 * cost more than the statements of an exchange-log batch themselves (on PostgreSQL, rewriting the
 * placeholders of a 30,000-value insert). Commits when `work` resolves, rolls back when it throws.
 */
export async function rawTransaction<T>(knex: Knex, client: StoreClient, work: (query: RawQuery) => Promise<T>): Promise<T> {
  const pool = knex.client as unknown as PoolClient;
  const connection = await pool.acquireConnection();
  const exec = async (sql: string): Promise<void> => {
    if (client === 'postgres') await (connection as PgConnection).query(sql);
    else (connection as SqliteConnection).exec(sql);
  };
  try {
    await exec('BEGIN');
    const result = await work((sql, bindings = []) => run(client, connection, sql, bindings));
    await exec('COMMIT');
    return result;
  } catch (e) {
    if (client === 'postgres') await exec('ROLLBACK').catch(() => undefined);
    else if ((connection as SqliteConnection).inTransaction) await exec('ROLLBACK');
    throw e;
  } finally {
    await pool.releaseConnection(connection);
  }
}
