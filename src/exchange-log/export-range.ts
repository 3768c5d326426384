import type { X509Certificate } from 'node:crypto';
import type { Knex } from 'knex';
import { CHECKPOINTS_TABLE, EXCHANGE_FIELDS, RECORDS_TABLE, RECORD_COLUMNS, num, recordFromRow, type ExchangeRecord } from './exchange-record.js';
import { GENESIS_HASH, HASH_VERSION, canonicalEncoding } from './record-hash.js';
import { checkpointFromRow, checkpointSignatureValid, type Checkpoint } from './checkpoint.js';
import { lastSeqLoggedBefore } from './purge-expired.js';
import { walkChain, type ChainLookup, type WalkItem } from './walk-chain.js';
import type { VerifyReport } from './verify-store.js';

export const EXPORT_FORMAT = 'tunduk-exchange-log-export/1';

/**
 * An export is a contiguous seq range, so that it can be verified as a chain on its own. Time
 * bounds select by when the log wrote the records (`loggedAt`, from inclusive, to exclusive).
 */
export interface ExportOptions {
  fromSeq?: number;
  toSeq?: number;
  from?: number;
  to?: number;
}

export interface ExportPlan {
  fromSeq: number;
  toSeq: number;
  count: number;
  /** Checkpoints in [fromSeq − 1, toSeq]: the one at fromSeq − 1 anchors the range. */
  checkpoints: Checkpoint[];
}

export async function planExport(knex: Knex, opts: ExportOptions): Promise<ExportPlan> {
  const b = await knex(RECORDS_TABLE).min('seq as lo').max('seq as hi').first();
  if (b?.lo === null || b?.lo === undefined) return { fromSeq: 1, toSeq: 0, count: 0, checkpoints: [] };
  let fromSeq = Math.max(num(b.lo), opts.fromSeq ?? 1);
  let toSeq = Math.min(num(b.hi), opts.toSeq ?? Number.MAX_SAFE_INTEGER);
  if (opts.from !== undefined) fromSeq = Math.max(fromSeq, ((await lastSeqLoggedBefore(knex, opts.from)) ?? 0) + 1);
  if (opts.to !== undefined) toSeq = Math.min(toSeq, (await lastSeqLoggedBefore(knex, opts.to)) ?? 0);
  if (fromSeq > toSeq) return { fromSeq, toSeq: fromSeq - 1, count: 0, checkpoints: [] };
  const c = await knex(RECORDS_TABLE).count('* as n').where('seq', '>=', fromSeq).andWhere('seq', '<=', toSeq).first();
  const cps = await knex(CHECKPOINTS_TABLE).where('seq', '>=', fromSeq - 1).andWhere('seq', '<=', toSeq).orderBy('seq');
  return { fromSeq, toSeq, count: num(c?.n ?? 0), checkpoints: cps.map(checkpointFromRow) };
}

/** The records of a plan in seq order, read in pages. */
export async function* exportRecords(knex: Knex, plan: ExportPlan, pageSize = 2000): AsyncGenerator<ExchangeRecord> {
  let next = plan.fromSeq;
  while (next <= plan.toSeq) {
    const rows = await knex(RECORDS_TABLE).select(RECORD_COLUMNS).where('seq', '>=', next).andWhere('seq', '<=', plan.toSeq).orderBy('seq').limit(pageSize);
    if (rows.length === 0) return;
    for (const row of rows) yield recordFromRow(row);
    next = num(rows[rows.length - 1].seq) + 1;
  }
}

type ExportLine =
  | { type: 'header'; format: string; hashVersion: string; fromSeq: number; toSeq: number; count: number; exportedAt: string; certificate: string }
  | ({ type: 'checkpoint' } & Checkpoint)
  | ({ type: 'record' } & ExchangeRecord)
  | { type: 'end'; count: number; lastSeq: number | null; lastHash: string | null };

/**
 * NDJSON: a header (range, count, the signing certificate), the checkpoints, the records, and an
 * end line (count and last hash): a file without its end line is incomplete.
 */
export async function* ndjsonLines(plan: ExportPlan, records: AsyncIterable<ExchangeRecord>, meta: { exportedAt: Date; certificate: string }): AsyncGenerator<string> {
  const line = (l: ExportLine) => `${JSON.stringify(l)}\n`;
  yield line({ type: 'header', format: EXPORT_FORMAT, hashVersion: HASH_VERSION, fromSeq: plan.fromSeq, toSeq: plan.toSeq, count: plan.count, exportedAt: meta.exportedAt.toISOString(), certificate: meta.certificate });
  for (const cp of plan.checkpoints) yield line({ type: 'checkpoint', ...cp });
  let count = 0;
  let last: ExchangeRecord | undefined;
  for await (const rec of records) {
    count += 1;
    last = rec;
    yield line({ type: 'record', ...rec });
  }
  yield line({ type: 'end', count, lastSeq: last?.seq ?? null, lastHash: last?.hash ?? null });
}

export const CSV_COLUMNS: readonly string[] = ['seq', ...EXCHANGE_FIELDS.map((f) => f[0]), 'prevHash', 'hash'];

/**
 * One CSV cell (RFC 4180). Text that a spreadsheet would run as a formula (= + - @ first) gets a
 * leading apostrophe: fault strings and ids come from outside callers.
 */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function* csvLines(records: AsyncIterable<ExchangeRecord>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for await (const rec of records) {
    const r = rec as unknown as Record<string, unknown>;
    yield `${CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\r\n`;
  }
}

/** Parsed export lines; `open` can be called again for the lookups a broken link needs. */
async function* parsedRecords(open: () => AsyncIterable<string>): AsyncGenerator<ExchangeRecord> {
  for await (const raw of open()) {
    if (!raw.trim()) continue;
    const l = JSON.parse(raw) as ExportLine;
    if (l.type === 'record') {
      const { type: _type, ...rec } = l;
      yield rec as ExchangeRecord;
    }
  }
}

function fileLookup(open: () => AsyncIterable<string>): ChainLookup {
  return {
    async seqOfHash(hash) {
      for await (const r of parsedRecords(open)) if (r.hash === hash) return r.seq;
      return undefined;
    },
    async prevHashAt(seq) {
      for await (const r of parsedRecords(open)) if (r.seq === seq) return r.prevHash;
      return undefined;
    },
  };
}

/**
 * Verifies an NDJSON export offline, trusting only the given certificates: every record is rehashed,
 * links are followed, the checkpoints in the file must be signed by a trusted key and match. The
 * range is anchored when it starts at the genesis or right after one of its checkpoints; a missing
 * end line means the file is truncated.
 */
export async function verifyExport(open: () => AsyncIterable<string>, trusted: readonly X509Certificate[]): Promise<VerifyReport> {
  const t0 = Date.now();
  let header: Extract<ExportLine, { type: 'header' }> | undefined;
  let end: Extract<ExportLine, { type: 'end' }> | undefined;
  const checkpoints: Checkpoint[] = [];
  let first: ExchangeRecord | undefined;
  for await (const raw of open()) {
    if (!raw.trim()) continue;
    const l = JSON.parse(raw) as ExportLine;
    if (l.type === 'header') header = l;
    else if (l.type === 'checkpoint') {
      const { type: _type, ...cp } = l;
      checkpoints.push(cp);
    } else if (l.type === 'record' && !first) {
      const { type: _type, ...rec } = l;
      first = rec as ExchangeRecord;
    } else if (l.type === 'end') end = l;
  }
  const from = header?.fromSeq ?? first?.seq ?? 0;
  const to = header?.toSeq ?? 0;
  const empty = { from, to, checked: 0, bodiesChecked: 0, checkpointsVerified: 0, lastVerifiedCheckpoint: null, unsignedTail: 0 };
  if (!header || header.format !== EXPORT_FORMAT) {
    return { ...empty, ok: false, anchor: 'none', firstBreak: { seq: from, kind: 'forged', detail: 'not an exchange-log export (header missing or of another format)' }, durationMs: Date.now() - t0 };
  }
  if (!first) return { ...empty, ok: !!end, anchor: 'none', firstBreak: end ? undefined : { seq: from, kind: 'deleted', detail: 'the export has no end line: it is truncated' }, durationMs: Date.now() - t0 };
  const startCp = checkpoints.find((c) => c.seq === first.seq - 1 && checkpointSignatureValid(c, trusted));
  const anchor: VerifyReport['anchor'] = first.seq === 1 && first.prevHash === GENESIS_HASH ? 'genesis' : startCp ? 'checkpoint' : 'unanchored';
  const startPrev = anchor === 'genesis' ? GENESIS_HASH : startCp ? startCp.hash : first.prevHash;
  const items = (async function* (): AsyncGenerator<WalkItem[]> {
    let page: WalkItem[] = [];
    for await (const rec of parsedRecords(open)) {
      page.push({ seq: rec.seq, prevHash: rec.prevHash, hash: rec.hash, canonical: canonicalEncoding(rec) });
      if (page.length === 1000) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
  })();
  const walk = await walkChain({ items, startSeq: first.seq, startPrev, checkpoints: checkpoints.filter((c) => c.seq >= first.seq), trusted, lookup: fileLookup(open) });
  let firstBreak = walk.firstBreak;
  if (!firstBreak && !end) firstBreak = { seq: walk.lastSeq + 1, kind: 'deleted', detail: 'the export has no end line: it is truncated' };
  if (!firstBreak && end && (end.count !== walk.walked || end.lastHash !== walk.lastHash)) firstBreak = { seq: walk.lastSeq, kind: 'edited', detail: 'the end line does not match the records of the export' };
  if (!firstBreak && walk.lastSeq < header.toSeq) firstBreak = { seq: walk.lastSeq + 1, kind: 'deleted', detail: `records ${walk.lastSeq + 1}…${header.toSeq} are missing from the export` };
  const lastVerified = walk.lastVerifiedCheckpoint ?? (startCp ? startCp.seq : null);
  const endSeq = firstBreak ? firstBreak.seq - 1 : walk.lastSeq;
  return {
    ok: !firstBreak,
    from,
    to,
    checked: walk.walked,
    bodiesChecked: 0,
    anchor,
    checkpointsVerified: walk.checkpointsVerified + (startCp ? 1 : 0),
    lastVerifiedCheckpoint: lastVerified,
    unsignedTail: Math.max(0, endSeq - (lastVerified ?? (anchor === 'genesis' ? 0 : first.seq - 1))),
    firstBreak,
    durationMs: Date.now() - t0,
  };
}
