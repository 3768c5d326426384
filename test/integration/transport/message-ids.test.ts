import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import { MessageIds } from '../../../src/xroad/message-ids.js';
import { AppError } from '../../../src/errors/app-error.js';

const opts = { retentionSeconds: 3600, waitForPendingMs: 300, pendingTakeoverSeconds: 60, pollMs: 10 };
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
});
