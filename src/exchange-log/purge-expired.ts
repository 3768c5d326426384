import type { Knex } from 'knex';
import { BODIES_TABLE, BODY_READS_TABLE, CHECKPOINTS_TABLE, HEAD_TABLE, RECORDS_TABLE, SUBJECTS_TABLE, num } from './exchange-record.js';
import { checkpointFromRow, checkpointToRow, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { lockHead, type ChainEnv } from './write-batch.js';
import { queryOf } from '../store/raw-transaction.js';
import type { ChainBreak } from './walk-chain.js';
import type { VerifyOptions, VerifyReport } from './verify-store.js';

const DAY_MS = 86_400_000;
// Seqs per purge transaction, so that writers (SQLite: one write lock) are never held up for long.
const CHUNK = 10_000;

export interface PurgeOptions {
  now: Date;
  bodyRetentionDays: number;
  metadataRetentionDays: number;
}

export interface PurgeReport {
  /** Bodies of records at or below this seq are gone (0 = none ever purged). */
  bodiesPurgedThrough: number;
  bodiesPurged: number;
  recordsPurged: number;
  /** First remaining record; the anchor checkpoint signs the one just before it. */
  firstSeq: number | null;
  anchor?: Checkpoint;
  /** Set when metadata purge was refused because the chain up to the cut does not verify. */
  refused?: ChainBreak;
}

/**
 * Records are appended in seq order with the writer's clock, so `logged_at` grows with seq: the last
 * seq logged before a time is found by binary search over the primary key, with no index on time.
 */
export async function lastSeqLoggedBefore(knex: Knex, timeMs: number): Promise<number | undefined> {
  const b = await knex(RECORDS_TABLE).min('seq as lo').max('seq as hi').first();
  if (b?.lo === null || b?.lo === undefined) return undefined;
  let lo = num(b.lo);
  let hi = num(b.hi);
  let found: number | undefined;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    // The nearest record at or after mid (seqs are contiguous, but a gap must not derail the search).
    const row = await knex(RECORDS_TABLE).select('seq', 'logged_at').where('seq', '>=', mid).orderBy('seq').first();
    if (!row || num(row.seq) > hi) {
      hi = mid - 1;
      continue;
    }
    if (num(row.logged_at) < timeMs) {
      found = num(row.seq);
      lo = num(row.seq) + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

async function anchorAt(env: ChainEnv, trx: Knex.Transaction, seq: number): Promise<Checkpoint> {
  const existing = await trx(CHECKPOINTS_TABLE).where({ seq }).first();
  if (existing) return checkpointFromRow(existing);
  const row = await trx(RECORDS_TABLE).select('hash').where({ seq }).first();
  if (!row) throw new Error(`record ${seq} vanished during purge`);
  const cp = signCheckpoint(env.signer, seq, String(row.hash), env.now(), 'anchor');
  await trx(CHECKPOINTS_TABLE).insert(checkpointToRow(cp));
  return cp;
}

/**
 * Retention (CONTRACT §7: expiry never breaks the chain).
 * Bodies older than `bodyRetentionDays` are deleted; the records keep their digests, and the head's
 * `bodies_purged_through` tells verification those bodies are gone by design.
 * Records older than `metadataRetentionDays` are deleted from the oldest up, in chunks; before each
 * chunk goes, a signed 'anchor' checkpoint is written at its last seq, so that after every commit,
 * even an interrupted purge, the first remaining record is anchored. Metadata is only purged over a
 * chain that verifies: signing an anchor over tampered records would launder them.
 */
export async function purgeExpired(env: ChainEnv, opts: PurgeOptions, verify: (o: VerifyOptions) => Promise<VerifyReport>): Promise<PurgeReport> {
  const knex = env.knex;
  const out: PurgeReport = { bodiesPurgedThrough: 0, bodiesPurged: 0, recordsPurged: 0, firstSeq: null };

  const bodyCut = await lastSeqLoggedBefore(knex, opts.now.getTime() - opts.bodyRetentionDays * DAY_MS);
  const head0 = await knex(HEAD_TABLE).where({ id: 1 }).first();
  out.bodiesPurgedThrough = num(head0?.bodies_purged_through ?? 0);
  if (bodyCut !== undefined && bodyCut > out.bodiesPurgedThrough) {
    for (let lo = out.bodiesPurgedThrough + 1; lo <= bodyCut; lo += CHUNK) {
      const hi = Math.min(bodyCut, lo + CHUNK - 1);
      out.bodiesPurged += await knex.transaction(async (trx) => {
        await lockHead(queryOf(trx, env.client), env.client);
        const n = await trx(BODIES_TABLE).where('seq', '>=', lo).andWhere('seq', '<=', hi).delete();
        await trx(HEAD_TABLE).where({ id: 1 }).update({ bodies_purged_through: hi });
        return n;
      });
      out.bodiesPurgedThrough = hi;
    }
  }

  const metaCut = await lastSeqLoggedBefore(knex, opts.now.getTime() - opts.metadataRetentionDays * DAY_MS);
  const lo0 = await knex(RECORDS_TABLE).min('seq as lo').first();
  const firstSeq = lo0?.lo === null || lo0?.lo === undefined ? undefined : num(lo0.lo);
  if (metaCut !== undefined && firstSeq !== undefined && metaCut >= firstSeq) {
    const check = await verify({ from: firstSeq, to: metaCut, bodies: false });
    if (!check.ok) {
      out.refused = check.firstBreak;
    } else {
      for (let lo = firstSeq; lo <= metaCut; lo += CHUNK) {
        const hi = Math.min(metaCut, lo + CHUNK - 1);
        const { n, anchor } = await knex.transaction(async (trx) => {
          await lockHead(queryOf(trx, env.client), env.client);
          const cp = await anchorAt(env, trx, hi);
          const deleted = await trx(RECORDS_TABLE).where('seq', '>=', lo).andWhere('seq', '<=', hi).delete();
          await trx(BODIES_TABLE).where('seq', '>=', lo).andWhere('seq', '<=', hi).delete();
          await trx(SUBJECTS_TABLE).where('seq', '>=', lo).andWhere('seq', '<=', hi).delete();
          await trx(CHECKPOINTS_TABLE).where('seq', '<', hi).delete();
          return { n: deleted, anchor: cp };
        });
        out.recordsPurged += n;
        out.anchor = anchor;
      }
      await knex(BODY_READS_TABLE).where('read_at_ms', '<', opts.now.getTime() - opts.metadataRetentionDays * DAY_MS).delete();
    }
  }
  const lo1 = await knex(RECORDS_TABLE).min('seq as lo').first();
  out.firstSeq = lo1?.lo === null || lo1?.lo === undefined ? null : num(lo1.lo);
  return out;
}
