import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors/app-error.js';
import { BODIES_TABLE } from '../exchange-log/exchange-record.js';
import type { Store, StoreClient } from '../store/store.js';
import { directQuery, insertRows, MAX_BINDINGS, type RawQuery } from '../store/raw-transaction.js';

const TABLE = 'xroad_message_ids';
/** Values longer than their column (X-Road recommends a UUID for ids; the header allows 1024 characters) are stored by digest. */
const MAX_STORED_ID = 255;
const storedId = (messageId: string): string => (messageId.length <= MAX_STORED_ID ? messageId : `sha256:${crypto.createHash('sha256').update(messageId).digest('hex')}`);

export interface StoredResponse {
  status: number;
  contentType: string;
  body: Buffer;
  /** Set when the response is a fault, so that a replay is logged as the fault it is. */
  faultCode?: string;
  faultString?: string;
}

/** A claimed id as stored (long values by digest) with its owner token: what completes it in a log batch. */
export interface ClaimRef {
  client: string;
  messageId: string;
  token: string;
  /**
   * Set when the claim is held in memory only (a read on a store this process serves alone): the log
   * batch that logs the response inserts the row, already done, instead of completing a pending one.
   */
  insert?: { requestHash: string; createdAtMs: number };
}

/**
 * How a read's claim is kept until its response is logged. `upfront`: a pending row inserted before
 * the operation runs (what several processes sharing one store need). `log-batch`: in this process's
 * memory, the row written once, done, by the exchange log's batch (SQLite, which one process serves).
 */
export type ReadClaims = 'upfront' | 'log-batch';

/** What a claim found: a new id (run the operation, then complete or release) or a finished one (replay). */
export type Claim = { kind: 'new'; token: string; ref: ClaimRef } | { kind: 'replay'; response: StoredResponse };

export interface MessageIdOptions {
  retentionSeconds: number;
  waitForPendingMs: number;
  pendingTakeoverSeconds: number;
  /** Poll interval while waiting for another request with the same id. */
  pollMs?: number;
  /** Minimum time between two sweeps of expired rows. */
  purgeEveryMs?: number;
  /** Default: `log-batch` on SQLite, `upfront` on PostgreSQL. */
  readClaims?: ReadClaims;
}

/** A read's claim held in memory until the batch logging its response has committed (or failed). */
interface HeldClaim {
  requestHash: string;
  token: string;
  since: number;
  released: Promise<void>;
  release: () => void;
}

// Per store, not per MessageIds: every transport of the process sees the reads the others hold.
const heldByStore = new WeakMap<Store, Map<string, HeldClaim>>();
function heldClaims(store: Store): Map<string, HeldClaim> {
  let held = heldByStore.get(store);
  if (!held) {
    held = new Map();
    heldByStore.set(store, held);
  }
  return held;
}
const heldKey = (client: string, messageId: string): string => `${client}\n${messageId}`;

/** A new claim row as inserted. */
interface PendingRow {
  client: string;
  message_id: string;
  request_hash: string;
  state: 'pending';
  owner: string;
  created_at_ms: number;
  updated_at_ms: number;
}

interface QueuedClaim {
  row: PendingRow;
  resolve: (inserted: boolean) => void;
  reject: (e: unknown) => void;
}

const CLAIM_COLUMNS = ['client', 'message_id', 'request_hash', 'state', 'owner', 'created_at_ms', 'updated_at_ms'] as const;

interface Row {
  request_hash: string;
  state: string;
  owner: string;
  created_at_ms: number | string;
  updated_at_ms: number | string;
  response_status: number | null;
  response_type: string | null;
  response_body: Buffer | null;
  response_fault_code: string | null;
  response_fault_string: string | null;
  response_seq: number | string | null;
}

/**
 * `xrd:id` uniqueness per client (CONTRACT §3), shared by every adapter process on one store.
 *
 * Insert first: the primary key (client, message_id) decides which of two concurrent requests
 * runs the operation. The loser reads the row: another body → DUPLICATE_MESSAGE_ID; the same body
 * and a stored response → that response, the operation not run again; the same body still
 * pending → it polls up to `waitForPendingMs` for the response, then gets MESSAGE_IN_PROGRESS
 * (Server.*: retry later with the same id). A pending claim older than `pendingTakeoverSeconds`
 * belonged to a process that died; a retry takes it over. Rows expire after `retentionSeconds`;
 * an expired id counts as new.
 *
 * A read on SQLite (`readClaims: 'log-batch'`; one process serves the file) inserts nothing before
 * it runs: its claim is held in this process's memory, where a duplicate waits for it or is refused
 * as above, and the exchange log's batch that logs the response inserts the row, done, in the same
 * transaction. That saves the pending row's own commit and its second write at completion. It relies
 * on SQLite being served by one adapter process, whose memory then sees every claim in flight; on
 * PostgreSQL, which several processes share, reads claim up front like writes.
 */
export class MessageIds {
  private lastPurge = 0;
  private queued: QueuedClaim[] = [];
  private readonly query: RawQuery;
  /** Reads' claims held in memory (`log-batch`), by client and id; undefined when reads claim up front. */
  private readonly held: Map<string, HeldClaim> | undefined;
  /** Claims inserted (tried) and the statements that carried them. */
  readonly stats = { claims: 0, claimStatements: 0 };
  private readonly pollMs: number;
  private readonly purgeEveryMs: number;

  constructor(
    private readonly store: Store,
    private readonly opts: MessageIdOptions,
  ) {
    this.query = directQuery(store.knex, store.client);
    const readClaims = opts.readClaims ?? (store.client === 'sqlite' ? 'log-batch' : 'upfront');
    this.held = readClaims === 'log-batch' ? heldClaims(store) : undefined;
    this.pollMs = opts.pollMs ?? 50;
    this.purgeEveryMs = opts.purgeEveryMs ?? 60_000;
  }

  /**
   * @param now request time (retention is counted from it); liveness of pending claims and the wait
   *   use the wall clock, so a fixed test clock cannot make a running claim look abandoned.
   * @param kind a read's claim may be held in memory until its response is logged (`readClaims`).
   */
  async claim(rawClient: string, rawMessageId: string, requestHash: string, now: number = Date.now(), kind: 'read' | 'write' = 'write'): Promise<Claim> {
    const client = storedId(rawClient);
    const messageId = storedId(rawMessageId);
    this.maybePurge(now);
    const deadline = Date.now() + this.opts.waitForPendingMs;
    const key = heldKey(client, messageId);
    for (;;) {
      const token = crypto.randomUUID();
      const held = this.held?.get(key);
      if (held) {
        if (held.requestHash !== requestHash) throw new AppError('DUPLICATE_MESSAGE_ID');
        // Held longer than a pending row may be: its exchange never reached the log. Take it over.
        if (held.since < Date.now() - this.opts.pendingTakeoverSeconds * 1000) this.dropHeld(key, held.token);
        else await this.waitFor(held, deadline);
        continue;
      }
      let row: Row | undefined;
      if (kind === 'read' && this.held) {
        // Held before the lookup, so that a duplicate arriving meanwhile waits for this one.
        this.hold(key, requestHash, token);
        try {
          row = await this.find(client, messageId);
        } catch (e) {
          this.dropHeld(key, token);
          throw e;
        }
        if (!row) return { kind: 'new', token, ref: { client, messageId, token, insert: { requestHash, createdAtMs: now } } };
        this.dropHeld(key, token);
      } else {
        if (await this.insertClaim({ client, message_id: messageId, request_hash: requestHash, state: 'pending', owner: token, created_at_ms: now, updated_at_ms: Date.now() })) {
          return { kind: 'new', token, ref: { client, messageId, token } };
        }
        row = await this.find(client, messageId);
        if (!row) continue; // expired and swept between our insert and read: try again
      }

      if (Number(row.created_at_ms) < now - this.opts.retentionSeconds * 1000) {
        await this.store.knex(TABLE).where({ client, message_id: messageId, owner: row.owner }).delete();
        continue;
      }
      if (row.request_hash !== requestHash) throw new AppError('DUPLICATE_MESSAGE_ID');
      if (row.state === 'done' && (row.response_body !== null || row.response_seq !== null)) {
        const body = row.response_body ?? (await this.loggedResponse(Number(row.response_seq)));
        if (body === null) {
          // Only a read's response lives in the log alone; once the log no longer holds it, the read runs again.
          await this.store.knex(TABLE).where({ client, message_id: messageId, owner: row.owner }).delete();
          continue;
        }
        const response: StoredResponse = { status: row.response_status ?? 200, contentType: row.response_type ?? 'application/octet-stream', body: Buffer.from(body) };
        if (row.response_fault_code !== null) response.faultCode = row.response_fault_code;
        if (row.response_fault_string !== null) response.faultString = row.response_fault_string;
        return { kind: 'replay', response };
      }
      if (Number(row.updated_at_ms) < Date.now() - this.opts.pendingTakeoverSeconds * 1000) {
        const taken = await this.store
          .knex(TABLE)
          .where({ client, message_id: messageId, owner: row.owner, state: 'pending' })
          .update({ owner: token, updated_at_ms: Date.now() });
        if (taken === 1) return { kind: 'new', token, ref: { client, messageId, token } };
        continue;
      }
      if (Date.now() >= deadline) throw new AppError('MESSAGE_IN_PROGRESS');
      await sleep(this.pollMs);
    }
  }

  /** The row of an id; on the store's connection directly, since every read looks first. */
  private async find(client: string, messageId: string): Promise<Row | undefined> {
    const rows = await this.query(`select * from ${TABLE} where client = ? and message_id = ?`, [client, messageId]);
    return rows[0] as unknown as Row | undefined;
  }

  private hold(key: string, requestHash: string, token: string): void {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held?.set(key, { requestHash, token, since: Date.now(), released, release });
  }

  /** Lets go of a held claim if `token` still owns it; whoever waits for it looks again. */
  private dropHeld(key: string, token: string): boolean {
    const held = this.held?.get(key);
    if (!held || held.token !== token) return false;
    this.held?.delete(key);
    held.release();
    return true;
  }

  /** Waits until a held claim is let go of, or MESSAGE_IN_PROGRESS at the deadline. */
  private async waitFor(held: HeldClaim, deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new AppError('MESSAGE_IN_PROGRESS');
    const timer = new AbortController();
    try {
      await Promise.race([held.released, sleep(left, undefined, { signal: timer.signal })]);
    } finally {
      timer.abort();
    }
  }

  /** The batch that logged a held claim's response has committed: the row is there now. */
  logged(ref: ClaimRef): void {
    if (ref.insert) this.dropHeld(heldKey(ref.client, ref.messageId), ref.token);
  }

  /**
   * Inserts a pending claim unless its (client, id) exists; true when this row went in. The claims
   * of requests that arrive together share one multi-row statement (one commit instead of one
   * each): queued now, written once the current turn of the event loop has read its requests.
   */
  private insertClaim(row: PendingRow): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queued.push({ row, resolve, reject });
      if (this.queued.length === 1) setImmediate(() => this.flushClaims());
    });
  }

  private flushClaims(): void {
    const batch = this.queued;
    this.queued = [];
    this.stats.claims += batch.length;
    // ON CONFLICT DO NOTHING also settles two rows of one statement with the same key: the first wins.
    insertRows(this.query, TABLE, CLAIM_COLUMNS, batch.map(({ row: r }) => CLAIM_COLUMNS.map((c) => r[c])), 'on conflict (client, message_id) do nothing returning owner').then(
      ({ returned, statements }) => {
        this.stats.claimStatements += statements;
        const won = new Set(returned.map((r) => r.owner));
        for (const c of batch) c.resolve(won.has(c.row.owner));
      },
      (e: unknown) => {
        for (const c of batch) c.reject(e);
      },
    );
  }

  /** Stores the response of a claimed id; false when the claim was lost (taken over after a stall). */
  async complete(rawClient: string, rawMessageId: string, token: string, response: StoredResponse): Promise<boolean> {
    const client = storedId(rawClient);
    const messageId = storedId(rawMessageId);
    const n = await this.store
      .knex(TABLE)
      .where({ client, message_id: messageId, owner: token, state: 'pending' })
      .update({
        state: 'done',
        updated_at_ms: Date.now(),
        response_status: response.status,
        response_type: response.contentType,
        response_body: response.body,
        response_fault_code: response.faultCode ?? null,
        response_fault_string: response.faultString?.slice(0, 512) ?? null,
      });
    return n === 1;
  }

  private async loggedResponse(seq: number): Promise<Buffer | null> {
    const row = (await this.store.knex(BODIES_TABLE).select('response').where({ seq }).first()) as { response: Buffer | null } | undefined;
    return row?.response ?? null;
  }

  /** Gives up a claim whose outcome must not be replayed (a transient Server.* fault): the id may be retried. */
  async release(rawClient: string, rawMessageId: string, token: string): Promise<void> {
    await this.releaseRef({ client: storedId(rawClient), messageId: storedId(rawMessageId), token });
  }

  /** release() for a claim as the claim returned it. */
  async releaseRef(ref: ClaimRef): Promise<void> {
    if (this.dropHeld(heldKey(ref.client, ref.messageId), ref.token)) return;
    await this.store.knex(TABLE).where({ client: ref.client, message_id: ref.messageId, owner: ref.token, state: 'pending' }).delete();
  }

  /** Deletes rows past retention; returns how many. */
  async purgeExpired(now: number = Date.now()): Promise<number> {
    this.lastPurge = now;
    return this.store
      .knex(TABLE)
      .where('created_at_ms', '<', now - this.opts.retentionSeconds * 1000)
      .delete();
  }

  /** Sweeps at most once per `purgeEveryMs`, in the background; a failed sweep is retried next time. */
  private maybePurge(now: number): void {
    if (now - this.lastPurge < this.purgeEveryMs) return;
    this.lastPurge = now;
    this.purgeExpired(now).catch(() => {
      this.lastPurge = 0;
    });
  }
}

/** A read's claim completed by the exchange-log batch that logs its response. */
export interface LoggedCompletion {
  ref: ClaimRef;
  seq: number;
  status: number;
  contentType: string;
  faultCode: string | null;
  faultString: string | null;
  /** The response bytes when the log does not keep them (metadata-only logging); else null. */
  body: Buffer | null;
}

const COMPLETION_COLUMNS = 9;
// One binding more per statement: the completion time.
const MAX_COMPLETIONS_PER_STATEMENT = Math.floor((MAX_BINDINGS - 1) / COMPLETION_COLUMNS);
const DONE_COLUMNS = [...CLAIM_COLUMNS, 'response_seq', 'response_status', 'response_type', 'response_fault_code', 'response_fault_string', 'response_body'] as const;

/**
 * Completes reads' claims inside the exchange log's batch transaction; the row points at the
 * record holding the response (`response_seq`), so the bytes are written once. A pending claim is
 * marked done by one multi-row `UPDATE … FROM (VALUES …)` per batch, unless it was taken over
 * meanwhile (its owner changed). A claim held in memory is inserted, done, by one multi-row INSERT;
 * a row already there for its id keeps it. Returns how many claims were completed.
 */
export async function completeLoggedClaims(query: RawQuery, client: StoreClient, completions: readonly LoggedCompletion[], nowMs: number): Promise<number> {
  const inserts: unknown[][] = [];
  const updates: LoggedCompletion[] = [];
  for (const c of completions) {
    if (!c.ref.insert) {
      updates.push(c);
      continue;
    }
    const row: Record<(typeof DONE_COLUMNS)[number], unknown> = {
      client: c.ref.client,
      message_id: c.ref.messageId,
      request_hash: c.ref.insert.requestHash,
      state: 'done',
      owner: c.ref.token,
      created_at_ms: c.ref.insert.createdAtMs,
      updated_at_ms: nowMs,
      response_seq: c.seq,
      response_status: c.status,
      response_type: c.contentType,
      response_fault_code: c.faultCode,
      response_fault_string: c.faultString?.slice(0, 512) ?? null,
      response_body: c.body,
    };
    inserts.push(DONE_COLUMNS.map((k) => row[k]));
  }
  let done = inserts.length ? (await insertRows(query, TABLE, DONE_COLUMNS, inserts, 'on conflict (client, message_id) do nothing returning owner')).returned.length : 0;
  // PostgreSQL types a VALUES column from its values; unknown parameters need their type named.
  const tuple = client === 'postgres' ? '(?, ?, ?, cast(? as bigint), cast(? as integer), ?, ?, ?, cast(? as bytea))' : '(?, ?, ?, ?, ?, ?, ?, ?, ?)';
  for (let i = 0; i < updates.length; i += MAX_COMPLETIONS_PER_STATEMENT) {
    const chunk = updates.slice(i, i + MAX_COMPLETIONS_PER_STATEMENT);
    const sql =
      `update ${TABLE} set state = 'done', updated_at_ms = ?, response_seq = v.column4, response_status = v.column5, response_type = v.column6, ` +
      `response_fault_code = v.column7, response_fault_string = v.column8, response_body = v.column9 from (values ${chunk.map(() => tuple).join(', ')}) as v ` +
      `where ${TABLE}.client = v.column1 and ${TABLE}.message_id = v.column2 and ${TABLE}.owner = v.column3 and ${TABLE}.state = 'pending' returning owner`;
    const bindings: unknown[] = [nowMs];
    for (const c of chunk) bindings.push(c.ref.client, c.ref.messageId, c.ref.token, c.seq, c.status, c.contentType, c.faultCode, c.faultString?.slice(0, 512) ?? null, c.body);
    done += (await query(sql, bindings)).length;
  }
  return done;
}
