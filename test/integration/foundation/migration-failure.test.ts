import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { FolderMigrationSource } from '../../../src/store/store.js';
import { forEachStore } from '../../helpers/stores.js';

/** Writes two migrations: the first good, the second creating a table and then failing. */
function brokenMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migr-'));
  fs.writeFileSync(
    path.join(dir, '9001_good.js'),
    `export async function up(knex) { await knex.schema.createTable('mig_good', (t) => { t.integer('id'); }); }
     export async function down(knex) { await knex.schema.dropTable('mig_good'); }`,
  );
  fs.writeFileSync(
    path.join(dir, '9002_bad.js'),
    `export async function up(knex) {
       await knex.schema.createTable('mig_half', (t) => { t.integer('id'); });
       await knex.raw('this is not sql');
     }
     export async function down() {}`,
  );
  return dir;
}

forEachStore('a failing migration', (ctx) => {
  it('leaves the database as it was before that migration', async () => {
    const dir = brokenMigrations();
    const cfg = { migrationSource: new FolderMigrationSource(dir), tableName: 'mig_test_log' };
    let failed = false;
    await ctx.store.knex.migrate.latest(cfg).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(await ctx.store.knex.schema.hasTable('mig_half'), 'half-made table rolled back').to.equal(false);
    // knex runs one batch in one transaction: the earlier migration of the batch is undone too.
    expect(await ctx.store.knex.schema.hasTable('mig_good'), 'batch rolled back').to.equal(false);
    const applied = (await ctx.store.knex('mig_test_log').select('name')).map((r: { name: string }) => r.name);
    expect(applied).to.deep.equal([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
