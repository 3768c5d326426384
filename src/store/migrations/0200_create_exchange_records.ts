import type { Knex } from 'knex';
import { isSqlite } from '../store.js';

/**
 * Exchange-log metadata: one row per exchange, hash-chained (`prev_hash` → `hash`) in `seq` order.
 * Bodies live in exchange_bodies so retention can drop them while these rows (with the body
 * digests) keep the chain verifiable. Every stored column except `seq` and `hash` is covered by
 * the hash. Indexes end in `seq` so that newest-first cursor pages are read straight off them.
 */
export async function up(knex: Knex): Promise<void> {
  const sqlite = isSqlite(knex);
  await knex.schema.createTable('exchange_records', (t) => {
    // SQLite: INTEGER PRIMARY KEY makes seq the rowid (no second b-tree); PostgreSQL: 64-bit.
    if (sqlite) t.integer('seq').primary();
    else t.bigInteger('seq').primary();
    t.text('direction').notNullable();
    t.text('transport').notNullable();
    t.bigInteger('request_in_ts').notNullable();
    t.bigInteger('request_out_ts').nullable();
    t.bigInteger('response_in_ts').nullable();
    t.bigInteger('response_out_ts').notNullable();
    t.text('client').notNullable();
    t.text('service').notNullable();
    t.text('service_code').notNullable();
    t.text('service_version').nullable();
    t.text('message_id').notNullable();
    t.text('user_id').nullable();
    t.text('issue').nullable();
    t.text('represented_party').nullable();
    t.text('protocol_version').nullable();
    t.bigInteger('request_size').notNullable();
    t.bigInteger('response_size').notNullable();
    t.integer('request_attachment_count').notNullable();
    t.integer('response_attachment_count').notNullable();
    t.boolean('succeeded').notNullable();
    t.text('fault_code').nullable();
    t.text('fault_string').nullable();
    t.integer('status_code').notNullable();
    t.bigInteger('duration_ms').notNullable();
    t.text('request_sha256').nullable();
    t.text('response_sha256').nullable();
    t.boolean('bodies_stored').notNullable();
    t.text('subjects').notNullable();
    t.text('request_id').nullable();
    t.text('operation_kind').nullable();
    t.bigInteger('logged_at').notNullable();
    t.text('prev_hash').notNullable();
    t.text('hash').notNullable();
    t.index(['request_in_ts', 'seq'], 'exchange_records_time_idx');
    t.index(['message_id'], 'exchange_records_message_id_idx');
    t.index(['client', 'request_in_ts', 'seq'], 'exchange_records_client_idx');
    t.index(['service_code', 'request_in_ts', 'seq'], 'exchange_records_service_code_idx');
    t.index(['user_id', 'request_in_ts', 'seq'], 'exchange_records_user_id_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('exchange_records');
}
