import type { Knex } from 'knex';
import { isSqlite } from '../store.js';

/** The exact signed request and response bytes of an exchange, kept apart so retention can purge them. */
export async function up(knex: Knex): Promise<void> {
  const sqlite = isSqlite(knex);
  await knex.schema.createTable('exchange_bodies', (t) => {
    if (sqlite) t.integer('seq').primary();
    else t.bigInteger('seq').primary();
    t.binary('request').nullable();
    t.binary('response').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('exchange_bodies');
}
