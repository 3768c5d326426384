import type { Knex } from 'knex';

/**
 * Infrastructure elements (seed 004): one row per element with its current status, the notice
 * (§18), the input grant (§19) and the step it waits on with its due instant, so that the
 * overdue report is one indexed query. `seq` orders cursor paging; `id` is the public id.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('infra_elements', (t) => {
    t.increments('seq').primary();
    t.string('id', 36).notNullable().unique();
    t.string('registry_number', 16).nullable().unique();
    t.string('status', 32).notNullable();
    // Compare-and-set guard: every change bumps it, so two concurrent transitions cannot both win.
    t.integer('row_version').notNullable().defaultTo(0);
    t.string('subject_member', 255).notNullable();
    t.string('subject_client', 255).notNullable();
    t.string('subject_name', 500).notNullable();
    t.string('subject_address', 500).notNullable();
    t.string('element_type', 32).notNullable();
    t.string('full_name', 500).notNullable();
    t.string('short_name', 500).notNullable();
    // Lower-cased names for text search: SQLite's lower() folds ASCII only, so Cyrillic is folded here.
    t.text('search_text').notNullable();
    t.string('employee_full_name', 500).notNullable();
    t.string('employee_position', 500).notNullable();
    t.string('employee_email', 254).notNullable();
    t.string('grant_email', 254).nullable();
    t.string('grant_pin', 14).nullable();
    t.bigInteger('granted_at_ms').nullable();
    t.string('granted_by', 255).nullable();
    t.integer('current_version').nullable();
    t.string('pending_step', 32).nullable();
    t.bigInteger('pending_since_ms').nullable();
    t.string('due_date', 10).nullable();
    t.bigInteger('due_at_ms').nullable();
    t.bigInteger('registered_at_ms').nullable();
    t.text('refusal_json').nullable();
    t.text('deregistration_json').nullable();
    t.bigInteger('created_at_ms').notNullable();
    t.bigInteger('updated_at_ms').notNullable();
    t.index(['subject_member', 'seq']);
    t.index(['status', 'seq']);
    t.index(['due_at_ms']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('infra_elements');
}
