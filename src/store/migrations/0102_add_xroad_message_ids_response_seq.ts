import type { Knex } from 'knex';

/**
 * The exchange-log record that holds a stored response. A read's response is kept once, in the
 * exchange log, and completed in the log's group commit; the row then names the record instead of
 * holding a second copy of the bytes (response_body stays null).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('xroad_message_ids', (t) => {
    t.bigInteger('response_seq').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('xroad_message_ids', (t) => {
    t.dropColumn('response_seq');
  });
}
