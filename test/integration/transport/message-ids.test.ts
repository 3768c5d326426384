import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import { MessageIds } from '../../../src/xroad/message-ids.js';
import { AppError } from '../../../src/errors/app-error.js';
import { finishExchange, type ExchangeBase } from '../../../src/operations/invoke-operation.js';
import { silentLogger } from '../../../src/log/logger.js';
import { sampleRecord } from '../../../fixtures/exchange-log/sample-records.js';
import { openLog } from '../exchange-log/log-context.js';
import { MemoryExchangeLog } from './harness.js';

const baseOpts = { retentionSeconds: 3600, waitForPendingMs: 300, pendingTakeoverSeconds: 60, pollMs: 10 };
const opts = baseOpts;
const response = (text: string) => ({ status: 200, contentType: 'text/xml; charset=utf-8', body: Buffer.from(text) });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
  return 'no error';
}

forEachStore('message ids', (ctx) => {
  it('a new id is claimed once; a repeat with the same hash gets the stored response', async () => {
    const ids = new MessageIds(ctx.store, opts);
    const first = await ids.claim('c/GOV/1/a', 'm-1', 'h1');
    expect(first.kind).to.equal('new');
    if (first.kind !== 'new') return;
    expect(await ids.complete('c/GOV/1/a', 'm-1', first.token, response('<r/>'))).to.equal(true);
    const again = await ids.claim('c/GOV/1/a', 'm-1', 'h1');
    expect(again.kind).to.equal('replay');
    if (again.kind === 'replay') {
      expect(again.response.body.toString()).to.equal('<r/>');
      expect(again.response.contentType).to.equal('text/xml; charset=utf-8');
      expect(again.response.status).to.equal(200);
      expect(again.response.faultCode).to.equal(undefined);
    }
    const f = await ids.claim('c/GOV/1/a', 'm-1f', 'h1');
    if (f.kind !== 'new') throw new Error('expected new');
    await ids.complete('c/GOV/1/a', 'm-1f', f.token, { ...response('<fault/>'), status: 500, faultCode: 'Client.ValidationFailed', faultString: 'bad' });
    const fr = await ids.claim('c/GOV/1/a', 'm-1f', 'h1');
    expect(fr.kind === 'replay' && [fr.response.status, fr.response.faultCode, fr.response.faultString]).to.deep.equal([500, 'Client.ValidationFailed', 'bad']);
  });

  it('a repeat with another hash is DUPLICATE_MESSAGE_ID; other clients have their own ids', async () => {
    const ids = new MessageIds(ctx.store, opts);
    expect((await ids.claim('c/GOV/1/a', 'm-2', 'h1')).kind).to.equal('new');
    expect(await codeOf(ids.claim('c/GOV/1/a', 'm-2', 'h2'))).to.equal('DUPLICATE_MESSAGE_ID');
    expect((await ids.claim('c/GOV/2/b', 'm-2', 'h2')).kind).to.equal('new');
  });

  it('ids and clients longer than the column are kept by digest, still unique', async () => {
    const ids = new MessageIds(ctx.store, opts);
    const long = 'x'.repeat(1024);
    expect((await ids.claim('c/GOV/1/' + 'a'.repeat(300), long, 'h')).kind).to.equal('new');
    expect(await codeOf(ids.claim('c/GOV/1/' + 'a'.repeat(300), long, 'other'))).to.equal('DUPLICATE_MESSAGE_ID');
    expect((await ids.claim('c/GOV/1/' + 'a'.repeat(300), `${long}y`, 'h')).kind).to.equal('new');
  });

  it('a concurrent duplicate waits for the first response, or gets MESSAGE_IN_PROGRESS', async () => {
    const a = new MessageIds(ctx.store, opts);
    const b = new MessageIds(ctx.store, opts);
    const first = await a.claim('c/GOV/1/a', 'm-3', 'h');
    if (first.kind !== 'new') throw new Error('expected new');
    const waiting = b.claim('c/GOV/1/a', 'm-3', 'h');
    setTimeout(() => void a.complete('c/GOV/1/a', 'm-3', first.token, response('done')), 60);
    const got = await waiting;
    expect(got.kind).to.equal('replay');
    const second = await a.claim('c/GOV/1/a', 'm-4', 'h');
    expect(second.kind).to.equal('new');
    expect(await codeOf(b.claim('c/GOV/1/a', 'm-4', 'h'))).to.equal('MESSAGE_IN_PROGRESS');
  });

  it('of many concurrent claims of one id exactly one wins', async () => {
    const claimers = Array.from({ length: 8 }, () => new MessageIds(ctx.store, { ...opts, waitForPendingMs: 0 }));
    const results = await Promise.allSettled(claimers.map((m) => m.claim('c/GOV/1/a', 'm-race', 'h')));
    const won = results.filter((r) => r.status === 'fulfilled' && r.value.kind === 'new');
    expect(won).to.have.length(1);
  });

  it('claims made together share one statement: each new id wins once, a repeated id inside the batch waits for its first', async () => {
    const ids = new MessageIds(ctx.store, { ...opts, waitForPendingMs: 0 });
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => ids.claim('c/GOV/1/a', `m-batch-${i}`, 'h')),
      ids.claim('c/GOV/1/a', 'm-batch-0', 'h'),
      ids.claim('c/GOV/1/a', 'm-batch-1', 'other'),
      ids.claim('c/GOV/2/b', 'm-batch-0', 'h'),
    ]);
    const kinds = results.map((r) => (r.status === 'fulfilled' ? r.value.kind : r.reason instanceof AppError ? r.reason.code : String(r.reason)));
    expect(kinds.slice(0, 20)).to.deep.equal(Array(20).fill('new'));
    expect(kinds.slice(20)).to.deep.equal(['MESSAGE_IN_PROGRESS', 'DUPLICATE_MESSAGE_ID', 'new']);
    expect(ids.stats).to.deep.equal({ claims: 23, claimStatements: 1 });
    const rows = await ctx.store.knex('xroad_message_ids').where('message_id', 'like', 'm-batch-%').count({ n: '*' }).first();
    expect(Number(rows?.n)).to.equal(21);
  });

  it('a failed claim statement fails every claim of its batch, and the next batch goes on', async () => {
    const ids = new MessageIds(ctx.store, opts);
    await ctx.store.knex.schema.renameTable('xroad_message_ids', 'xroad_message_ids_away');
    let failed: PromiseSettledResult<unknown>[];
    try {
      failed = await Promise.allSettled([ids.claim('c/GOV/1/a', 'm-f-1', 'h'), ids.claim('c/GOV/1/a', 'm-f-2', 'h')]);
    } finally {
      await ctx.store.knex.schema.renameTable('xroad_message_ids_away', 'xroad_message_ids');
    }
    expect(failed.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    expect((await ids.claim('c/GOV/1/a', 'm-f-1', 'h')).kind).to.equal('new');
  });

  it('a released claim may be retried; an abandoned one is taken over; expired rows are purged', async () => {
    const ids = new MessageIds(ctx.store, { ...opts, pendingTakeoverSeconds: 1 });
    const c = await ids.claim('c/GOV/1/a', 'm-5', 'h');
    if (c.kind !== 'new') throw new Error('expected new');
    await ids.release('c/GOV/1/a', 'm-5', c.token);
    expect((await ids.claim('c/GOV/1/a', 'm-5', 'h2')).kind).to.equal('new');
    await ctx.store.knex('xroad_message_ids').where({ message_id: 'm-5' }).update({ updated_at_ms: Date.now() - 5000 });
    const taken = await ids.claim('c/GOV/1/a', 'm-5', 'h2');
    expect(taken.kind).to.equal('new');
    if (taken.kind === 'new' && c.kind === 'new') expect(await ids.complete('c/GOV/1/a', 'm-5', c.token, response('late'))).to.equal(false);
    const now = Date.now();
    const purged = await ids.purgeExpired(now + 3601_000);
    expect(purged).to.be.greaterThan(0);
    const left = await ctx.store.knex('xroad_message_ids').count({ n: '*' }).first();
    expect(Number(left?.n)).to.equal(0);
  });

  for (const readClaims of ['upfront', 'log-batch'] as const) describe(`a read's response is stored once, by the exchange log (read claims ${readClaims})`, () => {
    const CLIENT = 'c/GOV/1/a';
    const opts = { ...baseOpts, readClaims };
    const mid = (n: number) => `m-log-${readClaims}-${n}`;
    const claimNew = async (ids: MessageIds, messageId: string) => {
      const c = await ids.claim(CLIENT, messageId, 'h', Date.now(), 'read');
      if (c.kind !== 'new') throw new Error('expected a new claim');
      return c;
    };
    const row = (messageId: string) => ctx.store.knex('xroad_message_ids').where({ client: CLIENT, message_id: messageId }).first();

    it('the batch that logs the response completes the claim; the row names the record and holds no copy', async () => {
      const ids = new MessageIds(ctx.store, opts);
      const log = openLog(ctx.store);
      const c = await claimNew(ids, mid(1));
      const record = { ...sampleRecord(1), messageId: mid(1), responseBody: Buffer.from('<read-response/>'), replayClaim: { ref: c.ref, contentType: 'text/xml; charset=utf-8' } };
      const { seq } = await log.append(record);
      ids.logged(c.ref);
      const stored = await row(mid(1));
      expect([stored.state, Number(stored.response_seq), stored.response_body]).to.deep.equal(['done', seq, null]);
      const again = await ids.claim(CLIENT, mid(1), 'h');
      expect(again.kind === 'replay' && [again.response.body.toString(), again.response.contentType, again.response.status]).to.deep.equal(['<read-response/>', 'text/xml; charset=utf-8', record.statusCode]);
      await log.close();
    });

    it('a log that keeps metadata only stores the bytes in the row; a Client fault replays as the fault', async () => {
      const ids = new MessageIds(ctx.store, opts);
      const log = openLog(ctx.store, { bodies: 'metadata' });
      const c = await claimNew(ids, mid(2));
      await log.append({ ...sampleRecord(2), messageId: mid(2), succeeded: false, statusCode: 500, faultCode: 'Client.NotFound', faultString: 'no such holder', responseBody: Buffer.from('<fault/>'), replayClaim: { ref: c.ref, contentType: 'text/xml' } });
      ids.logged(c.ref);
      expect(Buffer.from((await row(mid(2))).response_body).toString()).to.equal('<fault/>');
      const again = await ids.claim(CLIENT, mid(2), 'h');
      expect(again.kind === 'replay' && [again.response.body.toString(), again.response.status, again.response.faultCode, again.response.faultString]).to.deep.equal(['<fault/>', 500, 'Client.NotFound', 'no such holder']);
      await log.close();
    });

    it('once the log no longer holds the response, a repeat runs the read again', async () => {
      const ids = new MessageIds(ctx.store, opts);
      const log = openLog(ctx.store);
      const c = await claimNew(ids, mid(3));
      const { seq } = await log.append({ ...sampleRecord(3), messageId: mid(3), responseBody: Buffer.from('<r/>'), replayClaim: { ref: c.ref, contentType: 'text/xml' } });
      ids.logged(c.ref);
      await ctx.store.knex('exchange_bodies').where({ seq }).update({ response: null });
      expect((await ids.claim(CLIENT, mid(3), 'h')).kind).to.equal('new');
      await log.close();
    });

    if (readClaims === 'upfront') it('a claim taken over before its batch committed is left to the new owner', async () => {
      const ids = new MessageIds(ctx.store, { ...opts, pendingTakeoverSeconds: 0 });
      const log = openLog(ctx.store);
      const stale = await claimNew(ids, mid(4));
      await new Promise((r) => setTimeout(r, 5));
      const fresh = await claimNew(ids, mid(4));
      await log.append({ ...sampleRecord(4), messageId: mid(4), responseBody: Buffer.from('<late/>'), replayClaim: { ref: stale.ref, contentType: 'text/xml' } });
      const stored = await row(mid(4));
      expect([stored.state, stored.owner]).to.deep.equal(['pending', fresh.token]);
      expect(log.writerStats.records).to.equal(1);
      await log.close();
    });

    it('when the log append fails, the claim is released so that a retry runs the read again', async () => {
      const ids = new MessageIds(ctx.store, opts);
      const writer = new MemoryExchangeLog();
      writer.failNext = true;
      const c = await claimNew(ids, mid(5));
      const { responseBody, statusCode, ...rest } = sampleRecord(5);
      const base = rest as ExchangeBase;
      const rendered = { status: statusCode, contentType: 'text/xml', body: responseBody ?? Buffer.from('<r/>') };
      const sent = await finishExchange(writer, { base, rendered, subjects: [], durable: false, claim: { ref: c.ref, messageIds: ids } }, silentLogger(), () => rendered);
      expect(sent).to.equal(rendered);
      for (let i = 0; i < 50 && (await row(mid(5))); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await row(mid(5))).to.equal(undefined);
      expect((await ids.claim(CLIENT, mid(5), 'h')).kind).to.equal('new');
    });
      it('a log writer that throws at once releases the claim as one that rejects', async () => {
      const ids = new MessageIds(ctx.store, opts);
      const c = await claimNew(ids, mid(10));
      const throwing = {
        append(): Promise<{ seq: number }> {
          throw new Error('writer broke');
        },
      };
      const { responseBody, statusCode, ...rest } = sampleRecord(10);
      const rendered = { status: statusCode, contentType: 'text/xml', body: responseBody ?? Buffer.from('<r/>') };
      expect(await finishExchange(throwing, { base: rest as ExchangeBase, rendered, subjects: [], durable: false, claim: { ref: c.ref, messageIds: ids } }, silentLogger(), () => rendered)).to.equal(rendered);
      for (let i = 0; i < 50 && (await row(mid(10))); i++) await new Promise((r) => setTimeout(r, 10));
      const again = await ids.claim(CLIENT, mid(10), 'h', Date.now(), 'read');
      expect(again.kind === 'new' && again.token).to.not.equal(c.token);
    });

    if (readClaims === 'log-batch') {
      it('nothing is written before the log: a repeat waits for the first and replays its logged response; another body, or a write with the id, is refused at once', async () => {
        const ids = new MessageIds(ctx.store, opts);
        const log = openLog(ctx.store);
        const c = await claimNew(ids, mid(6));
        expect(c.ref.insert?.requestHash).to.equal('h');
        expect(await row(mid(6))).to.equal(undefined);
        const repeat = ids.claim(CLIENT, mid(6), 'h', Date.now(), 'read');
        expect(await codeOf(ids.claim(CLIENT, mid(6), 'other', Date.now(), 'read'))).to.equal('DUPLICATE_MESSAGE_ID');
        expect(await codeOf(ids.claim(CLIENT, mid(6), 'other'))).to.equal('DUPLICATE_MESSAGE_ID');
        // Another transport of the process (its own MessageIds) sees the held claim too.
        expect(await codeOf(new MessageIds(ctx.store, opts).claim(CLIENT, mid(6), 'other', Date.now(), 'read'))).to.equal('DUPLICATE_MESSAGE_ID');
        const { responseBody, statusCode, ...rest } = { ...sampleRecord(6), messageId: mid(6), responseBody: Buffer.from('<first/>') };
        const rendered = { status: statusCode, contentType: 'text/xml', body: responseBody };
        await finishExchange(log, { base: rest as ExchangeBase, rendered, subjects: [], durable: false, claim: { ref: c.ref, messageIds: ids } }, silentLogger(), () => rendered);
        const got = await repeat;
        expect(got.kind === 'replay' && got.response.body.toString()).to.equal('<first/>');
        const stored = await row(mid(6));
        expect([stored.state, stored.owner, stored.request_hash, stored.response_body]).to.deep.equal(['done', c.token, 'h', null]);
        expect(await codeOf(ids.claim(CLIENT, mid(6), 'other'))).to.equal('DUPLICATE_MESSAGE_ID');
        await log.close();
      });

      it('a repeat of a held claim gets MESSAGE_IN_PROGRESS after waitForPendingMs; a released one runs again; an abandoned one is taken over', async () => {
        const ids = new MessageIds(ctx.store, { ...opts, waitForPendingMs: 30 });
        const c = await claimNew(ids, mid(7));
        expect(await codeOf(ids.claim(CLIENT, mid(7), 'h', Date.now(), 'read'))).to.equal('MESSAGE_IN_PROGRESS');
        await ids.release(CLIENT, mid(7), c.token);
        const again = await claimNew(ids, mid(7));
        expect(again.token).to.not.equal(c.token);
        const quick = new MessageIds(ctx.store, { ...opts, pendingTakeoverSeconds: 0 });
        await new Promise((r) => setTimeout(r, 5));
        const taken = await claimNew(quick, mid(7));
        expect(taken.token).to.not.equal(again.token);
        // The one taken over lets go of nothing that is no longer its own.
        await ids.release(CLIENT, mid(7), again.token);
        expect(await codeOf(ids.claim(CLIENT, mid(7), 'other', Date.now(), 'read'))).to.equal('DUPLICATE_MESSAGE_ID');
        await quick.release(CLIENT, mid(7), taken.token);
      });

      it('of reads of one id logged by two processes that did not see each other, the first batch keeps the id', async () => {
        const ids = new MessageIds(ctx.store, opts);
        const log = openLog(ctx.store);
        const first = await claimNew(ids, mid(8));
        await ids.release(CLIENT, mid(8), first.token);
        const second = await claimNew(ids, mid(8));
        const one = await log.append({ ...sampleRecord(8), messageId: mid(8), responseBody: Buffer.from('<one/>'), replayClaim: { ref: first.ref, contentType: 'text/xml' } });
        await log.append({ ...sampleRecord(9), messageId: mid(8), responseBody: Buffer.from('<two/>'), replayClaim: { ref: second.ref, contentType: 'text/xml' } });
        const stored = await row(mid(8));
        expect([stored.owner, Number(stored.response_seq)]).to.deep.equal([first.token, one.seq]);
        expect(log.writerStats.records).to.equal(2);
        ids.logged(second.ref);
        const again = await ids.claim(CLIENT, mid(8), 'h', Date.now(), 'read');
        expect(again.kind === 'replay' && again.response.body.toString()).to.equal('<one/>');
        await log.close();
      });
    }
  });
});
