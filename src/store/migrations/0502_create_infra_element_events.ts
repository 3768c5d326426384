import type { Knex } from 'knex';

/** The status history: every transition (and refused data submission) with actor and time. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('infra_element_events', (t) => {
    t.increments('seq').primary();
    t.string('element_id', 36).notNullable().references('id').inTable('infra_elements').onDelete('RESTRICT');
    t.string('action', 32).notNullable();
    t.string('from_status', 32).nullable();
    t.string('to_status', 32).notNullable();
    t.bigInteger('at_ms').notNullable();
    t.string('actor_client', 255).notNullable();
    t.string('actor_user', 14).nullable();
    t.boolean('late').nullable();
    t.text('comment').nullable();
    t.index(['element_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('infra_element_events');
}
