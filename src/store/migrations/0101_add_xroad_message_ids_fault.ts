import type { Knex } from 'knex';

/** The fault code (and English fault string) of a stored response, so a replayed fault is logged as one. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('xroad_message_ids', (t) => {
    t.string('response_fault_code', 64).nullable();
    t.string('response_fault_string', 512).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('xroad_message_ids', (t) => {
    t.dropColumn('response_fault_code');
    t.dropColumn('response_fault_string');
  });
}
