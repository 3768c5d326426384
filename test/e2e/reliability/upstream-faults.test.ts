import { expect } from 'chai';
import type { z } from 'zod';
import { registerHolderInput } from '../../../src/registries/holders/holders-schemas.js';
import { HOLDERS_NAMESPACE } from '../../../src/registries/holders/holders-operations.js';
import { encodeWrapper, objectShapeOf } from '../../../src/xroad/schema-xml.js';
import { buildSignedEnvelope } from '../../../src/xroad/envelope.js';
import { buildXRoadHeaders } from '../../../src/xroad/headers.js';
import { AGENCY_ACTOR_PIN, AGENCY_INN, AGENCY_STAGE_1 } from '../../../fixtures/holders/agency-example.js';
import { SAMPLE_PERSONS } from '../../../fixtures/sandbox/sample-data.js';
import { testPki } from '../../integration/consumers/consumers-fixture.js';
import { id, parseResponse, serviceId } from '../../integration/transport/harness.js';
import { inject, sha256, sleep, startWiredAdapter, until, type WiredAdapter } from './reliability-harness.js';

const WEB_UI = 'central-server/GOV/70000099/registry-web-ui';
const PORTAL = 'central-server/GOV/70000030/e-kyzmat-portal';
const HOLDERS = 'central-server/GOV/70000099/pd-holders-registry';
const TOKEN = 'reliability-web-ui-token';
/** Another sample company and a person BIS lets act for it. */
const ALATOO_INN = '01506199910038';
const ALATOO_ACTOR = SAMPLE_PERSONS[1].person.pin;
/** Valid INNs the MoJ stand-in does not know (NOT_FOUND, still one upstream call each). */
const unknownInn = (n: number): string => `001012020${String(90000 + n).padStart(5, '0')}`;

/** Fast budgets: every scenario answers in well under a second. */
const BUDGET_MS = 700;
const SLACK_MS = 450;
const upstream = (breaker: Record<string, number>) => ({ timeoutMs: BUDGET_MS, attemptTimeoutMs: 200, retries: 2, concurrency: 3, breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 400, ...breaker } });
const overrides = (breakerVolume: number) => ({
  api: { clients: { 'web-ui': { xroadClient: WEB_UI, tokenSha256: sha256(TOKEN) } } },
  consumers: { minjust: { ...upstream({ volumeThreshold: breakerVolume }), cacheTtlSeconds: 60 }, bis: upstream({ volumeThreshold: breakerVolume }) },
});

interface Timed<T> {
  ms: number;
  status: number;
  body: T;
}

async function legalEntity(w: WiredAdapter, inn: string): Promise<Timed<{ code?: string; stale?: boolean; ageSeconds?: number; data?: { inn: string } }>> {
  const t0 = Date.now();
  const r = await fetch(`${w.base}/api/v1/legal-entities/${inn}`, { headers: { Authorization: `Bearer ${TOKEN}`, 'Accept-Language': 'en' } });
  return { status: r.status, body: (await r.json()) as never, ms: Date.now() - t0 };
}

function stageOneXml(inn: string, pin: string): string {
  const value = { ...AGENCY_STAGE_1, inn };
  return buildSignedEnvelope({
    headers: buildXRoadHeaders({ client: id(PORTAL), service: serviceId(HOLDERS, 'registerHolder'), id: `rel-${Date.now()}-${Math.random()}`, protocolVersion: '4.0', userId: pin }),
    bodyXml: encodeWrapper('registerHolder', HOLDERS_NAMESPACE, value, objectShapeOf(registerHolderInput as z.ZodType, 'input'), 'h'),
    identity: testPki().keys.identity('70000030'),
    now: new Date(),
    ttlSeconds: 300,
  });
}

async function registerHolder(w: WiredAdapter, inn: string, pin: string) {
  const t0 = Date.now();
  const r = await fetch(`${w.base}/xroad`, { method: 'POST', body: stageOneXml(inn, pin), headers: { 'content-type': 'text/xml; charset=utf-8' } });
  const text = await r.text();
  return { ms: Date.now() - t0, status: r.status, text, ...parseResponse(text) };
}

async function readiness(w: WiredAdapter): Promise<{ status: number; upstreams: Record<string, string> }> {
  const r = await fetch(`${w.base}/readyz`);
  return { status: r.status, upstreams: ((await r.json()) as { upstreams: Record<string, string> }).upstreams };
}

/**
 * Issue 9 "Upstream faults", through the whole adapter: the MoJ and BIS stand-ins inject latency
 * beyond the budget, 5xx bursts, connection resets, malformed, wrongly signed and foreign-signed
 * answers; callers of GET /api/v1/legal-entities and of holders stage I over signed SOAP get the
 * right fault or the marked stale copy within the budget, and nothing needs a restart.
 */
describe('e2e reliability: upstream faults through the wired adapter', function () {
  this.timeout(30_000);

  describe('fault kinds, budget, stale copies, concurrency bound (breaker out of the way)', () => {
    let w: WiredAdapter;
    before(async () => {
      w = await startWiredAdapter(overrides(100_000), testPki().dir);
    });
    after(async () => {
      await w?.close();
    });
    afterEach(() => {
      w.faults.minjust.clear();
      w.faults.bis.clear();
      w.clock.offsetMs = 0;
    });

    it('healthy: fresh MoJ data, which also fills the cache', async () => {
      const r = await legalEntity(w, AGENCY_INN);
      expect(r.status).to.equal(200);
      expect(r.body).to.deep.include({ stale: false });
    });

    it('MoJ slower than the budget, no copy: UPSTREAM_UNAVAILABLE within the budget', async () => {
      inject(w.faults.minjust, { delayMs: 5_000 });
      const r = await legalEntity(w, unknownInn(1));
      expect(r.status).to.equal(503);
      expect(r.body.code).to.equal('UPSTREAM_UNAVAILABLE');
      expect(r.ms).to.be.below(BUDGET_MS + SLACK_MS);
      // Every attempt was cut off: nothing is left hanging at the stand-in.
      expect(await until(() => w.faults.minjust.stats.inFlight === 0, 1000)).to.equal(true);
    });

    it('MoJ slower than the budget after the copy went stale: the copy, marked stale with its age', async () => {
      w.clock.offsetMs = 120_000;
      inject(w.faults.minjust, { delayMs: 5_000 });
      const r = await legalEntity(w, AGENCY_INN);
      expect(r.status).to.equal(200);
      expect(r.body.stale).to.equal(true);
      expect(r.body.ageSeconds).to.be.within(119, 125);
      expect(r.ms).to.be.below(BUDGET_MS + SLACK_MS);
    });

    it('a 5xx burst shorter than the retries is absorbed; a longer one is UPSTREAM_UNAVAILABLE', async () => {
      inject(w.faults.minjust, { status5xx: 2 });
      const ok = await legalEntity(w, unknownInn(2));
      expect(ok.status).to.equal(404);
      expect(w.faults.minjust.stats.requests).to.equal(3);
      inject(w.faults.minjust, { status5xx: 3 });
      const down = await legalEntity(w, unknownInn(3));
      expect(down.status).to.equal(503);
      expect(down.body.code).to.equal('UPSTREAM_UNAVAILABLE');
      expect(down.ms).to.be.below(BUDGET_MS + SLACK_MS);
      expect(w.faults.minjust.stats.requests).to.equal(3);
    });

    it('connection resets: one is retried away; a run of them serves the stale copy', async () => {
      inject(w.faults.minjust, { reset: 1 });
      expect((await legalEntity(w, unknownInn(4))).status).to.equal(404);
      w.clock.offsetMs = 120_000;
      inject(w.faults.minjust, { reset: 10 });
      const r = await legalEntity(w, AGENCY_INN);
      expect(r.status).to.equal(200);
      expect(r.body.stale).to.equal(true);
      expect(r.ms).to.be.below(BUDGET_MS + SLACK_MS);
    });

    for (const [fault, code, inn] of [
      ['malformed', 'UPSTREAM_INVALID_RESPONSE', '02203201810157'],
      ['badSignature', 'UPSTREAM_INVALID_SIGNATURE', '00304199510024'],
      ['wrongSigner', 'UPSTREAM_INVALID_SIGNATURE', '01109201210062'],
      ['wrongEcho', 'UPSTREAM_INVALID_RESPONSE', '01804201910078'],
    ] as const) {
      it(`${fault} MoJ answer: ${code}, not retried, never replaced by the stale copy`, async () => {
        expect((await legalEntity(w, inn)).body.stale).to.equal(false);
        w.clock.offsetMs = 120_000;
        inject(w.faults.minjust, { [fault]: 1 });
        const r = await legalEntity(w, inn);
        expect(r.status).to.equal(502);
        expect(r.body.code).to.equal(code);
        expect(w.faults.minjust.stats.requests).to.equal(1);
        // The next answer is good again and is taken (no restart, no poisoned state).
        const again = await legalEntity(w, inn);
        expect(again.status).to.equal(200);
        expect(again.body).to.deep.include({ stale: false, ageSeconds: 0 });
      });
    }

    it('never more calls in flight towards MoJ than the concurrency bound, and all answered in the budget', async () => {
      inject(w.faults.minjust, { delayMs: 80 });
      const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => legalEntity(w, unknownInn(100 + i))));
      expect(w.faults.minjust.stats.maxInFlight).to.equal(3);
      for (const r of rs) {
        expect([404, 503]).to.include(r.status);
        if (r.status === 503) expect(r.body.code).to.equal('UPSTREAM_UNAVAILABLE');
        expect(r.ms).to.be.below(BUDGET_MS + SLACK_MS);
      }
      // With 80 ms per call and 3 slots, 12 calls fit in the budget on an idle machine; under load
      // a caller whose slot came too late gets UPSTREAM_UNAVAILABLE (checked above), never a hang.
      expect(rs.filter((r) => r.status === 404).length).to.be.at.least(6);
    });

    it('holders stage I: BIS 5xx burst fails closed with Server.UpstreamUnavailable within the budget; MoJ is not asked', async () => {
      inject(w.faults.bis, { status5xx: 10 });
      inject(w.faults.minjust, {});
      const r = await registerHolder(w, AGENCY_INN, AGENCY_ACTOR_PIN);
      expect(r.faultCode).to.equal('Server.UpstreamUnavailable');
      expect(r.detailCode).to.equal('UPSTREAM_UNAVAILABLE');
      expect(r.messages).to.have.all.keys('ky', 'ru', 'en');
      expect(r.ms).to.be.below(BUDGET_MS + SLACK_MS);
      expect(w.faults.bis.stats.requests).to.equal(3);
      expect(w.faults.minjust.stats.requests).to.equal(0);
    });

    it('holders stage I: a BIS answer signed by another member is refused (Server.UpstreamInvalidSignature)', async () => {
      inject(w.faults.bis, { wrongSigner: 1 });
      const r = await registerHolder(w, AGENCY_INN, AGENCY_ACTOR_PIN);
      expect(r.faultCode).to.equal('Server.UpstreamInvalidSignature');
    });

    it('holders stage I: MoJ down after the copy went stale: registered from the stale copy, marked so', async () => {
      w.clock.offsetMs = 120_000;
      inject(w.faults.minjust, { delayMs: 5_000 });
      const r = await registerHolder(w, AGENCY_INN, AGENCY_ACTOR_PIN);
      expect(r.faultCode, JSON.stringify(r.messages)).to.equal(undefined);
      expect(r.wrapper?.local).to.equal('registerHolderResponse');
      expect(r.text).to.match(/<(\w+:)?stale>true<\/(\w+:)?stale>/);
      expect(r.ms).to.be.below(BUDGET_MS + SLACK_MS);
    });

    it('holders stage I: MoJ down and no copy: Server.UpstreamUnavailable within the budget', async () => {
      inject(w.faults.minjust, { delayMs: 5_000 });
      const r = await registerHolder(w, ALATOO_INN, ALATOO_ACTOR);
      expect(r.faultCode).to.equal('Server.UpstreamUnavailable');
      expect(r.ms).to.be.below(BUDGET_MS + SLACK_MS);
    });

    it('holders stage I: malformed MoJ answer is Server.UpstreamInvalidResponse; then the same call succeeds', async () => {
      inject(w.faults.minjust, { malformed: 1 });
      const bad = await registerHolder(w, ALATOO_INN, ALATOO_ACTOR);
      expect(bad.faultCode).to.equal('Server.UpstreamInvalidResponse');
      const good = await registerHolder(w, ALATOO_INN, ALATOO_ACTOR);
      expect(good.faultCode, JSON.stringify(good.messages)).to.equal(undefined);
    });
  });

  describe('circuit breakers open, fail fast, and close again without a restart', () => {
    let w: WiredAdapter;
    before(async () => {
      w = await startWiredAdapter(overrides(4), testPki().dir);
    });
    after(async () => {
      await w?.close();
    });

    it('MoJ: a run of 5xx opens the breaker (readyz shows it, calls fail fast without reaching MoJ), recovery closes it', async () => {
      inject(w.faults.minjust, { status5xx: 1000 });
      for (let i = 0; i < 3 && w.adapter.consumers.health().minjust !== 'open'; i++) expect((await legalEntity(w, unknownInn(200 + i))).status).to.equal(503);
      const ready = await readiness(w);
      expect(ready.status).to.equal(200);
      expect(ready.upstreams.minjust).to.equal('open');
      expect(ready.upstreams.bis).to.equal('closed');

      const before = w.faults.minjust.stats.requests;
      const fast = await legalEntity(w, unknownInn(210));
      expect(fast.status).to.equal(503);
      expect(fast.body.code).to.equal('UPSTREAM_UNAVAILABLE');
      expect(fast.ms).to.be.below(300);
      expect(w.faults.minjust.stats.requests).to.equal(before);

      w.faults.minjust.clear();
      await sleep(450);
      expect((await readiness(w)).upstreams.minjust).to.equal('half-open');
      const back = await legalEntity(w, AGENCY_INN);
      expect(back.status).to.equal(200);
      expect(back.body.stale).to.equal(false);
      expect((await readiness(w)).upstreams.minjust).to.equal('closed');
    });

    it('BIS: timeouts open the breaker; stage I fails fast with Server.UpstreamUnavailable; recovery closes it', async () => {
      inject(w.faults.bis, { delayMs: 5_000 });
      for (let i = 0; i < 3 && w.adapter.consumers.health().bis !== 'open'; i++) expect((await registerHolder(w, AGENCY_INN, AGENCY_ACTOR_PIN)).faultCode).to.equal('Server.UpstreamUnavailable');
      expect((await readiness(w)).upstreams.bis).to.equal('open');
      const before = w.faults.bis.stats.requests;
      const fast = await registerHolder(w, AGENCY_INN, AGENCY_ACTOR_PIN);
      expect(fast.faultCode).to.equal('Server.UpstreamUnavailable');
      expect(fast.ms).to.be.below(300);
      expect(w.faults.bis.stats.requests).to.equal(before);

      w.faults.bis.clear();
      await sleep(450);
      const back = await registerHolder(w, AGENCY_INN, AGENCY_ACTOR_PIN);
      expect(back.faultCode, JSON.stringify(back.messages)).to.equal(undefined);
      expect((await readiness(w)).upstreams).to.deep.equal({ minjust: 'closed', bis: 'closed' });
    });
  });
});
