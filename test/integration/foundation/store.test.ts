import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';

forEachStore('store migrations', (ctx) => {
  it('applies the migrations and records them', async () => {
    const rows = await ctx.store.knex('knex_migrations').select('name');
    expect(rows.map((r: { name: string }) => r.name)).to.include('0001_create_store_meta');
    expect(await ctx.store.knex.schema.hasTable('store_meta')).to.equal(true);
  });
});
