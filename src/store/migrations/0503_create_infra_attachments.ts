import type { Knex } from 'knex';

/** Files of the infrastructure registry with the SHA-256 taken on receipt, checked again on every download. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('infra_attachments', (t) => {
    t.string('id', 36).primary();
    t.string('element_id', 36).notNullable().references('id').inTable('infra_elements').onDelete('RESTRICT');
    t.string('role', 32).notNullable();
    t.string('content_type', 255).notNullable();
    t.string('filename', 255).nullable();
    t.integer('size_bytes').notNullable();
    t.string('sha256', 64).notNullable();
    t.binary('content').notNullable();
    t.bigInteger('uploaded_at_ms').notNullable();
    t.string('uploaded_by_client', 255).notNullable();
    t.index(['element_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('infra_attachments');
}
