import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import { openLog } from './log-context.js';
import { bulkLoad } from '../../../fixtures/exchange-log/bulk-load.js';
import { CLIENTS, SERVICES, sampleRecord, testSigner } from '../../../fixtures/exchange-log/sample-records.js';
import type { ExchangeLog } from '../../../src/exchange-log/exchange-log.js';
import type { SearchFilter } from '../../../src/exchange-log/exchange-queries.js';

const N = 100_000;
const BASE = Date.UTC(2026, 2, 2, 8, 0, 0);

/** The seqs a filter must return, newest first, from the generator itself (record i has seq i + 1). */
function expected(pred: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = N - 1; i >= 0; i--) if (pred(i)) out.push(i + 1);
  return out;
}

async function all(log: ExchangeLog, filter: SearchFilter, limit: number): Promise<{ seqs: number[]; pages: number }> {
  const seqs: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await log.search(filter, { limit, cursor });
    pages += 1;
    expect(page.items.length).to.be.at.most(limit);
    seqs.push(...page.items.map((x) => x.seq));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { seqs, pages };
}

forEachStore('exchange log: search and paging on 100k records', (ctx) => {
  let log: ExchangeLog;
  before(async function () {
    this.timeout(180_000);
    await bulkLoad({ knex: ctx.store.knex, client: ctx.store.client, signer: testSigner(), checkpointEvery: 10_000 }, N, { bodies: 'metadata', batch: 5000, baseTs: BASE });
    log = openLog(ctx.store);
  });

  it('pages through every record exactly once, newest first', async function () {
    this.timeout(60_000);
    const { seqs, pages } = await all(log, {}, 500);
    expect(pages).to.equal(N / 500);
    expect(seqs).to.deep.equal(expected(() => true));
  });

  it('filters by service code and status, across small pages', async () => {
    const svc = SERVICES.findIndex((s) => s.serviceCode === 'getHolder');
    const { seqs } = await all(log, { serviceCode: 'getHolder', status: 'fault' }, 37);
    expect(seqs).to.deep.equal(expected((i) => i % SERVICES.length === svc && i % 7 === 3));
  });

  it('filters by a one-hour window, client and direction', async () => {
    const from = BASE + 5 * 3_600_000;
    const to = from + 3_600_000;
    const inWindow = (i: number) => BASE + i * 1000 >= from && BASE + i * 1000 < to;
    expect((await all(log, { from, to }, 500)).seqs).to.deep.equal(expected(inWindow));
    const client = CLIENTS[1];
    expect((await all(log, { from, to, client, direction: 'out' }, 100)).seqs).to.deep.equal(
      expected((i) => inWindow(i) && i % CLIENTS.length === 1 && SERVICES[i % SERVICES.length].serviceCode === 'getSubjectByTin'),
    );
  });

  it('finds one exchange by message id, by user id and by fault code', async () => {
    const one = await log.search({ messageId: 'msg-00054321' });
    expect(one.items.map((x) => x.seq)).to.deep.equal([54322]);
    expect(one.nextCursor).to.equal(null);
    const userId = sampleRecord(777).userId as string;
    expect((await all(log, { userId }, 3)).seqs).to.deep.equal(expected((i) => i % 10000 === 777));
    expect((await all(log, { faultCode: 'Client.ValidationFailed', from: BASE, to: BASE + 100_000 }, 50)).seqs).to.deep.equal(expected((i) => i % 7 === 3 && i < 100));
  });

  it('caps the page size and refuses a forged cursor', async () => {
    expect((await log.search({}, { limit: 100_000 })).items.length).to.equal(500);
    const err = await log.search({}, { cursor: 'bm90LWEtY3Vyc29y' }).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'VALIDATION_FAILED');
  });

  it('computes per-service stats for a window', async () => {
    const from = BASE;
    const to = BASE + 7000 * 1000;
    const stats = await log.stats({ from, to });
    expect(stats.reduce((n, s) => n + s.count, 0)).to.equal(7000);
    const holder = stats.find((s) => s.serviceCode === 'getHolder');
    const idx = SERVICES.findIndex((s) => s.serviceCode === 'getHolder');
    const mine = Array.from({ length: 7000 }, (_, i) => i).filter((i) => i % SERVICES.length === idx);
    expect(holder?.count).to.equal(mine.length);
    expect(holder?.faults).to.equal(mine.filter((i) => i % 7 === 3).length);
    const durations = mine.map((i) => 6 + (i % 40)).sort((a, b) => a - b);
    expect(holder?.p50Ms).to.equal(durations[Math.ceil(0.5 * durations.length) - 1]);
    expect(holder?.p95Ms).to.equal(durations[Math.ceil(0.95 * durations.length) - 1]);
  });

  it('verifies the whole chain', async function () {
    this.timeout(60_000);
    const v = await log.verify();
    expect(v.ok).to.equal(true);
    expect(v.checked).to.equal(N);
    expect(v.checkpointsVerified).to.equal(10);
  });
});
