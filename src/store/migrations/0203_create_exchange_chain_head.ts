import type { Knex } from 'knex';

const GENESIS = '0'.repeat(64);

/**
 * The chain head: one row, locked by every batch transaction (PostgreSQL `FOR UPDATE`; SQLite's
 * write lock), so that writers in several processes extend one chain in strict `seq` order.
 * `bodies_purged_through` tells verification which missing bodies retention removed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('exchange_chain_head', (t) => {
    t.integer('id').primary();
    t.bigInteger('seq').notNullable();
    t.text('hash').notNullable();
    t.bigInteger('bodies_purged_through').notNullable();
    t.bigInteger('updated_at_ms').notNullable();
  });
  await knex('exchange_chain_head').insert({ id: 1, seq: 0, hash: GENESIS, bodies_purged_through: 0, updated_at_ms: Date.now() });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('exchange_chain_head');
}
