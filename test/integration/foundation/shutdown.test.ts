import http from 'node:http';
import { expect } from 'chai';
import { Router } from 'express';
import { createApp } from '../../../src/app.js';
import { startServer } from '../../../src/server.js';
import { loadConfig } from '../../../src/config/loader.js';
import { silentLogger } from '../../../src/log/logger.js';
import { freshStore } from '../../helpers/stores.js';

const config = loadConfig({ env: { NODE_ENV: 'test' } });

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('graceful shutdown', () => {
  it('finishes the request in flight, refuses new connections, then closes the store', async () => {
    const store = await freshStore('sqlite');
    const events: string[] = [];
    const slow = Router();
    let release!: () => void;
    const started = new Promise<void>((resolveStarted) => {
      slow.get('/slow', async (_req, res) => {
        resolveStarted();
        await new Promise<void>((r) => (release = r));
        res.json({ done: true });
        events.push('response');
      });
    });
    const built = createApp({ config, store, logger: silentLogger(), mounts: [{ path: '/t', router: slow }] });
    const running = await startServer({
      listener: built.listener,
      readiness: built.readiness,
      host: '127.0.0.1',
      port: 0,
      graceMs: 5000,
      logger: silentLogger(),
      onClosed: async () => {
        events.push('closed');
        await store.dispose();
      },
    });
    const inflight = get(running.port, '/t/slow');
    await started;
    expect(running.inFlight()).to.equal(1);
    const stopping = running.shutdown('test');
    expect(built.readiness.shuttingDown).to.equal(true);
    // No new connections once shutdown began.
    await new Promise((r) => setTimeout(r, 50));
    let refused = false;
    await get(running.port, '/healthz').catch(() => (refused = true));
    expect(refused, 'new connection refused').to.equal(true);
    expect(events).to.deep.equal([]);
    release();
    const res = await inflight;
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body)).to.deep.equal({ done: true });
    await stopping;
    expect(events).to.deep.equal(['response', 'closed']);
  });

  it('stops waiting after the grace period and still closes', async () => {
    const store = await freshStore('sqlite');
    const hang = Router();
    let hit!: () => void;
    const arrived = new Promise<void>((r) => (hit = r));
    hang.get('/hang', () => hit());
    const built = createApp({ config, store, logger: silentLogger(), mounts: [{ path: '/t', router: hang }] });
    let closed = false;
    const running = await startServer({ listener: built.listener, readiness: built.readiness, host: '127.0.0.1', port: 0, graceMs: 200, logger: silentLogger(), onClosed: async () => { closed = true; await store.dispose(); } });
    const pending = get(running.port, '/t/hang').catch((e: Error) => e);
    await arrived;
    const t0 = Date.now();
    await running.shutdown('test');
    expect(Date.now() - t0).to.be.lessThan(2000);
    expect(closed).to.equal(true);
    expect(await pending).to.be.instanceOf(Error);
  });
});
