import type { Knex } from 'knex';

/** Every change of a holder's application: who (PIN, client), when, which operation, and a JSON diff. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('holders_versions', (t) => {
    t.bigIncrements('id');
    t.string('inn', 14).notNullable().references('inn').inTable('holders_applications').onDelete('RESTRICT');
    t.integer('version').notNullable();
    t.bigInteger('at_ms').notNullable();
    t.string('operation', 64).notNullable();
    t.string('client', 255).notNullable();
    t.string('actor_pin', 14);
    t.string('status_before', 16);
    t.string('status_after', 16).notNullable();
    t.text('changes_json').notNullable();
    t.unique(['inn', 'version'], { indexName: 'holders_versions_inn_version_uq' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('holders_versions');
}
