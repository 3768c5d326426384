import { expect } from 'chai';
import { forEachStore, freshStore } from '../../helpers/stores.js';

forEachStore('store migrations', (ctx) => {
  it('applies the migrations and records them', async () => {
    const rows = await ctx.store.knex('knex_migrations').select('name');
    expect(rows.map((r: { name: string }) => r.name)).to.include('0001_create_store_meta');
    expect(await ctx.store.knex.schema.hasTable('store_meta')).to.equal(true);
  });
});

describe('the SQLite connection', () => {
  it('is set up as the store needs it: WAL, foreign keys, NORMAL sync, temporary storage in memory, small checkpoints', async () => {
    const store = await freshStore('sqlite', { migrate: false });
    try {
      const one = async (pragma: string) => Object.values(((await store.knex.raw(`PRAGMA ${pragma}`)) as Array<Record<string, unknown>>)[0])[0];
      expect(await one('journal_mode')).to.equal('wal');
      expect(await one('foreign_keys')).to.equal(1);
      expect(await one('synchronous')).to.equal(1);
      expect(await one('wal_autocheckpoint')).to.equal(250);
      expect(await one('temp_store')).to.equal(2);
    } finally {
      await store.dispose();
    }
  });
});
