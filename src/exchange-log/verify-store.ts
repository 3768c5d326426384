import type { X509Certificate } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import type { StoreClient } from '../store/store.js';
import type { PageReply, PageRequest, PageWorkerData } from './page-worker.js';
import { queryOf, type RawQuery } from '../store/raw-transaction.js';
import { CHECKPOINTS_TABLE, RECORDS_TABLE, num } from './exchange-record.js';
import { GENESIS_HASH } from './record-hash.js';
import { BODIES_PAGE_SQL, bodiesBySeq, pageSql, parsePage } from './verify-pages.js';
import { checkpointFromRow, checkpointSignatureValid, type Checkpoint } from './checkpoint.js';
import { walkChain, type ChainBreak, type ChainLookup, type PreimageWalkItem, type WalkResult } from './walk-chain.js';
import { readHead } from './write-batch.js';

export interface VerifyOptions {
  /** First and last seq to check (inclusive); default the whole chain. */
  from?: number;
  to?: number;
  /** Rehash the stored bodies too (default true). */
  bodies?: boolean;
  /** Certificates whose keys may have signed checkpoints; default the adapter's own. */
  trusted?: readonly X509Certificate[];
  onProgress?: (walked: number, total: number) => void;
}

export interface VerifyReport {
  ok: boolean;
  /** The range asked for, clipped to the records present. */
  from: number;
  to: number;
  /** Records rehashed; may start before `from`, at the signed checkpoint the walk was anchored to. */
  checked: number;
  bodiesChecked: number;
  /** What the first walked record was anchored to: the chain's start, a signed checkpoint, or (exports only) nothing. */
  anchor: 'genesis' | 'checkpoint' | 'unanchored' | 'none';
  checkpointsVerified: number;
  lastVerifiedCheckpoint: number | null;
  /**
   * Records after the last verified checkpoint: they chain correctly but, until the next checkpoint
   * signs them, rest on the database alone (a forger able to rewrite the whole tail is caught only
   * by a later checkpoint or an earlier export).
   */
  unsignedTail: number;
  firstBreak?: ChainBreak;
  durationMs: number;
}

const PAGE = 5000;

/** Lookups over the stored chain; a full scan by hash, done only once a link is already broken. */
export function storeLookup(knex: Knex): ChainLookup {
  return {
    async seqOfHash(hash) {
      const row = await knex(RECORDS_TABLE).select('seq').where({ hash }).first();
      return row ? num(row.seq) : undefined;
    },
    async prevHashAt(seq) {
      const row = await knex(RECORDS_TABLE).select('prev_hash').where({ seq }).first();
      return row ? String(row.prev_hash) : undefined;
    },
  };
}

/** Where the walk's pages come from. */
interface PageSource {
  page(from: number, to: number): Promise<Uint8Array | string | null | undefined>;
  close(): Promise<void>;
}

/** Pages over the store's own connections: PostgreSQL builds them in its server processes, several at once over the pool; SQLite in the calling thread. */
function storePages(query: RawQuery, sql: string): PageSource {
  return {
    page: async (from, to) => (await query(sql, [from, to]))[0]?.page as Uint8Array | string | null | undefined,
    close: async () => undefined,
  };
}

const PAGE_WORKER = new URL(`./page-worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * Starts the page worker. Run from source (tsx), a worker thread does not inherit the TypeScript
 * loader on Node 20, so it registers the loader before it imports the worker module.
 */
function startPageWorker(workerData: PageWorkerData): Worker {
  if (!PAGE_WORKER.pathname.endsWith('.ts')) return new Worker(PAGE_WORKER, { workerData });
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(fileURLToPath(PAGE_WORKER))});`, { eval: true, workerData });
}

/**
 * Pages of a SQLite file, built by worker threads with read-only connections of their own (WAL
 * lets readers run beside the writer): better-sqlite3 runs a statement in the calling thread, so
 * on the store's connection the database and the hashing would share one core.
 */
function workerPages(filename: string, sql: string, workers: number): PageSource {
  type Pending = { resolve: (page: Uint8Array | string | null) => void; reject: (e: Error) => void };
  let nextId = 0;
  let turn = 0;
  const pool = Array.from({ length: workers }, () => {
    const worker = startPageWorker({ filename, sql });
    const pending = new Map<number, Pending>();
    let failed: Error | undefined;
    const failAll = (e: Error) => {
      failed ??= e;
      for (const p of pending.values()) p.reject(failed);
      pending.clear();
    };
    worker.on('message', (m: PageReply) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(`reading the exchange log failed: ${m.error}`));
      else p?.resolve(m.page);
    });
    worker.on('error', (e: unknown) => failAll(new Error(`reading the exchange log failed: ${e instanceof Error ? e.message : String(e)}`)));
    const exited = new Promise<void>((resolve) =>
      worker.once('exit', (code) => {
        failAll(new Error(`the exchange-log page reader stopped (exit code ${code})`));
        resolve();
      }),
    );
    return { worker, pending, exited, failed: () => failed };
  });
  return {
    page(from, to) {
      const w = pool[turn++ % pool.length];
      const failed = w.failed();
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        w.pending.set(id, { resolve, reject });
        w.worker.postMessage({ id, from, to } satisfies PageRequest);
      });
    },
    close: async () => {
      await Promise.all(
        pool.map(async (w) => {
          w.worker.postMessage({ close: true } satisfies PageRequest);
          await w.exited;
        }),
      );
    },
  };
}

/**
 * Worker threads building SQLite pages: one per core, up to four (on two cores, two workers beside
 * the hashing main thread measured faster than one: building a page costs the database ≈ 4 µs a
 * record, hashing it ≈ 1 µs).
 */
const sqlitePageWorkers = (): number => Math.max(1, Math.min(4, os.availableParallelism()));

/**
 * Up to this many pages (20,000 records) are read on the store's connection: starting a worker
 * costs more than it saves on a short walk (the console's verify of a recent range, say).
 */
const WORKERS_FROM_PAGES = 4;

/**
 * The records of [fromSeq, toSeq] in pages, each page one buffer the database builds with every
 * record's hashed bytes (verify-pages.ts): no row object per record.
 */
async function* storedItems(knex: Knex, client: StoreClient, fromSeq: number, toSeq: number, withBodies: boolean): AsyncGenerator<PreimageWalkItem[]> {
  const query = queryOf(knex, client);
  const serverUtf8 = client !== 'postgres' || String((await query(`select current_setting('server_encoding') as enc`))[0]?.enc).toUpperCase() === 'UTF8';
  const sql = pageSql(client, { serverUtf8 });
  const filename = (knex.client.config as { connection?: { filename?: string } }).connection?.filename;
  const file = client === 'sqlite' && filename && filename !== ':memory:' ? filename : undefined;
  const pages = Math.ceil((toSeq - fromSeq + 1) / PAGE);
  const workers = file && pages > WORKERS_FROM_PAGES ? Math.min(sqlitePageWorkers(), pages) : 0;
  const source = file && workers > 0 ? workerPages(file, sql, workers) : storePages(query, sql);
  // Disjoint seq ranges, not LIMIT pages, so pages can be fetched ahead; a gap just gives fewer records.
  // Bodies come from their own range query rather than a join: most records have none (metadata
  // mode, or purged), and the join would cost every record.
  const fetchPage = async (from: number): Promise<PreimageWalkItem[]> => {
    const to = Math.min(toSeq, from + PAGE - 1);
    const [page, bodyRows] = await Promise.all([source.page(from, to), withBodies ? query(BODIES_PAGE_SQL, [from, to]) : Promise.resolve([])]);
    return parsePage(page, withBodies ? bodiesBySeq(bodyRows) : undefined);
  };
  // Pages are fetched ahead while the current one is hashed: the database works on its own
  // threads (SQLite: the page workers) or processes (PostgreSQL: several pages at once over the
  // pool) while the walk hashes on the main thread.
  const ahead = client === 'postgres' ? 3 : workers + 1;
  const queue: Array<Promise<PreimageWalkItem[]>> = [];
  let nextFrom = fromSeq;
  const refill = () => {
    while (queue.length < ahead && nextFrom <= toSeq) {
      const page = fetchPage(nextFrom);
      // A page fetched ahead of a walk that stops at a break is never awaited: its failure is not unhandled.
      page.catch(() => undefined);
      queue.push(page);
      nextFrom += PAGE;
    }
  };
  try {
    refill();
    while (queue.length) {
      const items = (await queue.shift()) as PreimageWalkItem[];
      refill();
      yield items;
    }
  } finally {
    await source.close();
  }
}

async function loadCheckpoints(knex: Knex, fromSeq: number, toSeq: number): Promise<Checkpoint[]> {
  const rows = await knex(CHECKPOINTS_TABLE).where('seq', '>=', fromSeq).andWhere('seq', '<=', toSeq).orderBy('seq');
  return rows.map(checkpointFromRow);
}

function report(base: Omit<VerifyReport, 'ok' | 'durationMs' | 'unsignedTail'>, t0: number): VerifyReport {
  const end = base.firstBreak ? base.firstBreak.seq - 1 : base.to;
  const signedThrough = base.lastVerifiedCheckpoint ?? base.from - 1;
  return { ok: !base.firstBreak, ...base, unsignedTail: Math.max(0, end - signedThrough), durationMs: Date.now() - t0 };
}

/**
 * Verifies the stored chain over [from, to]. The walk starts at a trusted point: the genesis
 * (seq 1), or the latest checkpoint before `from` whose signature verifies (retention leaves one
 * just before the first remaining record). When the walk reaches the newest record it also checks
 * the chain head the writers keep: records beyond it are forged, a head beyond them means the
 * tail was deleted.
 */
export async function verifyStore(knex: Knex, client: StoreClient, trustedDefault: readonly X509Certificate[], opts: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = Date.now();
  const trusted = opts.trusted ?? trustedDefault;
  const withBodies = opts.bodies ?? true;
  const bounds = await knex(RECORDS_TABLE).min('seq as lo').max('seq as hi').first();
  const head0 = await readHead(knex);
  const minSeq = bounds?.lo === null || bounds?.lo === undefined ? undefined : num(bounds.lo);
  const maxSeq = bounds?.hi === null || bounds?.hi === undefined ? undefined : num(bounds.hi);
  const base = { checked: 0, bodiesChecked: 0, checkpointsVerified: 0, lastVerifiedCheckpoint: null as number | null };

  if (minSeq === undefined || maxSeq === undefined) {
    // Empty table: a fresh chain, or retention purged everything and left its anchor at the head.
    if (head0.seq === 0) return report({ ...base, from: 0, to: 0, anchor: 'none' }, t0);
    const cp = await knex(CHECKPOINTS_TABLE).where({ seq: head0.seq }).first();
    const anchor = cp ? checkpointFromRow(cp) : undefined;
    if (anchor && anchor.hash === head0.hash && checkpointSignatureValid(anchor, trusted)) return report({ ...base, from: 0, to: 0, anchor: 'checkpoint', lastVerifiedCheckpoint: anchor.seq }, t0);
    return report({ ...base, from: 0, to: 0, anchor: 'none', firstBreak: { seq: 1, kind: 'deleted', detail: `every record is gone while the chain head is at ${head0.seq}, and no signed checkpoint anchors it` } }, t0);
  }

  const from = Math.max(opts.from ?? minSeq, minSeq);
  const to = Math.min(opts.to ?? maxSeq, maxSeq);
  if (from > to) return report({ ...base, from, to, anchor: 'none' }, t0);

  // Anchor: the latest valid checkpoint in [minSeq − 1, from], else the genesis. A checkpoint at
  // `from` itself anchors the walk there: the record's stored link is covered by its own hash,
  // which the checkpoint signs (the walk checks it).
  let startSeq = 1;
  let startPrev = GENESIS_HASH;
  let anchor: VerifyReport['anchor'] = 'genesis';
  let anchorBefore: number | null = null;
  const candidates = (await knex(CHECKPOINTS_TABLE).where('seq', '>=', minSeq - 1).andWhere('seq', '<=', from).orderBy('seq', 'desc').limit(50)).map(checkpointFromRow);
  const cp = candidates.find((c) => checkpointSignatureValid(c, trusted));
  if (cp && cp.seq === from) {
    startSeq = from;
    startPrev = (await storeLookup(knex).prevHashAt(from)) ?? GENESIS_HASH;
    anchor = 'checkpoint';
  } else if (cp) {
    startSeq = cp.seq + 1;
    startPrev = cp.hash;
    anchor = 'checkpoint';
    anchorBefore = cp.seq;
  } else if (minSeq > 1) {
    return report(
      { ...base, from, to, anchor: 'none', firstBreak: { seq: minSeq, kind: 'deleted', detail: `records before ${minSeq} are gone and no signed checkpoint anchors record ${minSeq}` } },
      t0,
    );
  }

  // Records beyond the head read at the start were not written by a writer (bounds were read
  // first, so honest appends made meanwhile leave the head at or beyond them): walk up to it only.
  const walkTo = Math.min(to, head0.seq);
  const total = walkTo - startSeq + 1;
  const walk: WalkResult = await walkChain({
    items: storedItems(knex, client, startSeq, walkTo, withBodies),
    startSeq,
    startPrev,
    checkpoints: await loadCheckpoints(knex, startSeq, walkTo),
    trusted,
    lookup: storeLookup(knex),
    bodiesPurgedThrough: head0.bodiesPurgedThrough,
    onProgress: opts.onProgress ? (n) => opts.onProgress?.(n, total) : undefined,
  });
  let firstBreak = walk.firstBreak;
  if (!firstBreak && walk.lastSeq < walkTo) {
    firstBreak = { seq: walk.lastSeq + 1, kind: 'deleted', detail: `records ${walk.lastSeq + 1}…${walkTo} are missing` };
  }
  if (!firstBreak && to > head0.seq) {
    firstBreak = { seq: head0.seq + 1, kind: 'forged', detail: `records ${head0.seq + 1}…${to} lie beyond the chain head the writers recorded` };
  }
  if (!firstBreak && to === maxSeq) firstBreak = await checkTail(knex, walk.lastSeq, walk.lastHash);
  return report(
    {
      from,
      to,
      checked: walk.walked,
      bodiesChecked: walk.bodiesChecked,
      anchor,
      checkpointsVerified: walk.checkpointsVerified + (anchorBefore === null ? 0 : 1),
      lastVerifiedCheckpoint: walk.lastVerifiedCheckpoint ?? anchorBefore,
      firstBreak,
    },
    t0,
  );
}

/**
 * The end of the chain against the head the writers keep in the same transaction as their
 * inserts. Read after the walk (max first, then head) so that honest appends made meanwhile
 * always leave head ≥ max.
 */
async function checkTail(knex: Knex, lastSeq: number, lastHash: string): Promise<ChainBreak | undefined> {
  const hi = await knex(RECORDS_TABLE).max('seq as hi').first();
  const maxNow = num(hi?.hi);
  const head = await readHead(knex);
  if (maxNow > head.seq) return { seq: head.seq + 1, kind: 'forged', detail: `records ${head.seq + 1}…${maxNow} lie beyond the chain head the writers recorded` };
  if (head.seq === lastSeq && head.hash !== lastHash) return { seq: lastSeq, kind: 'edited', detail: `record ${lastSeq} differs from the chain head the writers recorded` };
  if (head.seq > maxNow) return { seq: maxNow + 1, kind: 'deleted', detail: `records ${maxNow + 1}…${head.seq} are missing from the end of the chain` };
  const later = await knex(CHECKPOINTS_TABLE).where('seq', '>', maxNow).orderBy('seq').first();
  if (later) return { seq: maxNow + 1, kind: 'deleted', detail: `a checkpoint exists for seq ${num(later.seq)}, beyond the last record` };
  return undefined;
}
