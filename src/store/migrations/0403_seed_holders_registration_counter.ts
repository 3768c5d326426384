import type { Knex } from 'knex';

/** The registration-number counter starts at 0, so the first holder gets 2-00001 (seed 000, figure 16). */
export async function up(knex: Knex): Promise<void> {
  await knex('holders_counters').insert({ name: 'registration_number', value: 0 });
}

export async function down(knex: Knex): Promise<void> {
  await knex('holders_counters').where({ name: 'registration_number' }).delete();
}
