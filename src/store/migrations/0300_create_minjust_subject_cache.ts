import type { Knex } from 'knex';

/**
 * Ministry of Justice answers kept for reuse (issue 4): the mapped legal entity as JSON, where and
 * when it came from, and the X-Road message id of the exchange, so a cached copy can be traced to
 * the exchange-log record that brought it. One row per INN; a new answer replaces the old one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('minjust_subject_cache', (t) => {
    t.string('inn', 14).primary();
    t.text('entity_json').notNullable();
    t.string('source', 255).notNullable();
    t.bigInteger('fetched_at_ms').notNullable();
    t.string('message_id', 128).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('minjust_subject_cache');
}
