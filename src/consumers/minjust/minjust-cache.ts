import type { Knex } from 'knex';
import type { LegalEntity } from '../types.js';

export interface CachedSubject {
  entity: LegalEntity;
  source: string;
  fetchedAtMs: number;
  /** xrd:id of the exchange that brought it. */
  messageId: string;
}

/** The MoJ answers cache, behind an interface so the client can be tested without a database. */
export interface MinjustCache {
  get(inn: string): Promise<CachedSubject | undefined>;
  put(inn: string, value: CachedSubject): Promise<void>;
  /** Deletes copies fetched before `cutoffMs`; returns how many. */
  purgeFetchedBefore(cutoffMs: number): Promise<number>;
}

const TABLE = 'minjust_subject_cache';

/** The cache in the store (table from migration 0300); works on SQLite and PostgreSQL alike. */
export class StoreMinjustCache implements MinjustCache {
  constructor(private readonly knex: Knex) {}

  async get(inn: string): Promise<CachedSubject | undefined> {
    const row = (await this.knex(TABLE).where({ inn }).first()) as
      | { entity_json: string; source: string; fetched_at_ms: number | string; message_id: string }
      | undefined;
    if (!row) return undefined;
    // PostgreSQL returns bigint as a string.
    return { entity: JSON.parse(row.entity_json) as LegalEntity, source: row.source, fetchedAtMs: Number(row.fetched_at_ms), messageId: row.message_id };
  }

  async put(inn: string, value: CachedSubject): Promise<void> {
    await this.knex(TABLE)
      .insert({ inn, entity_json: JSON.stringify(value.entity), source: value.source, fetched_at_ms: value.fetchedAtMs, message_id: value.messageId })
      .onConflict('inn')
      .merge();
  }

  async purgeFetchedBefore(cutoffMs: number): Promise<number> {
    return this.knex(TABLE).where('fetched_at_ms', '<', cutoffMs).delete();
  }
}

/** In-memory twin for unit tests. */
export class MemoryMinjustCache implements MinjustCache {
  readonly rows = new Map<string, CachedSubject>();

  async get(inn: string): Promise<CachedSubject | undefined> {
    const v = this.rows.get(inn);
    return v && structuredClone(v);
  }

  async put(inn: string, value: CachedSubject): Promise<void> {
    this.rows.set(inn, structuredClone(value));
  }

  async purgeFetchedBefore(cutoffMs: number): Promise<number> {
    let n = 0;
    for (const [inn, v] of this.rows) if (v.fetchedAtMs < cutoffMs && this.rows.delete(inn)) n += 1;
    return n;
  }
}
