import type { Knex } from 'knex';

/**
 * Signed checkpoints of the chain: the adapter's key signs (seq, hash, time). An auditor holding
 * the certificate can check a range without trusting the database. Retention keeps the checkpoint
 * just before the first remaining record as the chain's anchor.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('exchange_checkpoints', (t) => {
    t.bigInteger('seq').primary();
    t.text('hash').notNullable();
    t.bigInteger('signed_at_ms').notNullable();
    t.text('kind').notNullable();
    t.text('algorithm').notNullable();
    t.text('signature').notNullable();
    t.text('certificate').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('exchange_checkpoints');
}
