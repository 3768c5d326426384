import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors/app-error.js';
import type { Store } from '../store/store.js';

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

/** What a claim found: a new id (run the operation, then complete or release) or a finished one (replay). */
export type Claim = { kind: 'new'; token: string } | { kind: 'replay'; response: StoredResponse };

export interface MessageIdOptions {
  retentionSeconds: number;
  waitForPendingMs: number;
  pendingTakeoverSeconds: number;
  /** Poll interval while waiting for another request with the same id. */
  pollMs?: number;
  /** Minimum time between two sweeps of expired rows. */
  purgeEveryMs?: number;
}

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
 */
export class MessageIds {
  private lastPurge = 0;
  private readonly pollMs: number;
  private readonly purgeEveryMs: number;

  constructor(
    private readonly store: Store,
    private readonly opts: MessageIdOptions,
  ) {
    this.pollMs = opts.pollMs ?? 50;
    this.purgeEveryMs = opts.purgeEveryMs ?? 60_000;
  }

  /**
   * @param now request time (retention is counted from it); liveness of pending claims and the wait
   *   use the wall clock, so a fixed test clock cannot make a running claim look abandoned.
   */
  async claim(rawClient: string, rawMessageId: string, requestHash: string, now: number = Date.now()): Promise<Claim> {
    const client = storedId(rawClient);
    const messageId = storedId(rawMessageId);
    this.maybePurge(now);
    const deadline = Date.now() + this.opts.waitForPendingMs;
    for (;;) {
      const token = crypto.randomUUID();
      const inserted = await this.store
        .knex(TABLE)
        .insert({ client, message_id: messageId, request_hash: requestHash, state: 'pending', owner: token, created_at_ms: now, updated_at_ms: Date.now() })
        .onConflict(['client', 'message_id'])
        .ignore()
        .returning(['owner']);
      if (inserted.length === 1) return { kind: 'new', token };

      const row = (await this.store.knex(TABLE).where({ client, message_id: messageId }).first()) as Row | undefined;
      if (!row) continue; // expired and swept between our insert and read: try again
      if (Number(row.created_at_ms) < now - this.opts.retentionSeconds * 1000) {
        await this.store.knex(TABLE).where({ client, message_id: messageId, owner: row.owner }).delete();
        continue;
      }
      if (row.request_hash !== requestHash) throw new AppError('DUPLICATE_MESSAGE_ID');
      if (row.state === 'done' && row.response_body !== null) {
        const response: StoredResponse = { status: row.response_status ?? 200, contentType: row.response_type ?? 'application/octet-stream', body: Buffer.from(row.response_body) };
        if (row.response_fault_code !== null) response.faultCode = row.response_fault_code;
        if (row.response_fault_string !== null) response.faultString = row.response_fault_string;
        return { kind: 'replay', response };
      }
      if (Number(row.updated_at_ms) < Date.now() - this.opts.pendingTakeoverSeconds * 1000) {
        const taken = await this.store
          .knex(TABLE)
          .where({ client, message_id: messageId, owner: row.owner, state: 'pending' })
          .update({ owner: token, updated_at_ms: Date.now() });
        if (taken === 1) return { kind: 'new', token };
        continue;
      }
      if (Date.now() >= deadline) throw new AppError('MESSAGE_IN_PROGRESS');
      await sleep(this.pollMs);
    }
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

  /** Gives up a claim whose outcome must not be replayed (a transient Server.* fault): the id may be retried. */
  async release(rawClient: string, rawMessageId: string, token: string): Promise<void> {
    const client = storedId(rawClient);
    const messageId = storedId(rawMessageId);
    await this.store.knex(TABLE).where({ client, message_id: messageId, owner: token, state: 'pending' }).delete();
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
