import type { Knex } from 'knex';
import type { Store } from '../../store/store.js';
import type { InfraStatus } from './infra-vocabulary.js';

/**
 * Persistence of the infrastructure registry (tables from migrations 0500–0504). Knows SQL and
 * rows, nothing of the Rules. Instants are stored as epoch milliseconds (bigint: PostgreSQL hands
 * them back as strings, hence `ms()`), JSON documents as text so both stores read them alike.
 */

export interface ElementRow {
  seq: number;
  id: string;
  registry_number: string | null;
  status: InfraStatus;
  row_version: number;
  subject_member: string;
  subject_client: string;
  subject_name: string;
  subject_address: string;
  element_type: string;
  full_name: string;
  short_name: string;
  search_text: string;
  employee_full_name: string;
  employee_position: string;
  employee_email: string;
  grant_email: string | null;
  grant_pin: string | null;
  granted_at_ms: number | null;
  granted_by: string | null;
  current_version: number | null;
  pending_step: string | null;
  pending_since_ms: number | null;
  due_date: string | null;
  due_at_ms: number | null;
  registered_at_ms: number | null;
  refusal_json: string | null;
  deregistration_json: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface VersionRow {
  element_id: string;
  version: number;
  kind: 'SUBMISSION' | 'UPDATE';
  data_json: string;
  attachment_ids_json: string;
  missing_items_json: string;
  submitted_at_ms: number;
  submitted_by_client: string;
  submitted_by_user: string | null;
}

export interface EventRow {
  element_id: string;
  action: string;
  from_status: InfraStatus | null;
  to_status: InfraStatus;
  at_ms: number;
  actor_client: string;
  actor_user: string | null;
  late: boolean | null;
  comment: string | null;
}

export interface AttachmentRow {
  id: string;
  element_id: string;
  role: string;
  content_type: string;
  filename: string | null;
  size_bytes: number;
  sha256: string;
  uploaded_at_ms: number;
  uploaded_by_client: string;
}

export interface ElementFilter {
  elementType?: string;
  subjectMember?: string;
  status?: string;
  /** Lower-cased substring of search_text. */
  text?: string;
}

const ELEMENTS = 'infra_elements';
const VERSIONS = 'infra_element_versions';
const EVENTS = 'infra_element_events';
const ATTACHMENTS = 'infra_attachments';
const COUNTERS = 'infra_counters';

const MS_COLUMNS = ['granted_at_ms', 'pending_since_ms', 'due_at_ms', 'registered_at_ms', 'created_at_ms', 'updated_at_ms', 'submitted_at_ms', 'at_ms', 'uploaded_at_ms'] as const;

/** bigint columns as numbers, SQLite's 0/1 booleans as booleans. */
function normalise<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...row };
  for (const c of MS_COLUMNS) if (out[c] !== undefined && out[c] !== null) out[c] = Number(out[c]);
  for (const c of ['seq', 'row_version', 'current_version', 'version', 'size_bytes']) if (out[c] !== undefined && out[c] !== null) out[c] = Number(out[c]);
  if (out.late !== undefined && out.late !== null) out.late = Boolean(out.late);
  return out as T;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class InfraStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  static of(store: Store): InfraStore {
    return new InfraStore(store.knex);
  }

  /** Runs `fn` in one transaction; everything it writes commits or rolls back together. */
  async transaction<T>(fn: (tx: InfraStore) => Promise<T>): Promise<T> {
    return (this.db as Knex).transaction((trx) => fn(new InfraStore(trx)));
  }

  /** By public id or by registry number. */
  async findElement(idOrNumber: string): Promise<ElementRow | undefined> {
    const row = await this.db(ELEMENTS).where('id', idOrNumber).orWhere('registry_number', idOrNumber).first();
    return row ? normalise<ElementRow>(row) : undefined;
  }

  async insertElement(row: Omit<ElementRow, 'seq'>): Promise<void> {
    await this.db(ELEMENTS).insert(row);
  }

  /** Compare-and-set: applies `patch` only if nobody changed the row since `rowVersion` was read. */
  async updateElement(id: string, rowVersion: number, patch: Partial<Omit<ElementRow, 'seq' | 'id' | 'row_version'>>): Promise<boolean> {
    const n = await this.db(ELEMENTS)
      .where({ id, row_version: rowVersion })
      .update({ ...patch, row_version: rowVersion + 1 });
    return n === 1;
  }

  async insertEvent(e: EventRow): Promise<void> {
    await this.db(EVENTS).insert(e);
  }

  async insertVersion(v: VersionRow): Promise<void> {
    await this.db(VERSIONS).insert(v);
  }

  async insertAttachment(a: AttachmentRow & { content: Buffer }): Promise<void> {
    await this.db(ATTACHMENTS).insert(a);
  }

  async versions(elementId: string): Promise<VersionRow[]> {
    const rows = await this.db(VERSIONS).where('element_id', elementId).orderBy('version', 'asc');
    return rows.map((r) => normalise<VersionRow>(r));
  }

  async latestVersion(elementId: string): Promise<VersionRow | undefined> {
    const row = await this.db(VERSIONS).where('element_id', elementId).orderBy('version', 'desc').first();
    return row ? normalise<VersionRow>(row) : undefined;
  }

  async events(elementId: string): Promise<EventRow[]> {
    const rows = await this.db(EVENTS).where('element_id', elementId).orderBy('seq', 'asc');
    return rows.map((r) => normalise<EventRow>(r));
  }

  async attachments(elementId: string): Promise<AttachmentRow[]> {
    const rows = await this.db(ATTACHMENTS)
      .select('id', 'element_id', 'role', 'content_type', 'filename', 'size_bytes', 'sha256', 'uploaded_at_ms', 'uploaded_by_client')
      .where('element_id', elementId)
      .orderBy([{ column: 'uploaded_at_ms', order: 'asc' }, { column: 'id', order: 'asc' }]);
    return rows.map((r) => normalise<AttachmentRow>(r));
  }

  async attachmentWithContent(elementId: string, attachmentId: string): Promise<(AttachmentRow & { content: Buffer }) | undefined> {
    const row = await this.db(ATTACHMENTS).where({ element_id: elementId, id: attachmentId }).first();
    if (!row) return undefined;
    const out = normalise<AttachmentRow & { content: Buffer }>(row);
    out.content = Buffer.from(row.content as Uint8Array);
    return out;
  }

  /**
   * The next value of a named counter. The UPDATE takes the row lock (PostgreSQL) or the write
   * lock (SQLite) until commit, so concurrent callers queue and numbers neither repeat nor skip
   * as long as the caller's transaction commits.
   */
  async nextCounter(name: string): Promise<number> {
    await this.db(COUNTERS).insert({ name, value: 0 }).onConflict('name').ignore();
    await this.db(COUNTERS).where('name', name).increment('value', 1);
    const row = await this.db(COUNTERS).where('name', name).first('value');
    return Number(row.value);
  }

  /** A page of elements in `seq` order after `afterSeq`; one more row than `limit` tells if a next page exists. */
  async list(filter: ElementFilter, afterSeq: number, limit: number): Promise<ElementRow[]> {
    const q = this.db(ELEMENTS).where('seq', '>', afterSeq);
    if (filter.elementType) q.andWhere('element_type', filter.elementType);
    if (filter.subjectMember) q.andWhere('subject_member', filter.subjectMember);
    if (filter.status) q.andWhere('status', filter.status);
    if (filter.text) q.andWhereRaw(`search_text like ? escape '\\'`, [`%${escapeLike(filter.text)}%`]);
    const rows = await q.orderBy('seq', 'asc').limit(limit + 1);
    return rows.map((r) => normalise<ElementRow>(r));
  }

  /** Elements waiting on a step whose due instant has passed, oldest due first. */
  async overdue(nowMs: number): Promise<ElementRow[]> {
    const rows = await this.db(ELEMENTS).whereNotNull('due_at_ms').andWhere('due_at_ms', '<', nowMs).orderBy([{ column: 'due_at_ms', order: 'asc' }, { column: 'seq', order: 'asc' }]);
    return rows.map((r) => normalise<ElementRow>(r));
  }
}
