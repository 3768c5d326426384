import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { createLogger, silentLogger } from '../../../src/log/logger.js';
import { startBackgroundCheckpoints } from '../../../src/store/store.js';
import { BACKSTOP_PAGES, COMMIT_CHECKPOINT_PAGES, startWalCheckpointer, type CheckpointStats, type WalCheckpointer } from '../../../src/store/wal-checkpointer.js';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { lineSink } from '../../helpers/line-sink.js';

const autocheckpoint = async (store: TestStore): Promise<unknown> => Object.values(((await store.knex.raw('PRAGMA wal_autocheckpoint')) as Array<Record<string, unknown>>)[0])[0];

/** Rows in `t` of the database file alone, as a copy without its WAL shows them (null: no such table there yet). */
function rowsInMainFile(file: string): number | null {
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-copy-')), 'copy.sqlite');
  fs.copyFileSync(file, copy);
  const db = new Database(copy, { readonly: true });
  try {
    const table = db.prepare("select name from sqlite_master where name = 't'").get();
    return table ? (db.prepare('select count(*) as n from t').get() as { n: number }).n : null;
  } finally {
    db.close();
    fs.rmSync(path.dirname(copy), { recursive: true, force: true });
  }
}

async function until(what: string, check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the background WAL checkpointer (SQLite)', () => {
  let store: TestStore;
  let file: string;
  let checkpointer: WalCheckpointer | undefined;
  beforeEach(async () => {
    store = await freshStore('sqlite', { migrate: false });
    file = store.location;
    await store.knex.raw('create table t (id integer primary key, v text)');
  });
  afterEach(async () => {
    await checkpointer?.close();
    checkpointer = undefined;
    await store.dispose();
  });

  const write = async (rows: number) => {
    for (let i = 0; i < rows; i += 50) await store.knex('t').insert(Array.from({ length: 50 }, (_, j) => ({ v: `row ${i + j} `.repeat(20) })));
  };

  it('copies committed pages into the database file, which commits below the backstop do not', async () => {
    await write(500);
    // Without it, fewer pages than the commit checkpoint leave everything in the WAL.
    expect(rowsInMainFile(file)).to.equal(null);
    checkpointer = await startBackgroundCheckpoints(store, { ...store.storeConfig, checkpointIntervalMs: 20 }, silentLogger());
    expect(checkpointer).to.not.equal(undefined);
    expect(await autocheckpoint(store)).to.equal(BACKSTOP_PAGES);
    let stats: CheckpointStats | undefined;
    await until('a checkpoint of the whole WAL', async () => {
      stats = await checkpointer!.stats();
      return stats.runs > 0 && stats.walFrames > 0 && stats.walCheckpointed === stats.walFrames;
    });
    expect(rowsInMainFile(file)).to.equal(500);
    await write(500);
    await until('the next writes checkpointed', async () => rowsInMainFile(file) === 1000);
    expect((await checkpointer!.stats()).failures).to.equal(0);
  });

  it('stops on close, twice is harmless, and the store then closes as the last connection (its WAL removed)', async () => {
    checkpointer = await startBackgroundCheckpoints(store, { ...store.storeConfig, checkpointIntervalMs: 10 }, silentLogger());
    await write(100);
    await until('a run', async () => (await checkpointer!.stats()).runs > 0);
    await checkpointer!.close();
    await checkpointer!.close();
    const after = await checkpointer!.stats();
    expect(after.runs).to.be.greaterThan(0);
    expect(fs.existsSync(`${file}-wal`)).to.equal(true);
    await store.knex.destroy();
    expect(fs.existsSync(`${file}-wal`)).to.equal(false);
    expect(rowsInMainFile(file)).to.equal(100);
  });

  it('a file it cannot open is reported, and the store connection checkpoints in its commits again', async () => {
    const sink = lineSink();
    const logger = createLogger({ level: 'warn', stream: sink.stream });
    checkpointer = await startBackgroundCheckpoints(store, { ...store.storeConfig, sqliteFile: 'missing.sqlite', checkpointIntervalMs: 10 }, logger);
    await until('the fallback', async () => (await autocheckpoint(store)) === COMMIT_CHECKPOINT_PAGES);
    const stats = await checkpointer!.stats();
    expect(stats.failures).to.equal(1);
    expect(stats.lastError).to.match(/unable to open|not exist|no such file/i);
    await until('the warning', async () => sink.lines.some((l) => l.includes('SQLite checkpointer could not open the database')));
  });

  it('reports a failing checkpoint once and keeps trying', async () => {
    const sink = lineSink();
    const logger = createLogger({ level: 'warn', stream: sink.stream });
    const stopped: string[] = [];
    // A database in rollback-journal mode has no WAL: every checkpoint is a no-op, not an error;
    // a file that is not a database makes each run fail.
    const notDb = path.join(path.dirname(file), 'not-a-database.sqlite');
    fs.writeFileSync(notDb, 'this is not a SQLite database, only text long enough to be read as a header. '.repeat(20));
    checkpointer = startWalCheckpointer(notDb, 10, logger, () => stopped.push('stopped'));
    await until('two failed runs', async () => (await checkpointer!.stats()).failures >= 2);
    expect((await checkpointer!.stats()).lastError).to.match(/not a database/i);
    await until('the warning', async () => sink.lines.filter((l) => l.includes('SQLite background checkpoint failed')).length === 1);
    await checkpointer!.close();
    expect(stopped).to.deep.equal([]);
  });

  it('is not started in memory, on PostgreSQL, or when the interval is 0 or absent', async () => {
    const base = store.storeConfig;
    for (const cfg of [{ ...base, sqliteFile: ':memory:', checkpointIntervalMs: 10 }, { ...base, client: 'postgres' as const, checkpointIntervalMs: 10 }, { ...base, checkpointIntervalMs: 0 }, base]) {
      expect(await startBackgroundCheckpoints(store, cfg, silentLogger())).to.equal(undefined);
    }
    expect(await autocheckpoint(store)).to.equal(COMMIT_CHECKPOINT_PAGES);
  });
});
