import type { Knex } from 'knex';
import type { SigningIdentity } from '../pki/key-store.js';
import type { StoreClient } from '../store/store.js';
import { insertRows, queryOf, rawTransaction, type RawQuery } from '../store/raw-transaction.js';
import { BODIES_TABLE, CHECKPOINTS_TABLE, EXCHANGE_FIELDS, HEAD_TABLE, RECORDS_TABLE, SUBJECTS_TABLE, num } from './exchange-record.js';
import type { PreparedRecord } from './prepare-record.js';
import { recordHash } from './record-hash.js';
import { checkpointFromRow, checkpointToRow, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { completeLoggedClaims, type LoggedCompletion } from '../xroad/message-ids.js';

/** What writing to the chain needs: the database, the key that signs checkpoints, the clock. */
export interface ChainEnv {
  knex: Knex;
  client: StoreClient;
  signer: SigningIdentity;
  checkpointEvery: number;
  now: () => Date;
}

export interface ChainHead {
  seq: number;
  hash: string;
  bodiesPurgedThrough: number;
}

/**
 * Locks the chain head for this transaction and reads it. PostgreSQL: `SELECT … FOR UPDATE`, so
 * batches of several adapter processes queue on the row. SQLite: a no-op `UPDATE … RETURNING` as
 * the first statement takes the database write lock at once (a read first would risk SQLITE_BUSY
 * on the upgrade under WAL) and reads the head in the same statement.
 */
export async function lockHead(query: RawQuery, client: StoreClient): Promise<ChainHead> {
  const rows =
    client === 'postgres'
      ? await query(`select seq, hash, bodies_purged_through from ${HEAD_TABLE} where id = 1 for update`)
      : await query(`update ${HEAD_TABLE} set updated_at_ms = updated_at_ms where id = 1 returning seq, hash, bodies_purged_through`);
  const row = rows[0];
  if (!row) throw new Error('exchange_chain_head has no row: migrations incomplete');
  return { seq: num(row.seq), hash: String(row.hash), bodiesPurgedThrough: num(row.bodies_purged_through) };
}

export async function readHead(knex: Knex): Promise<ChainHead> {
  const row = await knex(HEAD_TABLE).where({ id: 1 }).first();
  if (!row) throw new Error('exchange_chain_head has no row: migrations incomplete');
  return { seq: num(row.seq), hash: String(row.hash), bodiesPurgedThrough: num(row.bodies_purged_through) };
}

const RECORD_INSERT_COLUMNS = ['seq', ...EXCHANGE_FIELDS.map((f) => f[1]), 'prev_hash', 'hash'];
const CHECKPOINT_COLUMNS = ['seq', 'hash', 'signed_at_ms', 'kind', 'algorithm', 'signature', 'certificate'] as const;

export interface BatchResult {
  seqs: number[];
  checkpoints: Checkpoint[];
  /** Message-id claims the batch was to complete, and how many it did (a claim taken over is not). */
  claims: { expected: number; completed: number };
}

/**
 * Appends a batch to the chain in one transaction: lock the head, number and hash the records,
 * insert metadata, bodies and subject index rows with multi-row INSERTs, sign the periodic
 * checkpoints the batch crosses, move the head, complete the reads' message-id claims. Either all
 * of it commits or none.
 */
export async function writeBatch(env: ChainEnv, batch: readonly PreparedRecord[]): Promise<BatchResult> {
  return rawTransaction(env.knex, env.client, async (query) => {
    const head = await lockHead(query, env.client);
    const now = env.now();
    const loggedAt = now.getTime();
    let prev = head.hash;
    let seq = head.seq;
    const records: unknown[][] = [];
    const bodies: unknown[][] = [];
    const subjects: unknown[][] = [];
    const checkpoints: Checkpoint[] = [];
    const seqs: number[] = [];
    const completions: LoggedCompletion[] = [];
    for (const p of batch) {
      seq += 1;
      const fields = { ...p.fields, loggedAt };
      const hash = recordHash(fields, prev);
      const row: unknown[] = [seq];
      for (const [field] of EXCHANGE_FIELDS) row.push(fields[field]);
      row.push(prev, hash);
      records.push(row);
      if (p.requestBody || p.responseBody) bodies.push([seq, p.requestBody, p.responseBody]);
      for (const s of p.subjects) subjects.push([s.kind, s.value, seq]);
      if (seq % env.checkpointEvery === 0) checkpoints.push(signCheckpoint(env.signer, seq, hash, now, 'periodic'));
      if (p.completion) completions.push({ ...p.completion, seq });
      seqs.push(seq);
      prev = hash;
    }
    await insertRows(query, RECORDS_TABLE, RECORD_INSERT_COLUMNS, records);
    await insertRows(query, BODIES_TABLE, ['seq', 'request', 'response'], bodies);
    await insertRows(query, SUBJECTS_TABLE, ['kind', 'value', 'seq'], subjects);
    await insertRows(
      query,
      CHECKPOINTS_TABLE,
      CHECKPOINT_COLUMNS,
      checkpoints.map((cp) => {
        const row = checkpointToRow(cp);
        return CHECKPOINT_COLUMNS.map((c) => row[c]);
      }),
    );
    await query(`update ${HEAD_TABLE} set seq = ?, hash = ?, updated_at_ms = ? where id = 1`, [seq, prev, loggedAt]);
    const completed = completions.length ? await completeLoggedClaims(query, env.client, completions, loggedAt) : 0;
    return { seqs, checkpoints, claims: { expected: completions.length, completed } };
  });
}

/** Signs the current head on demand, in one transaction with the head locked; an existing checkpoint at the head is returned as is. */
export async function checkpointHead(env: ChainEnv, kind: Checkpoint['kind']): Promise<Checkpoint | undefined> {
  return env.knex.transaction(async (trx) => {
    const head = await lockHead(queryOf(trx, env.client), env.client);
    if (head.seq === 0) return undefined;
    const existing = await trx(CHECKPOINTS_TABLE).where({ seq: head.seq }).first();
    if (existing) return checkpointFromRow(existing);
    const cp = signCheckpoint(env.signer, head.seq, head.hash, env.now(), kind);
    await trx(CHECKPOINTS_TABLE).insert(checkpointToRow(cp));
    return cp;
  });
}
