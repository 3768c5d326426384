import type { Knex } from 'knex';

/** The journal of reads of exchange bodies (CONTRACT §6: each read of a message body is itself logged). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('exchange_body_reads', (t) => {
    t.bigIncrements('id');
    t.bigInteger('read_at_ms').notNullable();
    t.text('operator').notNullable();
    t.text('role').notNullable();
    t.text('via').notNullable();
    t.bigInteger('seq').notNullable();
    t.text('part').notNullable();
    t.text('why').nullable();
    t.text('request_id').nullable();
    t.text('remote').nullable();
    t.index(['seq'], 'exchange_body_reads_seq_idx');
    t.index(['read_at_ms'], 'exchange_body_reads_time_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('exchange_body_reads');
}
