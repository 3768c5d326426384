import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import type { Config } from '../config/schema.js';
import { sqliteClient } from './sqlite-client.js';
import { BACKSTOP_PAGES, COMMIT_CHECKPOINT_PAGES, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';
import type { Logger } from '../log/logger.js';

export type StoreClient = 'sqlite' | 'postgres';

/** The store: one knex instance plus what the rest of the adapter needs to know about it. */
export interface Store {
  readonly knex: Knex;
  readonly client: StoreClient;
  /** Cheap round trip; rejects when the database does not answer. */
  ping(timeoutMs?: number): Promise<void>;
  migrate(): Promise<{ applied: string[] }>;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR = path.join(here, 'migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations are the files `NNNN_what.ts` in migrations/, one change each, run in order of name.
 * They are recorded without extension so that the compiled image (.js) and a source checkout (.ts)
 * agree on what has been applied.
 */
export class FolderMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    const files = fs.readdirSync(this.dir).filter((f) => /^\d{4}_[a-z0-9_]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'));
    const names = [...new Set(files.map((f) => f.replace(/\.(ts|js)$/, '')))];
    return names.sort();
  }

  getMigrationName(name: string): string {
    return name;
  }

  async getMigration(name: string): Promise<MigrationModule> {
    const file = ['.js', '.ts'].map((ext) => path.join(this.dir, name + ext)).find((f) => fs.existsSync(f));
    if (!file) throw new Error(`migration ${name} not found`);
    return (await import(pathToFileURL(file).href)) as MigrationModule;
  }
}

/** knex migration config shared by start-up, CLI and tests. Each migration runs in its own transaction. */
export const migrationConfig: Knex.MigratorConfig = {
  migrationSource: new FolderMigrationSource(MIGRATIONS_DIR),
  tableName: 'knex_migrations',
};

export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export function knexConfig(cfg: Config['store']): Knex.Config {
  if (cfg.client === 'postgres') {
    return {
      client: 'pg',
      connection: { connectionString: cfg.url, connectionTimeoutMillis: 5000 },
      pool: { min: cfg.pool.min, max: cfg.pool.max, acquireTimeoutMillis: 5000, propagateCreateError: true },
      acquireConnectionTimeout: 5000,
    };
  }
  const file = cfg.sqliteFile === ':memory:' ? ':memory:' : path.resolve(cfg.dataDir, cfg.sqliteFile);
  return {
    // better-sqlite3 runs a statement in the calling thread: no thread-pool round trip per
    // statement, a third of node-sqlite3's cost here. One connection serialises the statements anyway.
    client: sqliteClient,
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // One connection: SQLite serialises writers anyway; WAL lets readers of other processes go on.
      // Checkpoints every 250 WAL pages instead of 1000: the commit that crosses the mark copies the
      // pages back in the calling thread, and four smaller stalls cost the tail latency less than
      // one large one (signed reads, c=1 and c=8: p99 lower in 11 of 12 paired runs, CPU unchanged).
      // The adapter itself checkpoints from a thread instead (startBackgroundCheckpoints, below).
      // Temporary storage in memory: each exchange-log batch's multi-row INSERTs keep a statement
      // journal beyond the 64 KiB SQLite holds in memory, which was a temporary file created, written
      // (about 8 pages a record) and deleted per batch.
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        done(pragmas(conn, `PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${cfg.busyTimeoutMs}; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = ${COMMIT_CHECKPOINT_PAGES};`), conn);
      },
    },
  };
}

/** Whether a knex instance talks to SQLite (for migrations that differ by dialect). */
export const isSqlite = (knex: Knex): boolean => (knex.client as { driverName?: string }).driverName === 'better-sqlite3';

/** The part of a better-sqlite3 connection the pool set-up uses. */
export interface SqliteConnection {
  exec(sql: string): unknown;
}

/** Runs set-up statements on a new connection; the error, if any, for the pool's callback. */
export function pragmas(conn: SqliteConnection, sql: string): Error | null {
  try {
    conn.exec(sql);
    return null;
  } catch (e) {
    return e as Error;
  }
}

/** Opens the store and proves it answers; an unreachable database fails here with a one-line reason. */
export async function openStore(cfg: Config['store']): Promise<Store> {
  if (cfg.client === 'sqlite' && cfg.sqliteFile !== ':memory:') fs.mkdirSync(path.resolve(cfg.dataDir), { recursive: true });
  const knex = knexFactory(knexConfig(cfg));
  const store: Store = {
    knex,
    client: cfg.client,
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          knex.raw('select 1'),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new StoreUnavailableError(`store did not answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async migrate() {
      const [, applied] = (await knex.migrate.latest(migrationConfig)) as [number, string[]];
      return { applied };
    },
    async close() {
      await knex.destroy();
    },
  };
  try {
    await store.ping(5000);
  } catch (e) {
    await knex.destroy().catch(() => undefined);
    const where = cfg.client === 'postgres' ? redactUrl(cfg.url ?? '') : path.resolve(cfg.dataDir, cfg.sqliteFile);
    throw new StoreUnavailableError(`store unreachable (${cfg.client} ${where}): ${(e as Error).message}`, { cause: e });
  }
  return store;
}

/**
 * Starts the background WAL checkpointer of a SQLite file store when `checkpointIntervalMs` asks for
 * it, and moves the store connection's own checkpoint out to BACKSTOP_PAGES; should the thread stop
 * or fail to open the file, back to every COMMIT_CHECKPOINT_PAGES pages. Undefined on PostgreSQL, in
 * memory, or when not asked for. Close it before the store.
 */
export async function startBackgroundCheckpoints(store: Store, cfg: Config['store'], logger: Logger): Promise<WalCheckpointer | undefined> {
  if (cfg.client !== 'sqlite' || cfg.sqliteFile === ':memory:' || !cfg.checkpointIntervalMs) return undefined;
  const setPages = (pages: number) => store.knex.raw(`PRAGMA wal_autocheckpoint = ${pages}`);
  // The backstop first, so that a thread failing at once always leaves the connection at 250.
  await setPages(BACKSTOP_PAGES);
  try {
    return startWalCheckpointer(path.resolve(cfg.dataDir, cfg.sqliteFile), cfg.checkpointIntervalMs, logger, () => {
      setPages(COMMIT_CHECKPOINT_PAGES).catch((e: unknown) => logger.warn('could not restore the SQLite checkpoint interval', { err: (e as Error).message }));
    });
  } catch (e) {
    await setPages(COMMIT_CHECKPOINT_PAGES);
    throw e;
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

/** True when the error means the database is gone (connection refused, pool timeout, closed). */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const e = err as { code?: string; name?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.name === 'KnexTimeoutError') return true;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003', 'SQLITE_CANTOPEN'].includes(e.code)) return true;
  return /Connection terminated|Client has encountered a connection error|Unable to acquire a connection|aborted/i.test(e.message ?? '');
}
