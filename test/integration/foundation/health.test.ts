import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/loader.js';
import { silentLogger } from '../../../src/log/logger.js';
import { forEachStore } from '../../helpers/stores.js';

const config = loadConfig({ env: { NODE_ENV: 'test' } });

forEachStore('health, readiness and metrics', (ctx) => {
  it('answers /healthz and /readyz with 200 while the store answers', async () => {
    const { app } = createApp({ config, store: ctx.store, logger: silentLogger() });
    const h = await request(app).get('/healthz');
    expect(h.status).to.equal(200);
    expect(h.body).to.deep.equal({ status: 'ok' });
    const r = await request(app).get('/readyz');
    expect(r.status).to.equal(200);
    expect(r.body.store).to.equal('ok');
  });

  it('answers /readyz with 503 during shutdown', async () => {
    const { app, readiness } = createApp({ config, store: ctx.store, logger: silentLogger() });
    readiness.shuttingDown = true;
    const r = await request(app).get('/readyz');
    expect(r.status).to.equal(503);
    expect(r.body.status).to.equal('shutting-down');
    expect((await request(app).get('/healthz')).status).to.equal(200);
  });

  it('gives every request an id, echoing a safe one and replacing an unsafe one', async () => {
    const { app } = createApp({ config, store: ctx.store, logger: silentLogger() });
    expect((await request(app).get('/healthz').set('X-Request-Id', 'abc-123')).headers['x-request-id']).to.equal('abc-123');
    const replaced = (await request(app).get('/healthz').set('X-Request-Id', '<script>')).headers['x-request-id'];
    expect(replaced).to.match(/^[0-9a-f-]{36}$/);
  });

  it('counts requests by route and outcome in Prometheus format', async () => {
    const { app } = createApp({ config, store: ctx.store, logger: silentLogger() });
    await request(app).get('/healthz');
    await request(app).get('/nowhere');
    const m = await request(app).get('/metrics');
    expect(m.status).to.equal(200);
    expect(m.text).to.match(/adapter_http_requests_total\{route="\/healthz",method="GET",outcome="ok"\} 1/);
    expect(m.text).to.match(/adapter_http_requests_total\{route="unmatched",method="GET",outcome="Client.NotFound"\} 1/);
    expect(m.text).to.contain('adapter_http_request_duration_seconds_bucket');
  });

  it('answers unknown paths with a JSON problem in the caller language', async () => {
    const { app } = createApp({ config, store: ctx.store, logger: silentLogger() });
    const r = await request(app).get('/nowhere').set('Accept-Language', 'ru-RU,ru;q=0.9');
    expect(r.status).to.equal(404);
    expect(r.body.code).to.equal('NOT_FOUND');
    expect(r.body.message).to.match(/не найден/);
    expect(r.body.messages).to.have.keys('ky', 'ru', 'en');
  });

  it('sets security headers', async () => {
    const { app } = createApp({ config, store: ctx.store, logger: silentLogger() });
    const r = await request(app).get('/healthz');
    expect(r.headers['x-content-type-options']).to.equal('nosniff');
    expect(r.headers['content-security-policy']).to.contain("default-src 'self'");
    expect(r.headers).not.to.have.property('x-powered-by');
  });
});

describe('readiness when the store goes away', () => {
  it('answers 503 once the store no longer answers', async () => {
    const { freshStore } = await import('../../helpers/stores.js');
    const store = await freshStore('sqlite');
    const { app } = createApp({ config, store, logger: silentLogger() });
    expect((await request(app).get('/readyz')).status).to.equal(200);
    await store.knex.destroy();
    const r = await request(app).get('/readyz');
    expect(r.status).to.equal(503);
    expect(r.body.store).to.equal('unreachable');
    await store.dispose();
  });
});
