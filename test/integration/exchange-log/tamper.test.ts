import { expect } from 'chai';
import type { Knex } from 'knex';
import { freshStore, postgresAvailable, type TestStore } from '../../helpers/stores.js';
import { openLog } from './log-context.js';
import { otherSigner, sampleRecord } from '../../../fixtures/exchange-log/sample-records.js';
import { recordFromRow, recordToRow, RECORD_COLUMNS, type ExchangeRecord } from '../../../src/exchange-log/exchange-record.js';
import { recordHash } from '../../../src/exchange-log/record-hash.js';
import { signCheckpoint, checkpointToRow } from '../../../src/exchange-log/checkpoint.js';
import type { VerifyReport } from '../../../src/exchange-log/verify-store.js';

const N = 30;

async function chain(store: TestStore, checkpointEvery = 1000): Promise<void> {
  const log = openLog(store, { checkpointEvery });
  for (let i = 0; i < N; i++) await log.append(sampleRecord(i));
  await log.flush();
}

async function row(k: Knex, seq: number): Promise<ExchangeRecord> {
  return recordFromRow(await k('exchange_records').select(RECORD_COLUMNS).where({ seq }).first());
}

async function verify(store: TestStore): Promise<VerifyReport> {
  return openLog(store).verify();
}

/** Rewrites records from..to with the given change, recomputing every hash so that each links to its new predecessor. */
async function rewriteChain(k: Knex, from: number, to: number, change: (r: ExchangeRecord) => void): Promise<void> {
  let prev = (await row(k, from)).prevHash;
  for (let s = from; s <= to; s++) {
    const r = await row(k, s);
    change(r);
    r.prevHash = prev;
    r.hash = recordHash(r, prev);
    prev = r.hash;
    await k('exchange_records').where({ seq: s }).update(recordToRow(r));
  }
  await k('exchange_chain_head').where({ id: 1 }).update({ hash: prev });
}

for (const client of ['sqlite', 'postgres'] as const) {
  describe(`exchange log: tampering is detected at the right record [${client}]`, function () {
    let store: TestStore;
    before(async function () {
      if (client === 'postgres' && !(await postgresAvailable())) {
        console.warn('      PostgreSQL not reachable: tamper tests run on SQLite only');
        this.skip();
      }
    });
    beforeEach(async () => {
      store = await freshStore(client);
    });
    afterEach(async () => {
      await store?.dispose();
    });

    it('an intact chain verifies', async () => {
      await chain(store);
      const v = await verify(store);
      expect(v.ok).to.equal(true);
      expect(v.checked).to.equal(N);
      expect(v.bodiesChecked).to.equal(N);
      expect(v.anchor).to.equal('genesis');
    });

    it('an edited field', async () => {
      await chain(store);
      await store.knex('exchange_records').where({ seq: 7 }).update({ client: 'central-server/GOV/70000050/someone-else' });
      const v = await verify(store);
      expect(v.firstBreak).to.include({ seq: 7, kind: 'edited' });
    });

    it('an edited field with its hash recomputed', async () => {
      await chain(store);
      const r = await row(store.knex, 7);
      r.succeeded = !r.succeeded;
      r.hash = recordHash(r, r.prevHash);
      await store.knex('exchange_records').where({ seq: 7 }).update(recordToRow(r));
      const v = await verify(store);
      expect(v.firstBreak).to.include({ seq: 7, kind: 'edited' });
    });

    it('the last record rewritten with its hash recomputed (caught by the chain head)', async () => {
      await chain(store);
      const r = await row(store.knex, N);
      r.succeeded = !r.succeeded;
      r.hash = recordHash(r, r.prevHash);
      await store.knex('exchange_records').where({ seq: N }).update(recordToRow(r));
      expect((await verify(store)).firstBreak).to.include({ seq: N, kind: 'edited' });
    });

    it('a deleted record', async () => {
      await chain(store);
      await store.knex('exchange_records').where({ seq: 12 }).delete();
      expect((await verify(store)).firstBreak).to.include({ seq: 12, kind: 'deleted' });
    });

    it('deleted records at the end', async () => {
      await chain(store);
      await store.knex('exchange_records').where('seq', '>', N - 3).delete();
      expect((await verify(store)).firstBreak).to.include({ seq: N - 2, kind: 'deleted' });
    });

    it('two records swapped', async () => {
      await chain(store);
      const k = store.knex;
      await k('exchange_records').where({ seq: 5 }).update({ seq: -5 });
      await k('exchange_records').where({ seq: 6 }).update({ seq: 5 });
      await k('exchange_records').where({ seq: -5 }).update({ seq: 6 });
      expect((await verify(store)).firstBreak).to.include({ seq: 5, kind: 'reordered' });
    });

    it('a forged record appended beyond the head', async () => {
      await chain(store);
      const last = await row(store.knex, N);
      const forged = { ...last, seq: N + 1, messageId: 'forged', prevHash: last.hash };
      forged.hash = recordHash(forged, forged.prevHash);
      await store.knex('exchange_records').insert(recordToRow(forged));
      expect((await verify(store)).firstBreak).to.include({ seq: N + 1, kind: 'forged' });
    });

    it('a forged record that does not chain', async () => {
      await chain(store);
      const last = await row(store.knex, N);
      const forged = { ...last, seq: N + 1, messageId: 'forged', prevHash: 'f'.repeat(64) };
      forged.hash = recordHash(forged, forged.prevHash);
      await store.knex('exchange_records').insert(recordToRow(forged));
      await store.knex('exchange_chain_head').where({ id: 1 }).update({ seq: N + 1, hash: forged.hash });
      expect((await verify(store)).firstBreak).to.include({ seq: N + 1, kind: 'forged' });
    });

    it('a forged record inserted in the middle, the rest renumbered', async () => {
      await chain(store);
      const k = store.knex;
      for (const table of ['exchange_records', 'exchange_bodies']) {
        await k(table).where('seq', '>=', 8).update({ seq: k.raw('-(seq + 1)') });
        await k(table).where('seq', '<', 0).update({ seq: k.raw('-seq') });
      }
      const seven = await row(k, 7);
      const forged = { ...seven, seq: 8, messageId: 'inserted', bodiesStored: false, requestSha256: null, responseSha256: null, prevHash: seven.hash };
      forged.hash = recordHash(forged, forged.prevHash);
      await k('exchange_records').insert(recordToRow(forged));
      await k('exchange_chain_head').where({ id: 1 }).update({ seq: N + 1 });
      expect((await verify(store)).firstBreak).to.include({ seq: 8, kind: 'forged' });
    });

    it('a whole tail rewritten with recomputed hashes (caught by the signed checkpoint)', async () => {
      await chain(store, 10);
      await rewriteChain(store.knex, 8, N, (r) => {
        r.issue = 'rewritten';
      });
      const v = await verify(store);
      expect(v.firstBreak).to.include({ seq: 10, kind: 'checkpoint-mismatch' });
    });

    it('a rewritten tail with checkpoints re-signed by another key', async () => {
      await chain(store, 10);
      await rewriteChain(store.knex, 8, N, (r) => {
        r.userId = null;
      });
      const mallory = otherSigner();
      for (const seq of [10, 20, 30]) {
        const r = await row(store.knex, seq);
        await store.knex('exchange_checkpoints').where({ seq }).delete();
        await store.knex('exchange_checkpoints').insert(checkpointToRow(signCheckpoint(mallory, seq, r.hash, new Date(), 'periodic')));
      }
      expect((await verify(store)).firstBreak).to.include({ seq: 10, kind: 'checkpoint-mismatch' });
    });

    it('an edited body', async () => {
      await chain(store);
      await store.knex('exchange_bodies').where({ seq: 9 }).update({ response: Buffer.from('<res>changed</res>') });
      const v = await verify(store);
      expect(v.firstBreak).to.include({ seq: 9, kind: 'body-edited' });
      expect((await openLog(store).verify({ bodies: false })).ok).to.equal(true);
    });

    it('a deleted body that retention did not purge', async () => {
      await chain(store);
      await store.knex('exchange_bodies').where({ seq: 4 }).delete();
      expect((await verify(store)).firstBreak).to.include({ seq: 4, kind: 'body-edited' });
    });

    it('a range verify starts at the signed checkpoint before it and reports only what it walked', async () => {
      await chain(store, 10);
      const log = openLog(store);
      const v = await log.verify({ from: 15, to: 25 });
      expect(v).to.include({ ok: true, anchor: 'checkpoint', from: 15, to: 25, checked: 15 });
      expect(v.lastVerifiedCheckpoint).to.equal(20);
      expect(v.unsignedTail).to.equal(5);
      await store.knex('exchange_records').where({ seq: 3 }).update({ issue: 'x' });
      expect((await log.verify({ from: 15, to: 25 })).ok).to.equal(true);
      expect((await log.verify({ from: 1, to: 25 })).firstBreak).to.include({ seq: 3, kind: 'edited' });
    });
  });
}
