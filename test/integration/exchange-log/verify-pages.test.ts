import fs from 'node:fs';
import { expect } from 'chai';
import { forEachStore, freshStore, type TestStore } from '../../helpers/stores.js';
import { openLog } from './log-context.js';
import { sampleRecord, testSigner } from '../../../fixtures/exchange-log/sample-records.js';
import { bulkLoad } from '../../../fixtures/exchange-log/bulk-load.js';
import { RECORD_COLUMNS, recordFromRow } from '../../../src/exchange-log/exchange-record.js';
import { HASH_VERSION, canonicalEncoding } from '../../../src/exchange-log/record-hash.js';
import { pageSql, parsePage } from '../../../src/exchange-log/verify-pages.js';
import type { Row } from '../../../src/exchange-log/exchange-record.js';

const rowsOf = (res: unknown): Row[] => (Array.isArray(res) ? res : (res as { rows: Row[] }).rows) as Row[];

/** Records whose text is not ASCII (Kyrgyz, Russian, a character outside the BMP) and whose optional fields vary. */
function multiByteRecord(i: number) {
  const r = sampleRecord(i);
  return {
    ...r,
    messageId: `сообщение-${i}-🙂`,
    userId: i % 2 ? undefined : `колдонуучу-${i}`,
    issue: i % 3 ? `Өтүнүч №${i} — ңүө` : undefined,
    faultString: i % 4 === 0 ? `ошибка «${i}» 𝄞` : r.faultString,
  };
}

forEachStore('exchange log: verification pages built by the database', (ctx) => {
  it('frame every record with exactly the bytes the canonical encoding hashes', async () => {
    const log = openLog(ctx.store, { checkpointEvery: 1000 });
    for (let i = 0; i < 40; i++) await log.append(multiByteRecord(i));
    await log.flush();
    const k = ctx.store.knex;
    const page = rowsOf(await k.raw(pageSql(ctx.client), [1, 40]))[0].page as Buffer | string;
    const items = parsePage(page);
    const rows = await k('exchange_records').select(RECORD_COLUMNS).orderBy('seq');
    expect(items.map((i) => i.seq)).to.deep.equal(rows.map((r) => Number(r.seq)));
    for (const [n, row] of rows.entries()) {
      const rec = recordFromRow(row);
      expect(Buffer.from(items[n].preimage).equals(Buffer.from(`${HASH_VERSION}\n${canonicalEncoding(rec)}\n${rec.prevHash}`, 'utf8')), `record ${rec.seq}`).to.equal(true);
      expect(items[n]).to.include({ hash: rec.hash, prevHash: rec.prevHash });
    }
    const v = await log.verify();
    expect(v).to.include({ ok: true, checked: 40 });
    await k('exchange_records').where({ seq: 17 }).update({ issue: 'Өтүнүч №17 — ңүө!' });
    expect((await log.verify()).firstBreak).to.include({ seq: 17, kind: 'edited' });
    await log.close();
  });

  it('walk a chain of several pages fetched ahead, and still name the broken record', async function () {
    this.timeout(60_000);
    const k = ctx.store.knex;
    await k('exchange_records').del();
    await k('exchange_checkpoints').del();
    await k('exchange_subjects').del();
    await k('exchange_bodies').del();
    await k('exchange_chain_head').update({ seq: 0, hash: '0'.repeat(64) });
    await bulkLoad({ knex: k, client: ctx.client, signer: testSigner(), checkpointEvery: 2000 }, 10_500, { bodies: 'metadata', batch: 5000 });
    const log = openLog(ctx.store);
    const ok = await log.verify();
    expect(ok).to.include({ ok: true, checked: 10_500, checkpointsVerified: 5 });
    // In the third page: bodies_stored flipped (PostgreSQL), or a value the writer cannot have produced (SQLite).
    await k('exchange_records').where({ seq: 10_202 }).update({ bodies_stored: ctx.client === 'sqlite' ? 2 : true });
    expect((await log.verify()).firstBreak).to.include({ seq: 10_202, kind: 'edited' });
    expect((await log.verify({ bodies: false })).firstBreak).to.include({ seq: 10_202, kind: 'edited' });
    await k('exchange_records').where({ seq: 10_202 }).update({ bodies_stored: false });
    expect(await log.verify()).to.include({ ok: true, checked: 10_500 });
    await k('exchange_records').where({ seq: 5001 }).del();
    expect((await log.verify()).firstBreak).to.include({ seq: 5001, kind: 'deleted' });
    await log.close();
  });
});

describe('exchange log: SQLite pages built in worker threads', () => {
  let store: TestStore;
  before(async () => {
    store = await freshStore('sqlite');
  });
  after(() => store.dispose());

  it('verify a long chain through the page workers, a short one on the store connection, and fail with the reason when the workers cannot read the file', async function () {
    this.timeout(60_000);
    const N = 25_000; // more than the 20,000 records read on the store's connection
    await bulkLoad({ knex: store.knex, client: 'sqlite', signer: testSigner(), checkpointEvery: 5000 }, N, { bodies: 'metadata', batch: 5000 });
    const log = openLog(store);
    expect(await log.verify()).to.include({ ok: true, checked: N });
    // The store's own connection keeps the file open; a page worker opening it by name finds nothing.
    const moved = `${store.location}.moved`;
    fs.renameSync(store.location, moved);
    try {
      let failure: Error | undefined;
      await log.verify().catch((e: Error) => (failure = e));
      expect(failure?.message).to.match(/^reading the exchange log failed: .*unable to open database file/);
      expect(await log.verify({ from: N - 100, to: N })).to.include({ ok: true, anchor: 'checkpoint' });
    } finally {
      fs.renameSync(moved, store.location);
    }
    expect(await log.verify()).to.include({ ok: true, checked: N });
    await log.close();
  });
});
