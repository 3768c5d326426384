import { expect } from 'chai';
import type { AppError } from '../../../src/errors/app-error.js';
import { parseEnvelope, verifyEnvelope } from '../../../src/xroad/envelope.js';
import { startSandbox, type Sandbox } from '../../../fixtures/sandbox/start-sandbox.js';
import { forEachStore } from '../../helpers/stores.js';
import { rejection } from '../../unit/consumers/helpers.js';
import { makeConsumers, testConfig, testPki, type ConsumersFixture } from './consumers-fixture.js';

const AGENCY = '01001202210023';
const NARYN = '02512201610044';
const LIQUIDATED = '02007200510031';
const PIN = '21503199000017';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

forEachStore('consumers against the sandbox MoJ and BIS', (ctx) => {
  let sandbox: Sandbox;
  let fx: ConsumersFixture | undefined;
  let clock: Date;

  before(async () => {
    // The stand-ins check the adapter's signatures against the development CA.
    sandbox = await startSandbox({ certsDir: testPki().dir, trust: testPki().trust });
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    clock = new Date();
    sandbox.faults.minjust.clear();
    sandbox.faults.minjust.resetStats();
    sandbox.faults.bis.clear();
    sandbox.faults.bis.resetStats();
    await ctx.store.knex('minjust_subject_cache').delete();
  });
  afterEach(() => fx?.consumers.close());

  const make = (over: Parameters<typeof testConfig>[0] = {}): ConsumersFixture => {
    fx = makeConsumers({ config: testConfig(over), store: ctx.store, urls: sandbox, now: () => clock });
    return fx;
  };
  const cachedRows = async (inn: string): Promise<number> => (await ctx.store.knex('minjust_subject_cache').where({ inn })).length;

  it('happy path: the Agency from MoJ, signed both ways, with every exchange-log field', async () => {
    const { consumers, log, config } = make();
    const r = await consumers.minjust.getSubjectByTin(AGENCY, { userId: PIN, requestId: 'req-1' });
    expect(r.stale).to.equal(false);
    expect(r.data).to.deep.include({ inn: AGENCY, okpo: '31296230', email: 'info@dpa.gov.kg', head: 'Кутнаева Нурия Асылбековна' });
    expect(r.data.legalAddress).to.deep.include({ district: 'ОКТЯБРЬСКИЙ РАЙОН', street: 'ул. Токтоналиева', house: '96' });
    expect(r.data.missingFields).to.deep.equal(['ownershipForm', 'subordination']);

    expect(log.records).to.have.length(1);
    const rec = log.records[0];
    expect(rec).to.deep.include({
      direction: 'out',
      transport: 'soap',
      client: config.xroad.client,
      service: 'central-server/GOV/70000024/minjust-service/getSubjectByTin',
      serviceCode: 'getSubjectByTin',
      userId: PIN,
      protocolVersion: '4.0',
      requestAttachmentCount: 0,
      responseAttachmentCount: 0,
      succeeded: true,
      statusCode: 200,
      requestId: 'req-1',
    });
    expect(rec.subjects).to.deep.equal([{ kind: 'inn', value: AGENCY }]);
    expect(rec.requestSize).to.equal(rec.requestBody?.length);
    expect(rec.responseSize).to.equal(rec.responseBody?.length);
    expect(rec.requestInTs).to.be.at.most(rec.requestOutTs as number);
    expect(rec.requestOutTs).to.be.at.most(rec.responseInTs as number);
    expect(rec.responseInTs).to.be.at.most(rec.responseOutTs);
    expect(rec.faultCode).to.equal(undefined);

    // The logged bytes are exactly the signed messages: the request verifies as the adapter's, the answer as MoJ's.
    const { trust } = testPki();
    const req = parseEnvelope(rec.requestBody!.toString('utf8'));
    expect(req.headers?.id).to.equal(rec.messageId);
    expect(req.headers?.userId).to.equal(PIN);
    expect(verifyEnvelope(req, { trust, now: new Date(), maxAgeSeconds: 300, futureSkewSeconds: 60 }).signer.subject).to.include('CN=70000099');
    const res = parseEnvelope(rec.responseBody!.toString('utf8'));
    expect(verifyEnvelope(res, { trust, now: new Date(), maxAgeSeconds: 300, futureSkewSeconds: 60, signerRole: 'service' }).signer.subject).to.include('CN=70000024');
    // The stand-in saw the user's PIN as xrd:userId.
    expect(sandbox.faults.minjust.recent.at(-1)).to.deep.include({ serviceCode: 'getSubjectByTin', userId: PIN, messageId: rec.messageId });
    expect(await cachedRows(AGENCY)).to.equal(1);
  });

  it('entity not found: NOT_FOUND, logged as a successful exchange, nothing cached', async () => {
    const { consumers, log } = make();
    const e = await rejection<AppError>(consumers.minjust.getSubjectByTin('01001202210099'));
    expect(e.code).to.equal('NOT_FOUND');
    expect(log.records[0].succeeded).to.equal(true);
    expect(await cachedRows('01001202210099')).to.equal(0);
  });

  it('missing fields stay empty and are listed; a liquidated entity comes with its status', async () => {
    const { consumers } = make();
    const naryn = await consumers.minjust.getSubjectByTin(NARYN);
    expect(naryn.data.name).to.equal(undefined);
    expect(naryn.data.head).to.equal(undefined);
    expect(naryn.data.missingFields).to.include.members(['legalAddress.district', 'legalAddress.street', 'head', 'okpo', 'email', 'phone']);
    const liq = await consumers.minjust.getSubjectByTin(LIQUIDATED);
    expect(liq.data.description).to.match(/^Ликвидировано/);
  });

  it('MoJ timing out: retried, then the stale copy is served marked with its age', async () => {
    const { consumers, log } = make({ minjust: { cacheTtlSeconds: 60, attemptTimeoutMs: 150, timeoutMs: 1000, retries: 2, breaker: { volumeThreshold: 10 } } });
    await consumers.minjust.getSubjectByTin(AGENCY);
    clock = new Date(clock.getTime() + 3600_000);
    sandbox.faults.minjust.set({ delayMs: 400 });
    const r = await consumers.minjust.getSubjectByTin(AGENCY);
    expect(r.stale).to.equal(true);
    expect(r.ageSeconds).to.equal(3600);
    expect(sandbox.faults.minjust.stats.requests, 'first call + 3 attempts').to.equal(4);
    const failed = log.records.slice(1);
    expect(failed).to.have.length(3);
    for (const f of failed) expect(f).to.deep.include({ succeeded: false, statusCode: 0, faultCode: 'Server.UpstreamUnavailable' });
    // The same xrd:id on every retry of one call.
    expect(new Set(failed.map((f) => f.messageId)).size).to.equal(1);
  });

  it('breaker opens after repeated failures (stale served without calling), closes after recovery', async () => {
    const { consumers } = make({ minjust: { retries: 0, cacheTtlSeconds: 1, breaker: { volumeThreshold: 3, resetTimeoutMs: 300 } } });
    await consumers.minjust.getSubjectByTin(AGENCY);
    clock = new Date(clock.getTime() + 10_000);
    sandbox.faults.minjust.set({ status5xx: 100 });
    // 1 success then failures: past the volume threshold of 3 calls with more than 50 % failed, it opens.
    for (let i = 0; i < 2; i++) expect((await consumers.minjust.getSubjectByTin(AGENCY)).stale).to.equal(true);
    expect(consumers.health().minjust).to.equal('open');
    expect(sandbox.faults.minjust.stats.requests).to.equal(3);
    const before = sandbox.faults.minjust.stats.requests;
    expect((await consumers.minjust.getSubjectByTin(AGENCY)).stale).to.equal(true);
    expect(sandbox.faults.minjust.stats.requests, 'no request while open').to.equal(before);
    // Nothing cached at all and the breaker open: unavailable.
    expect((await rejection<AppError>(consumers.minjust.getSubjectByTin(NARYN))).code).to.equal('UPSTREAM_UNAVAILABLE');
    sandbox.faults.minjust.clear();
    await sleep(350);
    expect(consumers.health().minjust).to.equal('half-open');
    const fresh = await consumers.minjust.getSubjectByTin(AGENCY);
    expect(fresh.stale).to.equal(false);
    expect(consumers.health().minjust).to.equal('closed');
  });

  for (const [fault, code] of [
    ['malformed', 'UPSTREAM_INVALID_RESPONSE'],
    ['badSignature', 'UPSTREAM_INVALID_SIGNATURE'],
    ['wrongSigner', 'UPSTREAM_INVALID_SIGNATURE'],
    ['wrongEcho', 'UPSTREAM_INVALID_RESPONSE'],
  ] as const) {
    it(`${fault} answer from MoJ: ${code}, not retried, nothing cached, logged as failed`, async () => {
      const { consumers, log } = make();
      sandbox.faults.minjust.set({ [fault]: 1 });
      const e = await rejection<AppError>(consumers.minjust.getSubjectByTin(AGENCY));
      expect(e.code).to.equal(code);
      expect(sandbox.faults.minjust.stats.requests).to.equal(1);
      expect(await cachedRows(AGENCY)).to.equal(0);
      expect(log.records).to.have.length(1);
      expect(log.records[0]).to.deep.include({ succeeded: false, statusCode: 200 });
      expect(log.records[0].faultCode).to.match(/^Server\.UpstreamInvalid/);
      expect(log.records[0].responseBody?.length).to.be.greaterThan(0);
    });
  }

  it('a bad answer with a cached copy present: still an error, and the cached copy is untouched', async () => {
    const { consumers } = make({ minjust: { cacheTtlSeconds: 1 } });
    await consumers.minjust.getSubjectByTin(AGENCY);
    const row = await ctx.store.knex('minjust_subject_cache').where({ inn: AGENCY }).first();
    clock = new Date(clock.getTime() + 5000);
    sandbox.faults.minjust.set({ badSignature: 1 });
    expect((await rejection<AppError>(consumers.minjust.getSubjectByTin(AGENCY))).code).to.equal('UPSTREAM_INVALID_SIGNATURE');
    expect(await ctx.store.knex('minjust_subject_cache').where({ inn: AGENCY }).first()).to.deep.equal(row);
  });

  it('a connection reset is retried and the next attempt succeeds', async () => {
    const { consumers, log } = make();
    sandbox.faults.minjust.set({ reset: 1 });
    const r = await consumers.minjust.getSubjectByTin(AGENCY);
    expect(r.stale).to.equal(false);
    expect(log.records.map((x) => x.succeeded)).to.deep.equal([false, true]);
  });

  it('the concurrency bound holds at the upstream', async () => {
    const { consumers } = make({ minjust: { concurrency: 2, timeoutMs: 5000, attemptTimeoutMs: 2000 } });
    sandbox.faults.minjust.set({ delayMs: 80 });
    const inns = ['01001202210023', '02203201810157', '01506199910038', '00304199510024', '01109201210062', '01804201910078'];
    const results = await Promise.all(inns.map((inn) => consumers.minjust.getSubjectByTin(inn)));
    expect(results.map((r) => r.data.inn)).to.deep.equal(inns);
    expect(sandbox.faults.minjust.stats.maxInFlight).to.equal(2);
  });

  it('an unsigned request is refused by the stand-in (it checks what the adapter sends)', async () => {
    const res = await fetch(sandbox.minjustUrl, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>' });
    expect(res.status).to.equal(500);
    expect(await res.text()).to.include('Client.InvalidXml');
  });

  describe('BIS', () => {
    it('person, certificates and the authority check, live every time', async () => {
      const { consumers, log } = make();
      expect((await consumers.bis.getPersonByPin(PIN)).surname).to.equal('Асанов');
      const certs = await consumers.bis.getSignatureCertificates('11208198500024');
      expect(certs.filter((c) => c.ownerKind === 'organisation').map((c) => c.organisationInn)).to.deep.equal(['02203201810157', '01506199910038']);
      expect(await consumers.bis.mayActFor(PIN, AGENCY)).to.deep.equal({ allowed: true });
      expect(await consumers.bis.mayActFor(PIN, AGENCY)).to.deep.equal({ allowed: true });
      expect(await consumers.bis.mayActFor('20101197800031', NARYN)).to.deep.equal({ allowed: false, reason: 'EXPIRED' });
      expect(await consumers.bis.mayActFor('13011199200045', '00304199510024')).to.deep.equal({ allowed: false, reason: 'REVOKED' });
      expect(await consumers.bis.mayActFor('22707198800052', AGENCY)).to.deep.equal({ allowed: false, reason: 'SUSPENDED' });
      expect(await consumers.bis.mayActFor('20909198000075', AGENCY)).to.deep.equal({ allowed: false, reason: 'NO_CERTIFICATE' });
      expect(await consumers.bis.mayActFor('11208198500024', AGENCY)).to.deep.equal({ allowed: false, reason: 'OTHER_ORGANISATION' });
      expect(sandbox.faults.bis.stats.requests).to.equal(9);
      expect(log.records.every((r) => r.service.startsWith('central-server/GOV/70000001/bis-service/') && r.subjects?.[0].kind === 'pin')).to.equal(true);
    });

    it('BIS down: the authority check fails closed with UPSTREAM_UNAVAILABLE', async () => {
      const { consumers } = make({ bis: { retries: 1, breaker: { volumeThreshold: 20 } } });
      sandbox.faults.bis.set({ status5xx: 2 });
      expect((await rejection<AppError>(consumers.bis.mayActFor(PIN, AGENCY))).code).to.equal('UPSTREAM_UNAVAILABLE');
      sandbox.faults.bis.set({ reset: 2 });
      expect((await rejection<AppError>(consumers.bis.mayActFor(PIN, AGENCY))).code).to.equal('UPSTREAM_UNAVAILABLE');
      expect(await consumers.bis.mayActFor(PIN, AGENCY)).to.deep.equal({ allowed: true });
    });
  });
});
