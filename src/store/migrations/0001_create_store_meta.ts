import type { Knex } from 'knex';

/** A key/value table the adapter uses for facts about the store itself (schema owner, created-at). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('store_meta', (t) => {
    t.string('key', 64).primary();
    t.text('value').notNullable();
    t.bigInteger('updated_at_ms').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('store_meta');
}
