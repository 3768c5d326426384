import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import { directQuery, pgPlaceholders, queryOf, rawTransaction } from '../../../src/store/raw-transaction.js';

describe('raw statements: PostgreSQL placeholders', () => {
  it('numbers every ? in order, the same text the same way', () => {
    expect(pgPlaceholders('insert into t (a, b) values (?, ?), (?, cast(? as bigint))')).to.equal('insert into t (a, b) values ($1, $2), ($3, cast($4 as bigint))');
    expect(pgPlaceholders('select 1')).to.equal('select 1');
    expect(pgPlaceholders('insert into t (a, b) values (?, ?), (?, cast(? as bigint))')).to.equal('insert into t (a, b) values ($1, $2), ($3, cast($4 as bigint))');
  });
});

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

  it('a single direct statement binds every kind of value the log writes, and returns RETURNING rows', async () => {
    const q = directQuery(ctx.store.knex, ctx.client);
    const rows = await q(`insert into ${TABLE} (id, label, flag) values (?, ?, ?), (?, ?, ?) returning id, label, flag`, [10, 'ten', false, 11, 'кыргызча «ё»', true]);
    expect(rows.map((r) => [Number(r.id), r.label, Boolean(r.flag)])).to.deep.equal([
      [10, 'ten', false],
      [11, 'кыргызча «ё»', true],
    ]);
    expect(await q(`delete from ${TABLE} where id >= ?`, [10])).to.deep.equal([]);
  });

  it('a failed statement inside the transaction rolls it back and leaves the connection usable', async () => {
    let caught: unknown;
    try {
      await rawTransaction(ctx.store.knex, ctx.client, async (q) => {
        await q(`insert into ${TABLE} (id, label, flag) values (?, ?, ?)`, [20, 'twenty', true]);
        await q(`insert into no_such_table (x) values (?)`, [1]);
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(Error);
    // Every pooled connection still answers (PostgreSQL: none left inside an aborted transaction).
    const q = directQuery(ctx.store.knex, ctx.client);
    for (let i = 0; i < 12; i++) expect(await q(`select count(*) as n from ${TABLE} where id = ?`, [20])).to.have.length(1);
    expect(Number((await q(`select count(*) as n from ${TABLE} where id = ?`, [20]))[0].n)).to.equal(0);
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
