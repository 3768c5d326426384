import type { Knex } from 'knex';
import { AppError } from '../errors/app-error.js';
import { BODIES_TABLE, BODY_READS_TABLE, RECORDS_TABLE, RECORD_COLUMNS, SUBJECTS_TABLE, num, parseSubjects, recordFromRow, type ExchangeRecord, type Row } from './exchange-record.js';

/** Search filters (CONTRACT §6); times are ms since epoch on requestInTs, `from` inclusive, `to` exclusive. */
export interface SearchFilter {
  from?: number;
  to?: number;
  client?: string;
  service?: string;
  serviceCode?: string;
  messageId?: string;
  userId?: string;
  status?: 'ok' | 'fault';
  faultCode?: string;
  direction?: 'in' | 'out';
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

export type ExchangeSummary = Pick<
  ExchangeRecord,
  | 'seq'
  | 'direction'
  | 'transport'
  | 'requestInTs'
  | 'client'
  | 'service'
  | 'serviceCode'
  | 'messageId'
  | 'userId'
  | 'succeeded'
  | 'faultCode'
  | 'statusCode'
  | 'durationMs'
  | 'requestSize'
  | 'responseSize'
>;

const SUMMARY_COLUMNS: Array<[keyof ExchangeSummary, string]> = [
  ['seq', 'seq'],
  ['direction', 'direction'],
  ['transport', 'transport'],
  ['requestInTs', 'request_in_ts'],
  ['client', 'client'],
  ['service', 'service'],
  ['serviceCode', 'service_code'],
  ['messageId', 'message_id'],
  ['userId', 'user_id'],
  ['succeeded', 'succeeded'],
  ['faultCode', 'fault_code'],
  ['statusCode', 'status_code'],
  ['durationMs', 'duration_ms'],
  ['requestSize', 'request_size'],
  ['responseSize', 'response_size'],
];

const INT_SUMMARY = new Set(['seq', 'requestInTs', 'statusCode', 'durationMs', 'requestSize', 'responseSize']);

function summaryFromRow(row: Row): ExchangeSummary {
  const out: Record<string, unknown> = {};
  for (const [field, col] of SUMMARY_COLUMNS) {
    const v = row[col];
    if (field === 'succeeded') out[field] = v === true || v === 1;
    else if (INT_SUMMARY.has(field)) out[field] = num(v);
    else out[field] = v ?? null;
  }
  return out as ExchangeSummary;
}

const badCursor = () =>
  new AppError('VALIDATION_FAILED', {
    fields: [{ field: 'cursor', reason: 'invalid', message: { ky: 'Курсор туура эмес.', ru: 'Неверный курсор.', en: 'The cursor is not valid.' } }],
  });

export function encodeCursor(parts: number[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): number[] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === length && v.every((x) => Number.isSafeInteger(x))) return v as number[];
  } catch {
    // fall through
  }
  throw badCursor();
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  return Math.min(Math.max(1, Math.floor(limit)), MAX_PAGE);
}

/** The filter as where-clauses; shared by search and stats. */
export function applyFilter<T extends Knex.QueryBuilder>(q: T, f: SearchFilter, prefix = ''): T {
  const c = (name: string) => `${prefix}${name}`;
  if (f.from !== undefined) q.where(c('request_in_ts'), '>=', f.from);
  if (f.to !== undefined) q.where(c('request_in_ts'), '<', f.to);
  if (f.client !== undefined) q.where(c('client'), f.client);
  if (f.service !== undefined) q.where(c('service'), f.service);
  if (f.serviceCode !== undefined) q.where(c('service_code'), f.serviceCode);
  if (f.messageId !== undefined) q.where(c('message_id'), f.messageId);
  if (f.userId !== undefined) q.where(c('user_id'), f.userId);
  if (f.status !== undefined) q.where(c('succeeded'), f.status === 'ok');
  if (f.faultCode !== undefined) q.where(c('fault_code'), f.faultCode);
  if (f.direction !== undefined) q.where(c('direction'), f.direction);
  return q;
}

/**
 * Newest first by (requestInTs, seq), keyset-paged: the cursor is the last (requestInTs, seq) seen,
 * so every page is an index range read, however deep.
 */
export async function searchExchanges(knex: Knex, filter: SearchFilter, page: PageRequest = {}): Promise<Page<ExchangeSummary>> {
  const limit = pageLimit(page.limit);
  const q = knex(RECORDS_TABLE).select(SUMMARY_COLUMNS.map((c) => c[1]));
  applyFilter(q, filter);
  if (page.cursor) {
    const [t, s] = decodeCursor(page.cursor, 2);
    // The first condition is the one an index can seek on; the second breaks ties on seq.
    q.where('request_in_ts', '<=', t).andWhere((w) => w.where('request_in_ts', '<', t).orWhere('seq', '<', s));
  }
  const rows: Row[] = await q.orderBy([{ column: 'request_in_ts', order: 'desc' }, { column: 'seq', order: 'desc' }]).limit(limit + 1);
  const items = rows.slice(0, limit).map(summaryFromRow);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.requestInTs, last.seq]) : null };
}

export interface ExchangeDetail extends ExchangeRecord {
  subjectList: Array<{ kind: string; value: string }>;
  hasRequestBody: boolean;
  hasResponseBody: boolean;
}

export async function getExchange(knex: Knex, seq: number): Promise<ExchangeDetail | undefined> {
  const row = await knex(RECORDS_TABLE).select(RECORD_COLUMNS).where({ seq }).first();
  if (!row) return undefined;
  const rec = recordFromRow(row);
  const body = await knex(BODIES_TABLE)
    .select(knex.raw('case when request is null then 0 else 1 end as has_req'), knex.raw('case when response is null then 0 else 1 end as has_res'))
    .where({ seq })
    .first();
  return { ...rec, subjectList: parseSubjects(rec.subjects), hasRequestBody: num(body?.has_req ?? 0) === 1, hasResponseBody: num(body?.has_res ?? 0) === 1 };
}

export interface ServiceStats {
  direction: 'in' | 'out';
  service: string;
  serviceCode: string;
  count: number;
  faults: number;
  /** faults / count. */
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** Rows matching a filter in seq order, fetched in keyset pages (no driver streaming needed). */
async function* pagedRows(knex: Knex, filter: SearchFilter, columns: string[], pageSize = 10_000): AsyncGenerator<Row> {
  let after = 0;
  for (;;) {
    const rows: Row[] = await applyFilter(knex(RECORDS_TABLE).select('seq', ...columns), filter).where('seq', '>', after).orderBy('seq').limit(pageSize);
    yield* rows;
    if (rows.length < pageSize) return;
    after = num(rows[rows.length - 1].seq);
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/**
 * Per service and direction: count, error rate, p50/p95 duration over a time window. Durations are
 * read in pages and ranked here, the same way on SQLite (no percentile function) and PostgreSQL.
 */
export async function serviceStats(knex: Knex, filter: SearchFilter): Promise<ServiceStats[]> {
  const groups = new Map<string, { direction: 'in' | 'out'; service: string; serviceCode: string; faults: number; durations: number[] }>();
  for await (const row of pagedRows(knex, filter, ['direction', 'service', 'service_code', 'succeeded', 'duration_ms'])) {
    const key = `${String(row.direction)} ${String(row.service)} ${String(row.service_code)}`;
    let g = groups.get(key);
    if (!g) {
      g = { direction: row.direction as 'in' | 'out', service: String(row.service), serviceCode: String(row.service_code), faults: 0, durations: [] };
      groups.set(key, g);
    }
    if (!(row.succeeded === true || row.succeeded === 1)) g.faults += 1;
    g.durations.push(num(row.duration_ms));
  }
  return [...groups.values()]
    .map((g) => {
      const sorted = Float64Array.from(g.durations).sort();
      return {
        direction: g.direction,
        service: g.service,
        serviceCode: g.serviceCode,
        count: sorted.length,
        faults: g.faults,
        errorRate: sorted.length ? g.faults / sorted.length : 0,
        p50Ms: percentile(sorted, 0.5),
        p95Ms: percentile(sorted, 0.95),
        maxMs: sorted.length ? sorted[sorted.length - 1] : 0,
      };
    })
    .sort((a, b) => b.count - a.count || a.service.localeCompare(b.service));
}

export interface AccessEntry {
  seq: number;
  at: number;
  direction: 'in' | 'out';
  /** The client subsystem that called (for 'out', the adapter itself asking another registry). */
  client: string;
  service: string;
  serviceCode: string;
  operationKind: 'read' | 'write' | null;
  succeeded: boolean;
}

export interface OperatorRead {
  at: number;
  operator: string;
  role: string;
  via: string;
  seq: number;
  part: string;
  why: string | null;
}

export interface AccessJournal {
  subject: { kind: 'inn' | 'pin'; value: string };
  entries: AccessEntry[];
  nextCursor: string | null;
  /** Operators who read bodies of exchanges about this subject (most recent first, up to MAX_PAGE). */
  operatorReads: OperatorRead[];
}

/**
 * "Who accessed my data": the exchanges whose subjects name this INN or PIN, newest first, and the
 * operators' reads of their bodies. Entries come from the subject index but are kept only when the
 * hashed record itself names the subject.
 */
export async function accessJournal(
  knex: Knex,
  subject: { kind: 'inn' | 'pin'; value: string },
  opts: { from?: number; to?: number } & PageRequest = {},
): Promise<AccessJournal> {
  const limit = pageLimit(opts.limit);
  const q = knex(`${SUBJECTS_TABLE} as s`)
    .join(`${RECORDS_TABLE} as r`, 'r.seq', 's.seq')
    .select('r.seq', 'r.request_in_ts', 'r.direction', 'r.client', 'r.service', 'r.service_code', 'r.operation_kind', 'r.succeeded', 'r.subjects')
    .where('s.kind', subject.kind)
    .andWhere('s.value', subject.value);
  if (opts.from !== undefined) q.where('r.request_in_ts', '>=', opts.from);
  if (opts.to !== undefined) q.where('r.request_in_ts', '<', opts.to);
  if (opts.cursor) q.where('s.seq', '<', decodeCursor(opts.cursor, 1)[0]);
  const rows: Row[] = await q.orderBy('s.seq', 'desc').limit(limit + 1);
  const key = `${subject.kind}:${subject.value}`;
  const entries = rows
    .slice(0, limit)
    .filter((r) => String(r.subjects).split(',').includes(key))
    .map((r) => ({
      seq: num(r.seq),
      at: num(r.request_in_ts),
      direction: r.direction as 'in' | 'out',
      client: String(r.client),
      service: String(r.service),
      serviceCode: String(r.service_code),
      operationKind: (r.operation_kind ?? null) as AccessEntry['operationKind'],
      succeeded: r.succeeded === true || r.succeeded === 1,
    }));
  const lastRow = rows[Math.min(rows.length, limit) - 1];
  const reads: Row[] = await knex(`${BODY_READS_TABLE} as b`)
    .join(`${SUBJECTS_TABLE} as s`, 's.seq', 'b.seq')
    .select('b.read_at_ms', 'b.operator', 'b.role', 'b.via', 'b.seq', 'b.part', 'b.why')
    .where('s.kind', subject.kind)
    .andWhere('s.value', subject.value)
    .orderBy('b.id', 'desc')
    .limit(MAX_PAGE);
  return {
    subject,
    entries,
    nextCursor: rows.length > limit && lastRow ? encodeCursor([num(lastRow.seq)]) : null,
    operatorReads: reads.map(bodyReadFromRow),
  };
}

function bodyReadFromRow(r: Row): OperatorRead {
  return { at: num(r.read_at_ms), operator: String(r.operator), role: String(r.role), via: String(r.via), seq: num(r.seq), part: String(r.part), why: (r.why ?? null) as string | null };
}

export interface BodyRead extends OperatorRead {
  id: number;
  requestId: string | null;
  remote: string | null;
}

export interface BodyReadFilter {
  from?: number;
  to?: number;
  operator?: string;
  seq?: number;
}

/** The journal of body reads, newest first. */
export async function listBodyReads(knex: Knex, f: BodyReadFilter, page: PageRequest = {}): Promise<Page<BodyRead>> {
  const limit = pageLimit(page.limit);
  const q = knex(BODY_READS_TABLE).select('*');
  if (f.from !== undefined) q.where('read_at_ms', '>=', f.from);
  if (f.to !== undefined) q.where('read_at_ms', '<', f.to);
  if (f.operator !== undefined) q.where('operator', f.operator);
  if (f.seq !== undefined) q.where('seq', f.seq);
  if (page.cursor) q.where('id', '<', decodeCursor(page.cursor, 1)[0]);
  const rows: Row[] = await q.orderBy('id', 'desc').limit(limit + 1);
  const items = rows.slice(0, limit).map((r) => ({ ...bodyReadFromRow(r), id: num(r.id), requestId: (r.request_id ?? null) as string | null, remote: (r.remote ?? null) as string | null }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
}
