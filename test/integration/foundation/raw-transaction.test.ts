import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import { queryOf, rawTransaction } from '../../../src/store/raw-transaction.js';

forEachStore('raw transactions', (ctx) => {
  const TABLE = 'raw_tx_probe';
  before(async () => {
    await ctx.store.knex.schema.createTable(TABLE, (t) => {
      t.integer('id').primary();
      t.text('label').notNullable();
      t.boolean('flag').notNullable();
    });
  });
  const labels = async () => (await ctx.store.knex(TABLE).orderBy('id')).map((r: { label: string }) => r.label);

  it('commits what the work wrote and returns its result; RETURNING and queries give rows, plain writes none', async () => {
    const out = await rawTransaction(ctx.store.knex, ctx.client, async (q) => {
      expect(await q(`insert into ${TABLE} (id, label, flag) values (?, ?, ?), (?, ?, ?)`, [1, 'one', true, 2, 'two', false])).to.deep.equal([]);
      const updated = await q(`update ${TABLE} set label = ? where id = ? returning id, label`, ['uno', 1]);
      const flags = await q(`select flag from ${TABLE} order by id`);
      return { updated, flags: flags.map((r) => Boolean(r.flag)) };
    });
    expect(out.updated.map((r) => [Number(r.id), r.label])).to.deep.equal([[1, 'uno']]);
    expect(out.flags).to.deep.equal([true, false]);
    expect(await labels()).to.deep.equal(['uno', 'two']);
  });

  it('rolls everything back when the work throws, and the store goes on', async () => {
    let caught: unknown;
    try {
      await rawTransaction(ctx.store.knex, ctx.client, async (q) => {
        await q(`insert into ${TABLE} (id, label, flag) values (?, ?, ?)`, [3, 'three', true]);
        await q(`insert into ${TABLE} (id, label, flag) values (?, ?, ?)`, [1, 'duplicate key', true]);
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(Error);
    expect(await labels()).to.deep.equal(['uno', 'two']);
    await rawTransaction(ctx.store.knex, ctx.client, (q) => q(`insert into ${TABLE} (id, label, flag) values (?, ?, ?)`, [3, 'three', true]));
    expect(await labels()).to.deep.equal(['uno', 'two', 'three']);
  });

  it('other statements of the store wait for the transaction: none sees half of it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tx = rawTransaction(ctx.store.knex, ctx.client, async (q) => {
      await q(`insert into ${TABLE} (id, label, flag) values (?, ?, ?)`, [4, 'four', true]);
      await gate;
      await q(`insert into ${TABLE} (id, label, flag) values (?, ?, ?)`, [5, 'five', true]);
    });
    const seen = queryOf(ctx.store.knex, ctx.client)(`select count(*) as n from ${TABLE}`);
    setTimeout(release, 50);
    await tx;
    // SQLite: the statement waited for the one connection; PostgreSQL: another connection saw the last commit.
    expect(Number((await seen)[0].n)).to.equal(ctx.client === 'sqlite' ? 5 : 3);
    expect(await labels()).to.deep.equal(['uno', 'two', 'three', 'four', 'five']);
  });
});
