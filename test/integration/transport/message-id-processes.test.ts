import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { newId, parseResponse, post, serviceId, signedRequest, startServer, type TestServer } from './harness.js';
import { newCalls, OTHER_NS, testTable, type Calls } from './test-group.js';

const service = serviceId('central-server/GOV/70000098/other-test', 'record');
const body = (value: string, delayMs = 0): string => `<o:record xmlns:o="${OTHER_NS}"><o:value>${value}</o:value>${delayMs ? `<o:delayMs>${delayMs}</o:delayMs>` : ''}</o:record>`;

/**
 * Two adapter "processes" (two routers, each with its own connection pool) on one store:
 * xrd:id uniqueness must hold between them (CONTRACT §3).
 */
forEachStore('xrd:id across two adapter processes', (ctx) => {
  let second: Store;
  let a: TestServer;
  let b: TestServer;
  let calls: Calls;

  before(async () => {
    second = await openStore(ctx.store.storeConfig);
    calls = newCalls();
    // One handler counter for both: the operation's effect is shared, as a shared database would make it.
    a = await startServer({ store: ctx.store, table: testTable(calls) });
    b = await startServer({ store: second, table: testTable(calls) });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await second?.close();
  });

  const send = (srv: TestServer, xml: string) => post(`${srv.url}/xroad`, xml);

  it('a repeat sent to the other process gets the stored response; the operation ran once', async () => {
    const mid = newId();
    const before = calls.record;
    const r1 = await send(a, signedRequest({ id: mid, service, bodyXml: body('x') }));
    const r2 = await send(b, signedRequest({ id: mid, service, bodyXml: body('x') }));
    expect(r1.status).to.equal(200);
    expect(r2.text).to.equal(r1.text);
    expect(calls.record).to.equal(before + 1);
  });

  it('concurrent repeats on both processes: one execution, every caller gets the same response', async () => {
    const mid = newId();
    const before = calls.record;
    const results = await Promise.all([a, b, a, b, a, b].map((srv) => send(srv, signedRequest({ id: mid, service, bodyXml: body('same', 300) }))));
    expect(results.map((r) => r.status)).to.deep.equal([200, 200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.text)).size).to.equal(1);
    expect(calls.record).to.equal(before + 1);
  });

  it('concurrent requests with one id and different bodies: one runs, the others get Client.DuplicateMessageId', async () => {
    const mid = newId();
    const before = calls.record;
    const results = await Promise.all(['p', 'q', 'r', 's'].map((v, i) => send(i % 2 ? a : b, signedRequest({ id: mid, service, bodyXml: body(v, 100) }))));
    const codes = results.map((r) => (r.status === 200 ? 'ok' : parseResponse(r.text).faultCode));
    expect(codes.filter((c) => c === 'ok')).to.have.length(1);
    expect(codes.filter((c) => c === 'Client.DuplicateMessageId')).to.have.length(3);
    expect(calls.record).to.equal(before + 1);
  });
});
