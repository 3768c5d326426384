import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.js';

/**
 * WAL pages after which the serving connection still checkpoints in its own commit when the
 * background checkpointer is running: a safety net should the thread fall behind or stop (several
 * times what it copies per run at full load), not the normal path.
 */
export const BACKSTOP_PAGES = 4000;
/** The serving connection's checkpoint interval when nothing checkpoints in the background. */
export const COMMIT_CHECKPOINT_PAGES = 250;

/** What the checkpointer thread has done since it started. */
export interface CheckpointStats {
  /** Checkpoints run. */
  runs: number;
  /** At the last run: frames in the WAL, and how many of them are in the database file. */
  walFrames: number;
  walCheckpointed: number;
  /** Runs that failed (a busy database, an I/O error); the next run tries again. */
  failures: number;
  lastError?: string;
}

export interface WalCheckpointer {
  stats(): Promise<CheckpointStats>;
  /** Stops the thread after its current run and closes its connection. Safe to call twice. */
  close(): Promise<void>;
}

// Plain JavaScript run as a worker thread: no TypeScript loader to start, and nothing to build.
// Messages in: 'stats' (answered with the stats), 'close'. Out: { stats }, { error } on open failure,
// { failed } at the first failed checkpoint.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const message = (e) => (e && e.message ? e.message : String(e));

function serve(db) {
  const stats = { runs: 0, walFrames: 0, walCheckpointed: 0, failures: 0 };
  const timer = setInterval(() => {
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)');
      stats.runs += 1;
      stats.walFrames = row.log;
      stats.walCheckpointed = row.checkpointed;
    } catch (e) {
      stats.failures += 1;
      stats.lastError = message(e);
      // The first failure is told at once; later ones are counted (stats, /metrics).
      if (stats.failures === 1) parentPort.postMessage({ failed: { err: stats.lastError } });
    }
  }, workerData.intervalMs);
  parentPort.on('message', (m) => {
    if (m === 'stats') parentPort.postMessage({ stats });
    if (m === 'close') {
      clearInterval(timer);
      db.close();
      parentPort.close();
    }
  });
}

try {
  const db = new Database(workerData.filename, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  serve(db);
} catch (e) {
  parentPort.postMessage({ error: message(e) });
  parentPort.close();
}
`;

/**
 * Copies a SQLite file's WAL back into the database from a thread of its own, every `intervalMs`
 * (a PASSIVE checkpoint: it waits for nobody and leaves what readers still use). The serving
 * connection then commits without the copy that every 250th page would otherwise cost the commit
 * crossing it — the event loop's longest database stalls — and a page rewritten by many commits
 * within an interval is copied once. Its failures are counted, not thrown: the serving connection's
 * own checkpoint at BACKSTOP_PAGES keeps the WAL bounded whatever happens here. `onStopped` is
 * called when the thread ends other than by `close` (it could not open the file, or it failed).
 */
export function startWalCheckpointer(filename: string, intervalMs: number, logger: Logger, onStopped: () => void = () => undefined): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { filename, intervalMs, driver } });
  const waiting: Array<(s: CheckpointStats) => void> = [];
  let last: CheckpointStats = { runs: 0, walFrames: 0, walCheckpointed: 0, failures: 0 };
  let exited = false;
  let closing = false;
  worker.on('message', (m: { stats?: CheckpointStats; error?: string; failed?: { err: string } }) => {
    if (m.error !== undefined) {
      last = { ...last, failures: last.failures + 1, lastError: m.error };
      logger.warn('SQLite checkpointer could not open the database; commits checkpoint the WAL themselves', { err: m.error });
    }
    if (m.failed) logger.warn('SQLite background checkpoint failed; it is retried every interval', { err: m.failed.err });
    if (m.stats) {
      last = m.stats;
      for (const resolve of waiting.splice(0)) resolve(last);
    }
  });
  worker.on('error', (e) => {
    last = { ...last, failures: last.failures + 1, lastError: e.message };
    logger.warn('SQLite checkpointer stopped; commits checkpoint the WAL themselves', { err: e.message });
  });
  const done = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      if (!closing) onStopped();
      for (const r of waiting.splice(0)) r(last);
      resolve();
    }),
  );
  // The thread alone never keeps the process alive.
  worker.unref();
  return {
    stats() {
      if (exited) return Promise.resolve(last);
      return new Promise((resolve) => {
        waiting.push(resolve);
        worker.postMessage('stats');
      });
    },
    async close() {
      closing = true;
      if (!exited) worker.postMessage('close');
      await done;
    },
  };
}
