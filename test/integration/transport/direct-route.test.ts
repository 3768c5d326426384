import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { Router } from 'express';
import { createApp } from '../../../src/app.js';
import { readBody, type DirectRoute } from '../../../src/http/direct-route.js';
import { silentLogger } from '../../../src/log/logger.js';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { newId, parseResponse, pingBody, post, signedRequest, startServer, verifyResponse, type TestServer } from './harness.js';

const XML = { 'content-type': 'text/xml; charset=utf-8' };

async function listen(listener: http.RequestListener): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Writes raw bytes on a socket and gives back what the server answered before closing it. */
function rawExchange(port: number, head: string, body: Buffer | string, opts: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
      socket.write(body);
      if (opts.end !== false) socket.end();
      else setTimeout(() => socket.destroy(), 50);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

describe('POST /xroad as a direct route', () => {
  let store: TestStore;
  let direct: TestServer;
  let viaExpress: TestServer;

  before(async () => {
    store = await freshStore('sqlite');
    direct = await startServer({ store });
    viaExpress = await startServer({ store, expressOnly: true });
  });
  after(async () => {
    await direct?.close();
    await viaExpress?.close();
    await store?.dispose();
  });

  const cases: Array<{ name: string; body: () => string; headers?: Record<string, string>; fault?: [string, string] }> = [
    { name: 'a signed ping', body: () => signedRequest({ bodyXml: pingBody() }) },
    { name: 'a body that is not XML', body: () => 'not xml', fault: ['Client.InvalidXml', 'INVALID_XML'] },
    { name: 'an oversized body', body: () => `<a>${'x'.repeat(11 * 1024 * 1024)}</a>`, fault: ['Client.InvalidXml', 'PAYLOAD_TOO_LARGE'] },
    { name: 'a SOAPAction naming another operation', body: () => signedRequest({ bodyXml: pingBody() }), headers: { soapaction: '"other"' }, fault: ['Client.UnknownService', 'UNKNOWN_SERVICE'] },
    { name: 'an unsupported content type', body: () => signedRequest({ bodyXml: pingBody() }), headers: { 'content-type': 'application/json' }, fault: ['Client.InvalidXml', 'UNSUPPORTED_MEDIA_TYPE'] },
  ];
  for (const c of cases) {
    it(`answers ${c.name} exactly as the express route does`, async () => {
      const answers = [];
      for (const srv of [direct, viaExpress]) {
        const r = await post(`${srv.url}/xroad`, c.body(), { ...XML, ...c.headers });
        const p = parseResponse(r.text);
        if (p.headerNames.length > 0) verifyResponse(r.text);
        answers.push({ status: r.status, type: r.headers.get('content-type'), length: r.headers.get('content-length') !== null, fault: p.faultCode ? [p.faultCode, p.detailCode] : undefined, wrapper: p.wrapper?.local });
      }
      expect(answers[0]).to.deep.equal(answers[1]);
      if (c.fault) expect(answers[0].fault).to.deep.equal(c.fault);
      else expect(answers[0]).to.include({ status: 200, wrapper: 'pingResponse' });
    });
  }

  it('takes a query string; leaves a compressed body to express, which inflates it', async () => {
    const q = await post(`${direct.url}/xroad?from=ss`, signedRequest({ bodyXml: pingBody('query') }), XML);
    expect(q.status, q.text.slice(0, 300)).to.equal(200);
    expect(parseResponse(q.text).wrapper?.values).to.include({ text: 'query' });
    const gz = await post(`${direct.url}/xroad`, zlib.gzipSync(signedRequest({ bodyXml: pingBody('zipped'), id: newId() })), { ...XML, 'content-encoding': 'gzip' });
    expect(gz.status, gz.text.slice(0, 300)).to.equal(200);
    expect(parseResponse(gz.text).wrapper?.values).to.include({ text: 'zipped' });
  });

  it('logs a body cut off mid-way as an exchange refused with INVALID_XML, and goes on serving', async () => {
    const { port } = new URL(direct.url);
    const before = direct.exchangeLog.records.length;
    const answer = await rawExchange(Number(port), `POST /xroad HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n`, '<a>', { end: false });
    expect(answer).to.equal('');
    for (let i = 0; i < 50 && direct.exchangeLog.records.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(direct.exchangeLog.records.slice(before).map((r) => [r.faultCode, r.requestSize])).to.deep.equal([['Client.InvalidXml', 0]]);
    const r = await post(`${direct.url}/xroad`, signedRequest({ bodyXml: pingBody() }), XML);
    expect(r.status).to.equal(200);
  });
});

describe('direct routes in the app', () => {
  const served: string[] = [];
  let srv: Awaited<ReturnType<typeof listen>>;
  let built: ReturnType<typeof createApp>;

  before(async () => {
    const store = { knex: undefined, client: 'sqlite' } as never;
    const router = Router();
    router.post('/hot', (_req, res) => void res.type('text/plain').send('express'));
    const routes: DirectRoute[] = [
      {
        method: 'POST',
        path: '/hot',
        accepts: (req) => req.headers['x-slow'] === undefined,
        serve: async (req, res, frame) => {
          const { body, error } = await readBody(req, 16);
          served.push(frame.requestId);
          if (req.headers['x-fail']) throw new Error('handler broke');
          frame.outcome = error ? error.code : 'ok';
          res.statusCode = error ? error.httpStatus : 200;
          res.end(error ? error.code : `direct:${body.toString()}`);
        },
      },
    ];
    built = createApp({ config: {} as never, store, logger: silentLogger(), mounts: [{ path: '/x', router, direct: routes }] });
    srv = await listen(built.listener);
  });
  after(() => srv.close());

  it('serves the exact path under its mount, with the security headers and request id every route gets', async () => {
    const r = await fetch(`${srv.url}/x/hot?a=1`, { method: 'POST', body: 'abc', headers: { 'x-request-id': 'req-1.a_b' } });
    expect(await r.text()).to.equal('direct:abc');
    expect(r.headers.get('x-request-id')).to.equal('req-1.a_b');
    expect(r.headers.get('content-security-policy')).to.include("default-src 'self'");
    expect(r.headers.get('x-content-type-options')).to.equal('nosniff');
    const unsafe = await fetch(`${srv.url}/x/hot`, { method: 'POST', body: 'abc', headers: { 'x-request-id': 'bad id\t<>' } });
    expect(unsafe.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('leaves other paths, methods and requests it does not accept to express', async () => {
    expect(await (await fetch(`${srv.url}/x/hot`, { method: 'POST', body: 'abc', headers: { 'x-slow': '1' } })).text()).to.equal('express');
    expect(await (await fetch(`${srv.url}/x/hot/`, { method: 'POST', body: 'abc' })).text()).to.equal('express');
    expect((await fetch(`${srv.url}/x/hot`)).status).to.equal(404);
    expect((await fetch(`${srv.url}/hot`, { method: 'POST', body: 'abc' })).status).to.equal(404);
  });

  it('refuses a body over the limit, declared or streamed, after reading it to the end', async () => {
    const declared = await fetch(`${srv.url}/x/hot`, { method: 'POST', body: 'x'.repeat(17) });
    expect(declared.status).to.equal(413);
    expect(await declared.text()).to.equal('PAYLOAD_TOO_LARGE');
    const chunked = await rawExchange(srv.port, `POST /x/hot HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`, '8\r\n12345678\r\n9\r\n123456789\r\n0\r\n\r\n');
    expect(chunked).to.match(/^HTTP\/1\.1 413/);
    expect(chunked).to.match(/PAYLOAD_TOO_LARGE$/);
  });

  it('answers a handler that fails with INTERNAL as JSON, and counts every answer under the route', async () => {
    const r = await fetch(`${srv.url}/x/hot`, { method: 'POST', body: 'abc', headers: { 'x-fail': '1', 'accept-language': 'ru' } });
    expect(r.status).to.equal(500);
    const p = (await r.json()) as { code: string; message: string };
    expect(p.code).to.equal('INTERNAL');
    expect(p.message).to.match(/[а-я]/);
    const m = await built.metrics.registry.getSingleMetricAsString('adapter_http_requests_total');
    expect(m).to.match(/route="\/x\/hot",method="POST",outcome="ok"\} [1-9]/);
    expect(m).to.match(/route="\/x\/hot",method="POST",outcome="PAYLOAD_TOO_LARGE"\} [1-9]/);
    expect(m).to.match(/route="\/x\/hot",method="POST",outcome="Server.InternalError"\} 1/);
  });
});
