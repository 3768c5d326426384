import type { Knex } from 'knex';

/**
 * One row per (client, xrd:id) seen on a provided operation (CONTRACT §3: ids unique per client).
 * The primary key is what makes a concurrent duplicate lose in every process sharing the store;
 * the stored response is what a safe retry gets back.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('xroad_message_ids', (t) => {
    t.string('client', 255).notNullable();
    t.string('message_id', 255).notNullable();
    t.string('request_hash', 64).notNullable();
    t.string('state', 16).notNullable();
    t.string('owner', 64).notNullable();
    t.bigInteger('created_at_ms').notNullable();
    t.bigInteger('updated_at_ms').notNullable();
    t.integer('response_status').nullable();
    t.string('response_type', 255).nullable();
    t.binary('response_body').nullable();
    t.primary(['client', 'message_id']);
    t.index(['created_at_ms'], 'xroad_message_ids_created_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('xroad_message_ids');
}
