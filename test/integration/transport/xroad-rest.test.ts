import { expect } from 'chai';
import http from 'node:http';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { newId, PORTAL, startServer, testConfig, type TestServer } from './harness.js';
import { newCalls, testTable, type Calls } from './test-group.js';

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Raw HTTP, so that a header can be sent twice (fetch would merge it). */
function request(url: string, opts: { method?: string; headers?: Array<[string, string]>; body?: string; localAddress?: string }): Promise<Res> {
  return new Promise((resolve, reject) => {
    // An array of raw headers keeps repeats apart; Node then adds no Host of its own.
    const flat: string[] = ['Host', new URL(url).host];
    for (const [k, v] of opts.headers ?? []) flat.push(k, v);
    if (opts.body !== undefined) flat.push('Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(opts.body)));
    const req = http.request(url, { method: opts.method ?? 'POST', headers: flat, localAddress: opts.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const PING = '/r1/central-server/GOV/70000099/adapter-test/ping';
const RECORD = '/r1/central-server/GOV/70000098/other-test/record';

describe('X-Road REST (/r1)', () => {
  let store: TestStore;
  let srv: TestServer;
  let calls: Calls;
  before(async () => {
    store = await freshStore('sqlite');
    calls = newCalls();
    srv = await startServer({ store, table: testTable(calls) });
  });
  after(async () => {
    await srv?.close();
    await store?.dispose();
  });

  const xh = (messageId = newId(), client = PORTAL): Array<[string, string]> => [
    ['X-Road-Client', client],
    ['X-Road-Id', messageId],
  ];

  it('calls an operation with JSON in and out, echoing the X-Road headers', async () => {
    const mid = newId();
    const r = await request(`${srv.url}${PING}`, { headers: [...xh(mid), ['X-Road-UserId', 'KG21234567890123'], ['X-Road-Issue', 'case-1']], body: JSON.stringify({ text: 'rest' }) });
    expect(r.status, r.body).to.equal(200);
    const out = JSON.parse(r.body) as Record<string, unknown>;
    expect(out).to.include({ text: 'rest', client: PORTAL, userId: 'KG21234567890123', messageId: mid, transport: 'xroad-rest' });
    expect(r.headers['x-road-client']).to.equal(PORTAL);
    expect(r.headers['x-road-id']).to.equal(mid);
    expect(r.headers['x-road-service']).to.equal('central-server/GOV/70000099/adapter-test/ping');
    expect(r.headers['x-road-userid']).to.equal('KG21234567890123');
    expect(r.headers['x-road-issue']).to.equal('case-1');
    const rec = srv.exchangeLog.records.at(-1);
    expect(rec).to.include({ transport: 'xroad-rest', client: PORTAL, messageId: mid, issue: 'case-1', succeeded: true, statusCode: 200, serviceCode: 'ping' });
    expect(rec?.responseBody?.toString()).to.equal(r.body);
  });

  it('takes GET input from the query string', async () => {
    const r = await request(`${srv.url}${PING}?text=from%20query`, { method: 'GET', headers: xh() });
    expect(r.status, r.body).to.equal(200);
    expect((JSON.parse(r.body) as { text: string }).text).to.equal('from query');
  });

  it('refuses two X-Road-Client headers, and a missing or malformed one', async () => {
    for (const headers of [
      [['X-Road-Client', PORTAL], ['X-Road-Client', 'central-server/GOV/70000050/ministry'], ['X-Road-Id', newId()]],
      [['X-Road-Id', newId()]],
      [['X-Road-Client', 'central-server/GOV'], ['X-Road-Id', newId()]],
      [['X-Road-Client', 'a/b/c/d/e'], ['X-Road-Id', newId()]],
      [['X-Road-Client', PORTAL]],
      [['X-Road-Client', PORTAL], ['X-Road-Id', 'a'], ['X-Road-Id', 'b']],
    ] as Array<Array<[string, string]>>) {
      const r = await request(`${srv.url}${PING}`, { headers, body: '{"text":"x"}' });
      expect(r.status, JSON.stringify(headers)).to.equal(400);
      expect(r.headers['x-road-error']).to.equal('Client.InvalidHeader');
      const err = JSON.parse(r.body) as { type: string; message: string; detail: { code: string; messages: Record<string, string> } };
      expect(err.type).to.equal('Client.InvalidHeader');
      expect(err.message).to.be.a('string');
      expect(Object.keys(err.detail.messages)).to.deep.equal(['ky', 'ru', 'en']);
    }
  });

  it('refuses an X-Road-UserId longer than the 255 characters the stores keep', async () => {
    const r = await request(`${srv.url}${PING}`, { headers: [...xh(newId()), ['X-Road-UserId', 'x'.repeat(256)]], body: '{"text":"x"}' });
    expect([r.status, r.headers['x-road-error']]).to.deep.equal([400, 'Client.InvalidHeader']);
  });

  it('denies by ACL, refuses unknown services, and reports validation errors as JSON with X-Road-Error', async () => {
    const denied = await request(`${srv.url}${PING}`, { headers: xh(newId(), 'central-server/GOV/70000050/ministry'), body: '{"text":"x"}' });
    expect([denied.status, denied.headers['x-road-error']]).to.deep.equal([403, 'Client.AccessDenied']);
    const unknown = await request(`${srv.url}/r1/central-server/GOV/70000099/adapter-test/nope`, { headers: xh(), body: '{}' });
    expect([unknown.status, unknown.headers['x-road-error']]).to.deep.equal([404, 'Client.UnknownService']);
    const elsewhere = await request(`${srv.url}/r1/central-server/GOV/70000050/adapter-test/ping`, { headers: xh(), body: '{}' });
    expect(elsewhere.headers['x-road-error']).to.equal('Client.UnknownService');
    const invalid = await request(`${srv.url}${PING}`, { headers: xh(), body: '{"text":1,"extra":true,"__proto__":{"x":1}}' });
    expect([invalid.status, invalid.headers['x-road-error']]).to.deep.equal([422, 'Client.ValidationFailed']);
    const detail = (JSON.parse(invalid.body) as { detail: { fields: Array<{ field: string; reason: string }> } }).detail;
    expect(detail.fields.map((f) => [f.field, f.reason])).to.deep.equal([
      ['extra', 'unknown'],
      ['__proto__', 'unknown'],
      ['text', 'type'],
    ]);
    const badJson = await request(`${srv.url}${PING}`, { headers: xh(), body: '{"text":' });
    expect(badJson.headers['x-road-error']).to.equal('Client.ValidationFailed');
  });

  it('applies X-Road-Id idempotency like SOAP', async () => {
    const mid = newId();
    const before = calls.record;
    const a = await request(`${srv.url}${RECORD}`, { headers: xh(mid), body: '{"value":"r1"}' });
    const b = await request(`${srv.url}${RECORD}`, { headers: xh(mid), body: '{"value":"r1"}' });
    expect(a.status).to.equal(200);
    expect(b.body).to.equal(a.body);
    expect(calls.record).to.equal(before + 1);
    const c = await request(`${srv.url}${RECORD}`, { headers: xh(mid), body: '{"value":"r2"}' });
    expect([c.status, c.headers['x-road-error']]).to.deep.equal([409, 'Client.DuplicateMessageId']);
  });

  it('believes X-Road-Client only from the configured security server addresses', async () => {
    const strict = await startServer({ store, table: testTable(calls), config: testConfig({ xroad: { rest: { trustedClientAddresses: ['10.20.30.40', '192.168.0.0/16'] } } }) });
    try {
      const r = await request(`${strict.url}${PING}`, { headers: xh(), body: '{"text":"x"}' });
      expect([r.status, r.headers['x-road-error']]).to.deep.equal([403, 'Client.AccessDenied']);
      expect((JSON.parse(r.body) as { message: string }).message).to.include('security server');
    } finally {
      await strict.close();
    }
  });
});
