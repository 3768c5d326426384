import http from 'node:http';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import request from 'supertest';
import { forEachStore } from '../../helpers/stores.js';
import { startOps, TOKENS, type OpsServer } from './ops-context.js';
import { SAMPLE_INN, SAMPLE_PIN, sampleRecord, testSigner } from '../../../fixtures/exchange-log/sample-records.js';
import { verifyExport } from '../../../src/exchange-log/export-range.js';

const op = `Bearer ${TOKENS.operator}`;
const aud = `Bearer ${TOKENS.auditor}`;

/** A GET that also returns the HTTP trailers (supertest does not expose them). */
function getWithTrailers(url: string, auth: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; trailers: NodeJS.Dict<string>; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: auth } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, trailers: res.trailers, body }));
      })
      .on('error', reject);
  });
}

forEachStore('operator API /ops/v1', (ctx) => {
  let ops: OpsServer;
  const N = 40;
  before(async () => {
    ops = await startOps(ctx.store);
    for (let i = 0; i < N; i++) await ops.log.append(sampleRecord(i));
  });
  after(async () => {
    await ops?.close();
  });

  it('answers 401 in three languages without a token or with a wrong one, and logs each denial', async () => {
    const none = await request(ops.url).get('/ops/v1/exchanges').set('Accept-Language', 'ky');
    expect(none.status).to.equal(401);
    expect(none.headers['www-authenticate']).to.match(/^Bearer/);
    expect(none.body).to.include({ code: 'UNAUTHENTICATED' });
    expect(none.body.messages).to.have.keys('ky', 'ru', 'en');
    expect(none.body.message).to.equal(none.body.messages.ky);
    const wrong = await request(ops.url).get('/ops/v1/exchanges').set('Authorization', 'Bearer not-the-right-token-at-all');
    expect(wrong.status).to.equal(401);
    const reasons = ops.capture.find('operator access denied').map((l) => l.reason);
    expect(reasons).to.include.members(['no-token', 'invalid-token']);
    expect(JSON.stringify(ops.capture.lines)).to.not.include('not-the-right-token-at-all');
  });

  it('lets an auditor search and see metadata but not bodies (403, logged, not journaled)', async () => {
    const me = await request(ops.url).get('/ops/v1/me').set('Authorization', aud);
    expect(me.body).to.deep.equal({ name: 'bob-auditor', role: 'auditor' });
    const list = await request(ops.url).get('/ops/v1/exchanges?limit=5').set('Authorization', aud);
    expect(list.status).to.equal(200);
    expect(list.headers['cache-control']).to.equal('no-store');
    expect(list.body.items).to.have.length(5);
    expect((await request(ops.url).get('/ops/v1/exchanges/3').set('Authorization', aud)).body).to.include({ seq: 3, messageId: 'msg-00000002' });
    const denied = await request(ops.url).get('/ops/v1/exchanges/3/request').set('Authorization', aud);
    expect(denied.status).to.equal(403);
    expect(denied.body.code).to.equal('ACCESS_DENIED');
    expect(ops.capture.find('operator access denied').some((l) => l.reason === 'role' && l.operator === 'bob-auditor')).to.equal(true);
    expect((await request(ops.url).get('/ops/v1/body-reads?seq=3').set('Authorization', aud)).body.items).to.have.length(0);
    expect((await request(ops.url).post('/ops/v1/checkpoints').set('Authorization', aud)).status).to.equal(403);
  });

  it('journals every body read (who, when, why) before serving it as an inert download', async () => {
    const res = await request(ops.url).get('/ops/v1/exchanges/2/response?why=complaint%20%2342').set('Authorization', op).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/octet-stream');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['content-security-policy']).to.include('sandbox');
    expect((res.body as Buffer).equals(sampleRecord(1).responseBody as Buffer)).to.equal(true);
    const reads = await request(ops.url).get('/ops/v1/body-reads').set('Authorization', aud);
    expect(reads.body.items[0]).to.include({ operator: 'alice-operator', role: 'operator', via: 'api', seq: 2, part: 'response', why: 'complaint #42' });
    expect(reads.body.items[0].at).to.be.closeTo(Date.now(), 60_000);
    // seq 2 is record 1, which names the sample person: the read shows in the person's journal.
    const journal = await request(ops.url).get(`/ops/v1/access-journal?pin=${SAMPLE_PIN}`).set('Authorization', aud);
    expect(journal.body.operatorReads.map((r: { seq: number }) => r.seq)).to.include(2);
  });

  it('fails closed: no journal, no body', async () => {
    const k = ctx.store.knex;
    await k.schema.renameTable('exchange_body_reads', 'exchange_body_reads_away');
    try {
      const res = await request(ops.url).get('/ops/v1/exchanges/4/request').set('Authorization', op);
      expect(res.status).to.equal(503);
      expect(res.body.code).to.equal('EXCHANGE_LOG_UNAVAILABLE');
      expect(res.text).to.not.include('<req');
    } finally {
      await k.schema.renameTable('exchange_body_reads_away', 'exchange_body_reads');
    }
  });

  it('searches with filters and cursor paging, caps the limit, refuses bad parameters', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(ops.url).get('/ops/v1/exchanges').query({ serviceCode: 'getHolder', limit: 3, ...(cursor ? { cursor } : {}) }).set('Authorization', aud);
      expect(res.status).to.equal(200);
      seen.push(...res.body.items.map((x: { seq: number }) => x.seq));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).to.deep.equal(Array.from({ length: N }, (_, i) => i).filter((i) => i % 4 === 1).map((i) => i + 1).reverse());
    const faults = await request(ops.url).get('/ops/v1/exchanges?status=fault&direction=in&from=2026-03-02T08:00:00Z').set('Authorization', aud);
    expect(faults.body.items.every((x: { succeeded: boolean; direction: string }) => !x.succeeded && x.direction === 'in')).to.equal(true);
    expect((await request(ops.url).get('/ops/v1/exchanges?messageId=msg-00000007').set('Authorization', aud)).body.items.map((x: { seq: number }) => x.seq)).to.deep.equal([8]);
    expect((await request(ops.url).get('/ops/v1/exchanges?limit=99999').set('Authorization', aud)).body.items).to.have.length(N);
    const bad = await request(ops.url).get('/ops/v1/exchanges?status=maybe&from=yesterday&limit=0').set('Authorization', aud);
    expect(bad.status).to.equal(422);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).to.deep.equal(['from', 'limit', 'status']);
    expect((await request(ops.url).get('/ops/v1/exchanges/999999').set('Authorization', aud)).status).to.equal(404);
    expect((await request(ops.url).get('/ops/v1/exchanges/abc').set('Authorization', aud)).status).to.equal(422);
  });

  it('reports integrity, and the broken record after tampering', async () => {
    const ok = await request(ops.url).get('/ops/v1/integrity').set('Authorization', aud);
    expect(ok.body).to.include({ ok: true, checked: N });
    const k = ctx.store.knex;
    const orig = await k('exchange_records').where({ seq: 17 }).first();
    await k('exchange_records').where({ seq: 17 }).update({ fault_code: 'Client.Nothing' });
    try {
      const broken = await request(ops.url).get('/ops/v1/integrity').set('Authorization', aud);
      expect(broken.body.ok).to.equal(false);
      expect(broken.body.firstBreak).to.include({ seq: 17, kind: 'edited' });
      expect((await request(ops.url).get('/ops/v1/integrity?from=20&to=30').set('Authorization', aud)).body.ok).to.equal(true);
    } finally {
      await k('exchange_records').where({ seq: 17 }).update({ fault_code: orig.fault_code });
    }
  });

  it('exports NDJSON with progress headers and trailers; the file verifies offline against the certificate', async () => {
    const res = await getWithTrailers(`${ops.url}/ops/v1/export?format=ndjson&fromSeq=11&toSeq=35`, aud);
    expect(res.status).to.equal(200);
    expect(res.headers['x-export-total']).to.equal('25');
    expect(res.trailers['x-export-status']).to.equal('complete');
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; seq?: number });
    expect(lines[0].type).to.equal('header');
    expect(lines.filter((l) => l.type === 'checkpoint').map((l) => l.seq)).to.deep.equal([10, 20, 30]);
    expect(lines.filter((l) => l.type === 'record')).to.have.length(25);
    expect(lines[lines.length - 1].type).to.equal('end');
    expect(res.trailers['x-export-count']).to.equal(String(lines.length));
    const report = await verifyExport(() => Readable.from(res.body.split('\n')), [testSigner().certificate]);
    expect(report).to.include({ ok: true, anchor: 'checkpoint', checked: 25, lastVerifiedCheckpoint: 30, unsignedTail: 5 });
  });

  it('exports CSV', async () => {
    const res = await getWithTrailers(`${ops.url}/ops/v1/export?format=csv&fromSeq=1&toSeq=5`, op);
    expect(res.headers['content-type']).to.match(/^text\/csv/);
    const rows = res.body.trim().split('\r\n');
    expect(rows).to.have.length(6);
    expect(rows[0].split(',').slice(0, 3)).to.deep.equal(['seq', 'direction', 'transport']);
  });

  it('gives per-service stats for a window, and the access journal of a holder', async () => {
    const stats = await request(ops.url).get('/ops/v1/stats?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z').set('Authorization', aud);
    expect(stats.body.services.reduce((n: number, s: { count: number }) => n + s.count, 0)).to.equal(N);
    expect(stats.body.services[0]).to.have.keys('direction', 'service', 'serviceCode', 'count', 'faults', 'errorRate', 'p50Ms', 'p95Ms', 'maxMs');
    const journal = await request(ops.url).get(`/ops/v1/access-journal?inn=${SAMPLE_INN}&limit=5`).set('Authorization', aud);
    expect(journal.status).to.equal(200);
    expect(journal.body.entries).to.have.length(5);
    expect(journal.body.entries[0]).to.include.keys('seq', 'at', 'client', 'serviceCode', 'operationKind', 'succeeded');
    expect(journal.body.nextCursor).to.be.a('string');
    expect((await request(ops.url).get('/ops/v1/access-journal?inn=123').set('Authorization', aud)).status).to.equal(422);
    expect((await request(ops.url).get(`/ops/v1/access-journal?inn=${SAMPLE_INN}&pin=${SAMPLE_PIN}`).set('Authorization', aud)).status).to.equal(422);
  });

  it('signs a checkpoint on an operator\'s demand', async () => {
    const res = await request(ops.url).post('/ops/v1/checkpoints').set('Authorization', op);
    expect(res.status).to.equal(200);
    expect(res.body.checkpoint).to.include({ seq: N });
    const list = await request(ops.url).get('/ops/v1/checkpoints').set('Authorization', aud);
    expect(list.body.items[0].seq).to.equal(N);
  });
});
