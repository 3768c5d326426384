import type { Knex } from 'knex';

/**
 * Lookup of exchanges by the holder (INN) or person (PIN) they concerned, for the "who accessed
 * my data" journal. Derived from `exchange_records.subjects`, which is the hashed original.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('exchange_subjects', (t) => {
    t.text('kind').notNullable();
    t.text('value').notNullable();
    t.bigInteger('seq').notNullable();
    t.primary(['kind', 'value', 'seq']);
    // Retention deletes by seq range.
    t.index(['seq'], 'exchange_subjects_seq_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('exchange_subjects');
}
