import type { Knex } from 'knex';

/**
 * One row per holder (INN) of the registry of holders of personal data arrays: the current
 * state of its application, the three stages as JSON documents, and the columns the public
 * list filters and pages on. Times are epoch milliseconds.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('holders_applications', (t) => {
    t.string('inn', 14).primary();
    t.string('status', 16).notNullable();
    t.text('name').notNullable();
    /** Lower-cased name for the case-insensitive substring filter (Cyrillic included, which SQLite's LIKE does not fold). */
    t.text('name_lc').notNullable();
    t.text('holder_json').notNullable();
    t.text('sources_json').notNullable();
    t.text('data_arrays_json');
    t.text('personal_data_json');
    t.text('review_json');
    /** Registration sequence: the NNNNN of 2-NNNNN, gap-free; also the public list's paging key. */
    t.integer('reg_seq').unique();
    t.string('reg_number', 16).unique();
    t.bigInteger('registered_at_ms');
    t.bigInteger('submitted_at_ms');
    t.string('due_date', 10);
    t.bigInteger('due_at_ms');
    t.integer('version').notNullable();
    t.bigInteger('created_at_ms').notNullable();
    t.bigInteger('updated_at_ms').notNullable();
    t.index(['status', 'due_at_ms'], 'holders_applications_status_due_idx');
    t.index(['registered_at_ms'], 'holders_applications_registered_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('holders_applications');
}
