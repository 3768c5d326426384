import type { Knex } from 'knex';

/**
 * Named counters of the holders registry. The registration number is taken by incrementing its
 * row inside the transaction that confirms stage II: the row lock (PostgreSQL) or the single
 * writer (SQLite) orders concurrent confirmations, and a rollback returns the number.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('holders_counters', (t) => {
    t.string('name', 64).primary();
    t.bigInteger('value').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('holders_counters');
}
