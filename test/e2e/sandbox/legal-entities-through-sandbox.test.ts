import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app.js';
import { createConsumers, type Consumers } from '../../../src/consumers/create-consumers.js';
import { createExchangeLog, type ExchangeLog } from '../../../src/exchange-log/exchange-log.js';
import { createLegalEntitiesRouter } from '../../../src/http/legal-entities-router.js';
import { silentLogger } from '../../../src/log/logger.js';
import { parseEnvelope, verifyEnvelope } from '../../../src/xroad/envelope.js';
import { startSandbox, type Sandbox } from '../../../fixtures/sandbox/start-sandbox.js';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { testConfig, testPki } from '../../integration/consumers/consumers-fixture.js';

const AGENCY = '01001202210023';

/**
 * Issue 4 "done when", without the process around it: the REST route answers the Agency's data
 * from the sandbox MoJ through a signed X-Road exchange that lands in the real exchange log, and
 * the sandbox's HTTP fault control turns MoJ trouble into a stale answer or a typed error.
 */
describe('e2e: GET /api/v1/legal-entities through the sandbox MoJ', () => {
  let sandbox: Sandbox;
  let store: TestStore;
  let log: ExchangeLog;
  let consumers: Consumers;
  let app: Express;
  let clock = new Date();

  before(async () => {
    const { dir, keys, trust } = testPki();
    sandbox = await startSandbox({ certsDir: dir, trust });
    store = await freshStore('sqlite');
    const config = testConfig({ minjust: { cacheTtlSeconds: 60, breaker: { volumeThreshold: 50 } } });
    const logger = silentLogger();
    log = createExchangeLog({ store, config, signer: keys.identity('70000099'), logger });
    consumers = createConsumers({ config, keys, trust, store, exchangeLog: log, logger, now: () => clock, overrides: { minjustUrl: sandbox.minjustUrl, bisUrl: sandbox.bisUrl }, guard: { minBackoffMs: 5, maxBackoffMs: 20 } });
    app = createApp({ config, store, logger, mounts: [{ path: '/api/v1', router: createLegalEntitiesRouter({ minjust: consumers.minjust }) }], upstreams: consumers.health }).app;
  });
  after(async () => {
    consumers.close();
    await log.close();
    await sandbox.close();
    await store.dispose();
  });

  const control = (body: Record<string, number> | null) =>
    fetch(`${sandbox.minjustUrl}__sandbox/faults`, { method: body ? 'POST' : 'DELETE', headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });

  it("shows the Agency's data from MoJ, and the signed exchange is in the exchange log", async () => {
    const res = await request(app).get(`/api/v1/legal-entities/${AGENCY}`).set('Accept-Language', 'ru').expect(200);
    expect(res.body).to.deep.include({ stale: false, source: 'central-server/GOV/70000024/minjust-service/getSubjectByTin', ageSeconds: 0 });
    expect(res.body.data).to.deep.include({ inn: AGENCY, okpo: '31296230', email: 'info@dpa.gov.kg' });
    expect(res.body.data.legalAddress).to.deep.include({ city: 'БИШКЕК', district: 'ОКТЯБРЬСКИЙ РАЙОН', street: 'ул. Токтоналиева', house: '96' });

    await log.flush();
    const page = await log.search({ direction: 'out', serviceCode: 'getSubjectByTin' });
    expect(page.items).to.have.length(1);
    const seq = (page.items[0] as { seq: number }).seq;
    const body = await log.readBody(seq, 'response', { operator: 'test', role: 'auditor', via: 'cli', why: 'e2e check' });
    const env = parseEnvelope(body.toString('utf8'));
    const v = verifyEnvelope(env, { trust: testPki().trust, now: new Date(), maxAgeSeconds: 300, futureSkewSeconds: 60, signerRole: 'service' });
    expect(v.signer.subject).to.include('CN=70000024');
    expect((await log.verify()).ok).to.equal(true);
  });

  it('MoJ timing out after the copy went stale: served marked stale with its age', async () => {
    clock = new Date(clock.getTime() + 120_000);
    expect((await control({ delayMs: 1000 })).status).to.equal(200);
    try {
      const res = await request(app).get(`/api/v1/legal-entities/${AGENCY}`).expect(200);
      expect(res.body).to.deep.include({ stale: true, ageSeconds: 120 });
    } finally {
      await control(null);
    }
  });

  it('a wrongly signed MoJ answer is refused with a typed error in the caller\'s language', async () => {
    await control({ badSignature: 1 });
    const res = await request(app).get('/api/v1/legal-entities/02203201810157').set('Accept-Language', 'ky').expect(502);
    expect(res.body.code).to.equal('UPSTREAM_INVALID_SIGNATURE');
    expect(res.body.messages).to.have.all.keys('ky', 'ru', 'en');
  });

  it('the fault control refuses unknown faults and reports statistics', async () => {
    expect((await control({ teapot: 1 })).status).to.equal(400);
    const state = (await (await fetch(`${sandbox.minjustUrl}__sandbox/faults`)).json()) as { stats: { requests: number } };
    expect(state.stats.requests).to.be.greaterThan(0);
  });

  it('readiness reports the breaker states', async () => {
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body.upstreams).to.deep.equal({ minjust: 'closed', bis: 'closed' });
  });
});
