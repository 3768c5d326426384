import { expect } from 'chai';
import { freshStore, postgresAvailable, type TestStore } from '../../helpers/stores.js';
import { openLog } from './log-context.js';
import { bulkLoad } from '../../../fixtures/exchange-log/bulk-load.js';
import { testSigner } from '../../../fixtures/exchange-log/sample-records.js';

const DAY = 86_400_000;
const NOW = new Date(Date.UTC(2027, 0, 15, 12, 0, 0));
const settings = { bodyRetentionDays: 180, metadataRetentionDays: 365, checkpointEvery: 1000 };

/** 50 records 400 days old, 50 records 200 days old, 50 records 10 days old (seqs 1–50, 51–100, 101–150). */
async function ageing(store: TestStore): Promise<void> {
  const env = { knex: store.knex, client: store.client, signer: testSigner(), checkpointEvery: 1000 };
  await bulkLoad(env, 50, { start: 0, batch: 25, baseTs: NOW.getTime() - 400 * DAY });
  await bulkLoad(env, 50, { start: 50, batch: 25, baseTs: NOW.getTime() - 200 * DAY - 50_000 });
  await bulkLoad(env, 50, { start: 100, batch: 25, baseTs: NOW.getTime() - 10 * DAY - 100_000 });
}

const reader = { operator: 'op', role: 'operator', via: 'api' as const };

for (const client of ['sqlite', 'postgres'] as const) {
  describe(`exchange log: retention keeps the chain verifiable [${client}]`, function () {
    let store: TestStore;
    before(async function () {
      if (client === 'postgres' && !(await postgresAvailable())) this.skip();
    });
    beforeEach(async () => {
      store = await freshStore(client);
      await ageing(store);
    });
    afterEach(async () => {
      await store?.dispose();
    });

    it('purges old bodies and older metadata, leaves a signed anchor, and the chain still verifies', async () => {
      const log = openLog(store, settings);
      expect((await log.verify()).ok).to.equal(true);
      const r = await log.purge({ now: NOW });
      expect(r).to.include({ bodiesPurgedThrough: 100, bodiesPurged: 100, recordsPurged: 50, firstSeq: 51 });
      expect(r.anchor).to.include({ seq: 50, kind: 'anchor' });
      const v = await log.verify();
      expect(v.ok, JSON.stringify(v.firstBreak)).to.equal(true);
      expect(v).to.include({ anchor: 'checkpoint', from: 51, to: 150, checked: 100, bodiesChecked: 50 });
      // Metadata of purged bodies remains, with the digests.
      const kept = await log.get(60);
      expect(kept?.requestSha256).to.match(/^[0-9a-f]{64}$/);
      expect(kept?.hasRequestBody).to.equal(false);
      expect(await log.get(50)).to.equal(undefined);
      expect(await log.readBody(60, 'request', reader).catch((e: { code: string }) => e.code)).to.equal('NOT_FOUND');
      expect((await log.readBody(120, 'request', reader)).length).to.be.greaterThan(0);
      // A second run has nothing left to do.
      expect(await log.purge({ now: NOW })).to.include({ bodiesPurged: 0, recordsPurged: 0, firstSeq: 51 });
      // Appends go on after a purge and the chain still verifies.
      await bulkLoad({ knex: store.knex, client: store.client, signer: testSigner(), checkpointEvery: 1000 }, 5, { start: 150, baseTs: NOW.getTime() });
      expect((await log.verify()).ok).to.equal(true);
    });

    it('still detects tampering after a purge, and a removed anchor', async () => {
      const log = openLog(store, settings);
      await log.purge({ now: NOW });
      await store.knex('exchange_records').where({ seq: 70 }).update({ message_id: 'changed' });
      expect((await log.verify()).firstBreak).to.include({ seq: 70, kind: 'edited' });
      await store.knex('exchange_records').where({ seq: 70 }).update({ message_id: 'msg-00000069' });
      expect((await log.verify()).ok).to.equal(true);
      await store.knex('exchange_checkpoints').where({ seq: 50 }).delete();
      expect((await log.verify()).firstBreak).to.include({ seq: 51, kind: 'deleted' });
    });

    it('refuses to purge metadata over a broken chain', async () => {
      const log = openLog(store, settings);
      await store.knex('exchange_records').where({ seq: 20 }).update({ status_code: 299 });
      const r = await log.purge({ now: NOW });
      expect(r.recordsPurged).to.equal(0);
      expect(r.refused).to.include({ seq: 20, kind: 'edited' });
      expect(r.firstSeq).to.equal(1);
    });

    it('runs retention in the background when asked to', async () => {
      const log = openLog(store, settings, { purgeEveryMs: 20, now: () => NOW });
      const deadline = Date.now() + 5000;
      const purged = async () => Number((await store.knex('exchange_records').where('seq', '<=', 50).count('* as n').first())?.n) === 0;
      while (!(await purged()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await log.close();
      expect((await log.head()).bodiesPurgedThrough).to.equal(100);
      expect(await purged()).to.equal(true);
    });

    it('purging every record leaves the anchor at the head, which verifies', async () => {
      const log = openLog(store, settings);
      const r = await log.purge({ now: new Date(NOW.getTime() + 1000 * DAY) });
      expect(r).to.include({ recordsPurged: 150, firstSeq: null });
      const v = await log.verify();
      expect(v.ok).to.equal(true);
      expect(v.anchor).to.equal('checkpoint');
    });
  });
}
