import { expect } from 'chai';
import { StoreMinjustCache } from '../../../src/consumers/minjust/minjust-cache.js';
import type { LegalEntity } from '../../../src/consumers/types.js';
import { forEachStore } from '../../helpers/stores.js';
import { makeConsumers, testConfig } from './consumers-fixture.js';

const DAY = 86_400_000;
const entity = (inn: string): LegalEntity => ({ inn, name: `Org ${inn}`, missingFields: [] }) as unknown as LegalEntity;

/** MoJ copies hold a head's name and contacts: they are kept for `cacheRetentionDays`, then deleted. */
forEachStore('MoJ cache retention', (ctx) => {
  it('deletes copies fetched before the retention and keeps the rest, at start and on demand', async () => {
    const now = new Date('2026-11-23T06:00:00Z');
    const cache = new StoreMinjustCache(ctx.store.knex);
    const put = (inn: string, ageDays: number) => cache.put(inn, { entity: entity(inn), source: 'minjust', fetchedAtMs: now.getTime() - ageDays * DAY, messageId: `m-${inn}` });
    await put('00101202010001', 31);
    await put('00101202010002', 29);
    const config = testConfig();
    expect(config.consumers.minjust.cacheRetentionDays).to.equal(30);
    const { consumers } = makeConsumers({ config, store: ctx.store, urls: { minjustUrl: 'http://127.0.0.1:9/', bisUrl: 'http://127.0.0.1:9/' }, now: () => now });
    try {
      // The purge at start runs in the background; an explicit one finds nothing more to delete.
      for (let i = 0; i < 50 && (await cache.get('00101202010001')); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await cache.get('00101202010001')).to.equal(undefined);
      expect((await cache.get('00101202010002'))?.entity.inn).to.equal('00101202010002');
      await put('00101202010003', 45);
      expect(await consumers.purgeMinjustCache()).to.equal(1);
      expect(await consumers.purgeMinjustCache()).to.equal(0);
    } finally {
      consumers.close();
    }
  });
});
