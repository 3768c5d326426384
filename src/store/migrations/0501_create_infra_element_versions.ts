import type { Knex } from 'knex';

/** Every submission and update of an element's §20 data (§20, §24); earlier versions stay readable. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('infra_element_versions', (t) => {
    t.increments('seq').primary();
    t.string('element_id', 36).notNullable().references('id').inTable('infra_elements').onDelete('RESTRICT');
    t.integer('version').notNullable();
    t.string('kind', 16).notNullable();
    t.text('data_json').notNullable();
    t.text('attachment_ids_json').notNullable();
    t.text('missing_items_json').notNullable();
    t.bigInteger('submitted_at_ms').notNullable();
    t.string('submitted_by_client', 255).notNullable();
    t.string('submitted_by_user', 14).nullable();
    t.unique(['element_id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('infra_element_versions');
}
