import type { Knex } from 'knex';

/** Named counters; `registry_number` gives gap-free registry numbers under concurrent decisions. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('infra_counters', (t) => {
    t.string('name', 64).primary();
    t.bigInteger('value').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('infra_counters');
}
