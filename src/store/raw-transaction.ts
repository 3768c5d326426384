import type { Knex } from 'knex';
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

/**
 * A RawQuery for single statements outside a transaction. SQLite: run directly on knex's one
 * connection, taken from its pool for the statement (so it waits for a transaction in progress);
 * PostgreSQL: through knex.
 */
export function directQuery(knex: Knex, client: StoreClient): RawQuery {
  if (client === 'postgres') return queryOf(knex, client);
  return async (sql, bindings = []) => {
    const pool = knex.client as unknown as PoolClient;
    const connection = await pool.acquireConnection();
    try {
      return runOn(connection, sql, bindings);
    } finally {
      await pool.releaseConnection(connection);
    }
  };
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
 * One transaction of raw statements. PostgreSQL: a knex transaction. SQLite: knex's one connection
 * taken from its pool for the whole transaction (every other query waits for it, as for a knex
 * transaction) and its statements run on it directly, without knex's per-statement machinery, which
 * cost more than the statements of an exchange-log batch themselves. Commits when `work` resolves,
 * rolls back when it throws.
 */
export async function rawTransaction<T>(knex: Knex, client: StoreClient, work: (query: RawQuery) => Promise<T>): Promise<T> {
  if (client === 'postgres') return knex.transaction((trx) => work(queryOf(trx, client)));
  const pool = knex.client as unknown as PoolClient;
  const connection = await pool.acquireConnection();
  const db = connection as SqliteConnection;
  try {
    db.exec('BEGIN');
    const result = await work(async (sql, bindings = []) => runOn(connection, sql, bindings));
    db.exec('COMMIT');
    return result;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  } finally {
    await pool.releaseConnection(connection);
  }
}
