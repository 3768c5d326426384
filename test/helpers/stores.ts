import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { knexConfig, migrationConfig, type Store, type StoreClient } from '../../src/store/store.js';
import type { Config } from '../../src/config/schema.js';

/** PostgreSQL used by the tests when it answers (CI starts it); DATABASE_URL_TEST overrides. */
export const TEST_PG_URL = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgAvailable: Promise<boolean> | undefined;

/** True when the test PostgreSQL answers; checked once per run. */
export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const k = knexFactory({ client: 'pg', connection: { connectionString: TEST_PG_URL, connectionTimeoutMillis: 2000 }, pool: { min: 0, max: 1 } });
    try {
      await k.raw('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await k.destroy();
    }
  })();
  return pgAvailable;
}

/** Runs one statement (creating or dropping a throwaway schema or database) on the server of `url`, on a connection of its own. */
async function onTestServer(sql: string, url = TEST_PG_URL): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(sql);
  } finally {
    await admin.destroy();
  }
}

export interface ScratchDatabase {
  name: string;
  /** URL of the new database on the admin URL's server. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A new, empty database `<prefix>_<random>` (so parallel runs never meet), dropped by `drop()`:
 * for a process of its own that takes a DATABASE_URL rather than a search_path.
 */
export async function createScratchDatabase(prefix: string, adminUrl = TEST_PG_URL): Promise<ScratchDatabase> {
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
  await onTestServer(`create database ${name}`, adminUrl);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => onTestServer(`drop database if exists ${name} with (force)`, adminUrl) };
}

export interface TestStore extends Store {
  /** Where the data lives: the SQLite file or the PostgreSQL schema. */
  location: string;
  /** Drops the schema / removes the file. */
  dispose(): Promise<void>;
  storeConfig: Config['store'];
}

/**
 * A fresh, migrated, isolated store: a temporary SQLite file, or a new PostgreSQL schema
 * (so that parallel test files never see each other's tables).
 */
export async function freshStore(client: StoreClient, opts: { migrate?: boolean } = {}): Promise<TestStore> {
  const id = crypto.randomBytes(6).toString('hex');
  let storeConfig: Config['store'];
  let kcfg: Knex.Config;
  let location: string;
  let cleanup: () => Promise<void>;
  if (client === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adapter-test-'));
    storeConfig = { client: 'sqlite', sqliteFile: 'test.sqlite', dataDir: dir, pool: { min: 0, max: 1 }, busyTimeoutMs: 5000 };
    kcfg = knexConfig(storeConfig);
    location = path.join(dir, 'test.sqlite');
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `t_${id}`;
    await onTestServer(`create schema ${schema}`);
    const url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
    storeConfig = { client: 'postgres', url, sqliteFile: 'unused', dataDir: '.', pool: { min: 0, max: 10 }, busyTimeoutMs: 5000 };
    kcfg = knexConfig(storeConfig);
    location = schema;
    cleanup = () => onTestServer(`drop schema if exists ${schema} cascade`);
  }
  const knex = knexFactory(kcfg);
  const store: TestStore = {
    knex,
    client,
    location,
    storeConfig,
    async ping() {
      await knex.raw('select 1');
    },
    async migrate() {
      const [, applied] = (await knex.migrate.latest(migrationConfig)) as [number, string[]];
      return { applied };
    },
    async close() {
      await knex.destroy();
    },
    async dispose() {
      await knex.destroy().catch(() => undefined);
      await cleanup();
    },
  };
  if (opts.migrate !== false) await store.migrate();
  return store;
}

/**
 * Declares the same suite once per available store: always SQLite, PostgreSQL when it answers.
 * Inside, `ctx.store` is a fresh migrated store for the suite.
 */
export function forEachStore(title: string, body: (ctx: { store: TestStore; client: StoreClient }) => void): void {
  for (const client of ['sqlite', 'postgres'] as const) {
    describe(`${title} [${client}]`, function () {
      const ctx = { client } as { store: TestStore; client: StoreClient };
      before(async function () {
        if (client === 'postgres' && !(await postgresAvailable())) {
          // PostgreSQL is optional on a developer machine; CI starts it. Say so instead of passing silently.
          console.warn(`      PostgreSQL not reachable at ${TEST_PG_URL.replace(/\/\/[^@]*@/, '//')}: ${title} runs on SQLite only`);
          this.skip();
        }
        ctx.store = await freshStore(client);
      });
      after(async () => {
        await ctx.store?.dispose();
      });
      body(ctx);
    });
  }
}
