import type { Knex } from 'knex';
import type { Store } from '../../store/store.js';
import { directQuery, type RawQuery } from '../../store/raw-transaction.js';
import type { DataArrays, FieldSource, HolderData, PersonalDataList } from './holders-schemas.js';
import type { Change } from './record-diff.js';
import type { ApplicationStatus, ReviewDecision } from './vocabularies.js';

/** Stage-I data as stored: the responsible person is always there (it is mandatory). */
export type StoredHolderData = HolderData & { responsiblePerson: NonNullable<HolderData['responsiblePerson']> };

export interface ReviewRecord {
  decision: ReviewDecision;
  comment?: string;
  reviewedAt: Date;
  reviewerPin: string;
}

/** A holder's application as the service sees it. */
export interface ApplicationRecord {
  inn: string;
  status: ApplicationStatus;
  holder: StoredHolderData;
  sources: FieldSource[];
  dataArrays?: DataArrays;
  personalDataList?: PersonalDataList;
  review?: ReviewRecord;
  registrationSeq?: number;
  registrationNumber?: string;
  registeredAt?: Date;
  submittedAt?: Date;
  dueDate?: string;
  dueAt?: Date;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface VersionEntry {
  inn: string;
  version: number;
  at: Date;
  operation: string;
  client: string;
  actorPin?: string;
  statusBefore?: ApplicationStatus;
  statusAfter: ApplicationStatus;
  changes: Change[];
}

export interface HolderSummary {
  inn: string;
  name: string;
  status: ApplicationStatus;
  registrationSeq: number;
  registrationNumber: string;
  registeredAt: Date;
}

export interface OverdueRow {
  inn: string;
  name: string;
  registrationNumber?: string;
  submittedAt: Date;
  dueDate: string;
}

export interface ListQuery {
  nameContains?: string;
  inn?: string;
  status?: ApplicationStatus;
  registeredFromMs?: number;
  registeredToMs?: number;
  afterSeq?: number;
  limit: number;
}

/** What a change decides inside the transaction: the new record, the audit entry, the caller's result. */
export interface ChangeDecision<T> {
  next: ApplicationRecord;
  audit: Omit<VersionEntry, 'inn' | 'version' | 'statusAfter' | 'statusBefore'>;
  result: T;
}

export interface ChangeTx {
  /** Takes the next registration sequence number; given back if the transaction rolls back. */
  nextRegistrationSeq(): Promise<number>;
}

export interface HoldersStore {
  get(inn: string): Promise<ApplicationRecord | undefined>;
  /**
   * Runs `decide` on the current record, locked for the transaction (row lock on PostgreSQL, the
   * database write lock on SQLite), and stores its decision with a version entry, atomically.
   */
  change<T>(inn: string, decide: (current: ApplicationRecord | undefined, tx: ChangeTx) => Promise<ChangeDecision<T>> | ChangeDecision<T>): Promise<T>;
  list(q: ListQuery): Promise<{ rows: HolderSummary[]; more: boolean }>;
  overdue(now: Date): Promise<OverdueRow[]>;
  versions(inn: string): Promise<VersionEntry[]>;
}

const APPS = 'holders_applications';
const VERSIONS = 'holders_versions';
const COUNTERS = 'holders_counters';
const REGISTRATION_COUNTER = 'registration_number';

interface AppRow {
  inn: string;
  status: string;
  name: string;
  name_lc: string;
  holder_json: string;
  sources_json: string;
  data_arrays_json: string | null;
  personal_data_json: string | null;
  review_json: string | null;
  reg_seq: number | string | null;
  reg_number: string | null;
  registered_at_ms: number | string | null;
  submitted_at_ms: number | string | null;
  due_date: string | null;
  due_at_ms: number | string | null;
  version: number;
  created_at_ms: number | string;
  updated_at_ms: number | string;
}

interface VersionRow {
  inn: string;
  version: number;
  at_ms: number | string;
  operation: string;
  client: string;
  actor_pin: string | null;
  status_before: string | null;
  status_after: string;
  changes_json: string;
}

// pg returns BIGINT as a string; both drivers give numbers otherwise.
const num = (v: number | string): number => Number(v);
const optNum = (v: number | string | null): number | undefined => (v === null ? undefined : Number(v));
const optDate = (v: number | string | null): Date | undefined => (v === null ? undefined : new Date(Number(v)));
const optJson = <T>(v: string | null): T | undefined => (v === null ? undefined : (JSON.parse(v) as T));

function fromRow(r: AppRow): ApplicationRecord {
  const review = optJson<Omit<ReviewRecord, 'reviewedAt'> & { reviewedAt: string }>(r.review_json);
  return {
    inn: r.inn,
    status: r.status as ApplicationStatus,
    holder: JSON.parse(r.holder_json) as StoredHolderData,
    sources: JSON.parse(r.sources_json) as FieldSource[],
    dataArrays: optJson<DataArrays>(r.data_arrays_json),
    personalDataList: optJson<PersonalDataList>(r.personal_data_json),
    review: review && { ...review, reviewedAt: new Date(review.reviewedAt) },
    registrationSeq: optNum(r.reg_seq),
    registrationNumber: r.reg_number ?? undefined,
    registeredAt: optDate(r.registered_at_ms),
    submittedAt: optDate(r.submitted_at_ms),
    dueDate: r.due_date ?? undefined,
    dueAt: optDate(r.due_at_ms),
    version: r.version,
    createdAt: new Date(num(r.created_at_ms)),
    updatedAt: new Date(num(r.updated_at_ms)),
  };
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

function toRow(a: ApplicationRecord): AppRow {
  return {
    inn: a.inn,
    status: a.status,
    name: a.holder.name,
    name_lc: a.holder.name.toLowerCase(),
    holder_json: JSON.stringify(a.holder),
    sources_json: JSON.stringify(a.sources),
    data_arrays_json: json(a.dataArrays),
    personal_data_json: json(a.personalDataList),
    review_json: json(a.review && { ...a.review, reviewedAt: a.review.reviewedAt.toISOString() }),
    reg_seq: a.registrationSeq ?? null,
    reg_number: a.registrationNumber ?? null,
    registered_at_ms: a.registeredAt?.getTime() ?? null,
    submitted_at_ms: a.submittedAt?.getTime() ?? null,
    due_date: a.dueDate ?? null,
    due_at_ms: a.dueAt?.getTime() ?? null,
    version: a.version,
    created_at_ms: a.createdAt.getTime(),
    updated_at_ms: a.updatedAt.getTime(),
  };
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || (err?.code === 'SQLITE_CONSTRAINT' && /UNIQUE/i.test(err.message ?? ''));
}

/** LIKE pattern for a substring, with "!" as the escape character (no backslash dialect differences). */
function likeContains(s: string): string {
  return `%${s.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

export class KnexHoldersStore implements HoldersStore {
  private readonly knex: Knex;
  /** The read of every getHolder, without knex's query builder. */
  private readonly query: RawQuery;

  constructor(private readonly store: Pick<Store, 'knex' | 'client'>) {
    this.knex = store.knex;
    this.query = directQuery(store.knex, store.client);
  }

  async get(inn: string): Promise<ApplicationRecord | undefined> {
    const [row] = await this.query(`select * from ${APPS} where inn = ?`, [inn]);
    return row ? fromRow(row as unknown as AppRow) : undefined;
  }

  async change<T>(inn: string, decide: (current: ApplicationRecord | undefined, tx: ChangeTx) => Promise<ChangeDecision<T>> | ChangeDecision<T>): Promise<T> {
    try {
      return await this.changeOnce(inn, decide);
    } catch (e) {
      // Two first saves of the same INN raced on PostgreSQL; the row exists now, so run again on it.
      if (isUniqueViolation(e)) return this.changeOnce(inn, decide);
      throw e;
    }
  }

  private changeOnce<T>(inn: string, decide: (current: ApplicationRecord | undefined, tx: ChangeTx) => Promise<ChangeDecision<T>> | ChangeDecision<T>): Promise<T> {
    return this.knex.transaction(async (trx) => {
      if (this.store.client === 'sqlite') {
        // A write as the first statement takes SQLite's write lock at once (BEGIN IMMEDIATE in
        // effect), so another process waits on busy_timeout instead of failing on lock upgrade.
        await trx(COUNTERS).where({ name: REGISTRATION_COUNTER }).update({ value: trx.raw('value') });
      }
      const query = trx<AppRow>(APPS).where({ inn }).first();
      const row = (await (this.store.client === 'postgres' ? query.forUpdate() : query)) as AppRow | undefined;
      const current = row ? fromRow(row) : undefined;
      const decision = await decide(current, { nextRegistrationSeq: () => this.nextSeq(trx) });
      const next = decision.next;
      if (current) {
        const n = await trx(APPS).where({ inn, version: current.version }).update(toRow(next));
        if (n !== 1) throw new Error(`holders: application changed concurrently (version ${current.version})`);
      } else {
        await trx(APPS).insert(toRow(next));
      }
      const v: VersionRow = {
        inn,
        version: next.version,
        at_ms: decision.audit.at.getTime(),
        operation: decision.audit.operation,
        client: decision.audit.client,
        actor_pin: decision.audit.actorPin ?? null,
        status_before: current?.status ?? null,
        status_after: next.status,
        changes_json: JSON.stringify(decision.audit.changes),
      };
      await trx(VERSIONS).insert(v);
      return decision.result;
    });
  }

  /** UPDATE … RETURNING: the row lock (PostgreSQL) or the write lock (SQLite) lasts until commit. */
  private async nextSeq(trx: Knex.Transaction): Promise<number> {
    const res = (await trx.raw(`update ${COUNTERS} set value = value + 1 where name = ? returning value`, [REGISTRATION_COUNTER])) as
      | { rows: { value: number | string }[] }
      | { value: number | string }[];
    const rows = Array.isArray(res) ? res : res.rows;
    if (rows.length !== 1) throw new Error('holders: registration counter row is missing');
    return Number(rows[0].value);
  }

  async list(q: ListQuery): Promise<{ rows: HolderSummary[]; more: boolean }> {
    const query = this.knex(APPS)
      .select('inn', 'name', 'status', 'reg_seq', 'reg_number', 'registered_at_ms')
      .whereNotNull('reg_seq')
      .orderBy('reg_seq', 'asc')
      .limit(q.limit + 1);
    if (q.nameContains !== undefined) query.whereRaw(`name_lc like ? escape '!'`, [likeContains(q.nameContains.toLowerCase())]);
    if (q.inn !== undefined) query.where('inn', q.inn);
    if (q.status !== undefined) query.where('status', q.status);
    if (q.registeredFromMs !== undefined) query.where('registered_at_ms', '>=', q.registeredFromMs);
    if (q.registeredToMs !== undefined) query.where('registered_at_ms', '<=', q.registeredToMs);
    if (q.afterSeq !== undefined) query.where('reg_seq', '>', q.afterSeq);
    const rows = (await query) as Pick<AppRow, 'inn' | 'name' | 'status' | 'reg_seq' | 'reg_number' | 'registered_at_ms'>[];
    return {
      more: rows.length > q.limit,
      rows: rows.slice(0, q.limit).map((r) => ({
        inn: r.inn,
        name: r.name,
        status: r.status as ApplicationStatus,
        registrationSeq: num(r.reg_seq as number | string),
        registrationNumber: r.reg_number as string,
        registeredAt: new Date(num(r.registered_at_ms as number | string)),
      })),
    };
  }

  async overdue(now: Date): Promise<OverdueRow[]> {
    const rows = (await this.knex(APPS)
      .select('inn', 'name', 'reg_number', 'submitted_at_ms', 'due_date')
      .where('status', 'UNDER_REVIEW')
      .where('due_at_ms', '<', now.getTime())
      .orderBy([{ column: 'due_at_ms', order: 'asc' }, { column: 'inn', order: 'asc' }])) as Pick<AppRow, 'inn' | 'name' | 'reg_number' | 'submitted_at_ms' | 'due_date'>[];
    return rows.map((r) => ({
      inn: r.inn,
      name: r.name,
      registrationNumber: r.reg_number ?? undefined,
      submittedAt: new Date(num(r.submitted_at_ms as number | string)),
      dueDate: r.due_date as string,
    }));
  }

  async versions(inn: string): Promise<VersionEntry[]> {
    const rows = (await this.knex<VersionRow>(VERSIONS).where({ inn }).orderBy('version', 'asc')) as VersionRow[];
    return rows.map((r) => ({
      inn: r.inn,
      version: r.version,
      at: new Date(num(r.at_ms)),
      operation: r.operation,
      client: r.client,
      actorPin: r.actor_pin ?? undefined,
      statusBefore: (r.status_before ?? undefined) as ApplicationStatus | undefined,
      statusAfter: r.status_after as ApplicationStatus,
      changes: JSON.parse(r.changes_json) as Change[],
    }));
  }
}
