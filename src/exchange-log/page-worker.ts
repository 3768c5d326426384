/**
 * A worker thread that builds verification pages (verify-pages.ts) from a SQLite file through a
 * read-only connection of its own. better-sqlite3 runs a statement in the thread that calls it, so
 * pages built on the main thread would leave the walk's hashing and the database's work on one
 * core; here the database works beside the walk.
 *
 * workerData: { filename, sql } — sql takes the first and last seq of a page and gives one row
 * with one column, `page`. Messages in: { id, from, to }, or { close: true } to end; out:
 * { id, page } (the page's bytes, or null for an empty range) or { id, error }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface PageWorkerData {
  filename: string;
  sql: string;
}
/** A page to build, or `close`: finish and end the thread (terminating one still loading can abort the process). */
export type PageRequest = { id: number; from: number; to: number; close?: undefined } | { close: true };
export type PageReply = { id: number; page: Uint8Array | string | null; error?: undefined } | { id: number; page?: undefined; error: string };

const { filename, sql } = workerData as PageWorkerData;
const port = parentPort;
if (!port) throw new Error('page-worker runs as a worker thread');

type PageStatement = Database.Statement<[number, number], { page: Uint8Array | string | null }>;

/** The statement, or why the file could not be opened (given as the answer to every request). */
function open(): PageStatement | string {
  try {
    const db = new Database(filename, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db.prepare<[number, number], { page: Uint8Array | string | null }>(sql);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
const statement = open();

port.on('message', (request: PageRequest) => {
  if (request.close) {
    if (typeof statement !== 'string') statement.database.close();
    port.close();
    return;
  }
  const { id, from, to } = request;
  let reply: PageReply;
  const transfer: ArrayBuffer[] = [];
  try {
    if (typeof statement === 'string') throw new Error(statement);
    const page = statement.get(from, to)?.page ?? null;
    // A buffer that owns its whole memory moves to the walk without a copy.
    if (page instanceof Uint8Array && page.byteOffset === 0 && page.byteLength === page.buffer.byteLength && page.buffer instanceof ArrayBuffer) transfer.push(page.buffer);
    reply = { id, page };
  } catch (e) {
    reply = { id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply, transfer);
});
