import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoad } from '../../../bench/lib/load.js';

describe('bench: closed-loop load', () => {
  let server: http.Server;
  let port: number;
  let received = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      received += 1;
      req.resume();
      req.on('end', () => res.end(req.url === '/bad' ? 'no' : 'ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received = 0;
  });

  it('stops after the requests asked for, and reports the time it took instead of the time allowed', async () => {
    const started = Date.now();
    const r = await runLoad({ port, concurrency: 8, seconds: 30, warmupSeconds: 0, stopAfter: 50, next: () => ({ path: '/', method: 'GET' }), ok: (status) => status === 200 });
    expect(received).to.equal(50);
    expect(r.requests).to.equal(50);
    expect(r.errors).to.equal(0);
    expect(Date.now() - started).to.be.below(10_000);
    expect(r.seconds).to.be.below(10);
    expect(r.rps).to.be.closeTo(50 / r.seconds, 1e-6);
  });

  it('counts answers that ok() rejects as errors', async () => {
    const r = await runLoad({ port, concurrency: 2, seconds: 30, warmupSeconds: 0, stopAfter: 10, next: (i) => ({ path: i % 2 ? '/bad' : '/', method: 'GET' }), ok: (_s, body) => body.toString() === 'ok' });
    expect(r.requests).to.equal(10);
    expect(r.errors).to.equal(5);
  });

  it('without stopAfter runs for the time given', async () => {
    const r = await runLoad({ port, concurrency: 2, seconds: 0.3, warmupSeconds: 0, next: () => ({ path: '/', method: 'GET' }), ok: (status) => status === 200 });
    expect(r.seconds).to.equal(0.3);
    expect(r.requests).to.be.above(0);
    expect(received).to.be.at.least(r.requests);
  });
});
