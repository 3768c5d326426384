import { expect } from 'chai';
import nock from 'nock';
import type { AppError } from '../../../src/errors/app-error.js';
import { silentLogger } from '../../../src/log/logger.js';
import { MemoryMinjustCache } from '../../../src/consumers/minjust/minjust-cache.js';
import { MINJUST_NS } from '../../../src/consumers/minjust/minjust-mapping.js';
import { MinjustXRoadClient } from '../../../src/consumers/minjust/minjust-xroad-client.js';
import { XRoadClient } from '../../../src/consumers/xroad-client.js';
import { buildSignedEnvelope, echoHeaders, parseEnvelope } from '../../../src/xroad/envelope.js';
import { NS } from '../../../src/xroad/namespaces.js';
import { rejection } from '../../unit/consumers/helpers.js';
import { MemoryExchangeLog, testConfig, testPki } from './consumers-fixture.js';

const SS = 'http://ss.test:8080';
const INN = '01001202210023';
const ANSWER = `<m:getSubjectByTinResponse xmlns:m="${MINJUST_NS}"><m:tin>${INN}</m:tin><m:fullNameOl>Учреждение</m:fullNameOl><m:statSubCode>31296230</m:statSubCode></m:getSubjectByTinResponse>`;

/** What MoJ behind its security server answers to a request body: headers echoed, signed by 70000024. */
function signedAnswer(requestBody: string, bodyXml = ANSWER): string {
  const env = parseEnvelope(requestBody);
  return buildSignedEnvelope({ headers: echoHeaders(env), bodyXml, identity: testPki().keys.identity('70000024'), now: new Date(), ttlSeconds: 300 });
}

const bareFault = (code: string): string =>
  `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Body><soapenv:Fault><faultcode>soapenv:${code}</faultcode><faultstring>from the security server</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;

describe('consumers/X-Road client over HTTP (nock)', () => {
  let xroad: XRoadClient | undefined;
  before(() => nock.disableNetConnect());
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    xroad?.shutdown();
    expect(pending, 'every scripted answer was used').to.deep.equal([]);
  });

  const make = (over: NonNullable<Parameters<typeof testConfig>[0]>['minjust'] = {}, opts: { maxBytes?: number } = {}) => {
    const config = testConfig({ minjust: { url: `${SS}/`, ...over } });
    const log = new MemoryExchangeLog();
    xroad = new XRoadClient({
      name: 'minjust',
      upstream: config.consumers.minjust,
      client: config.xroad.client,
      keys: testPki().keys,
      trust: testPki().trust,
      exchangeLog: log,
      logger: silentLogger(),
      timestamp: config.xroad.timestamp,
      limits: { ...config.xroad.limits, maxBytes: opts.maxBytes ?? config.xroad.limits.maxBytes },
      certsDir: testPki().dir,
      guard: { minBackoffMs: 5, maxBackoffMs: 20 },
    });
    const cache = new MemoryMinjustCache();
    const client = new MinjustXRoadClient({ xroad, cache, cacheTtlSeconds: 3600, logger: silentLogger(), now: () => new Date() });
    return { client, log, cache };
  };

  /** The exact request the adapter sends: POST / with these headers and a signed X-Road 4.0 envelope for getSubjectByTin. */
  const expectRequest = () =>
    nock(SS)
      .post('/', (body: string) => {
        const env = parseEnvelope(body);
        return env.headers?.service.serviceCode === 'getSubjectByTin' && env.security !== null && env.bodyWrapper?.local === 'getSubjectByTinRequest';
      })
      .matchHeader('content-type', 'text/xml; charset=utf-8')
      .matchHeader('soapaction', '""');

  it('sends one signed request and reads the signed answer', async () => {
    const { client, log } = make();
    expectRequest().reply(200, (_uri, body) => signedAnswer(body as string), { 'Content-Type': 'text/xml; charset=utf-8' });
    const r = await client.getSubjectByTin(INN);
    expect(r.data.okpo).to.equal('31296230');
    expect(log.records).to.have.length(1);
  });

  it('5xx is retried with the same xrd:id, then succeeds', async () => {
    const { client, log } = make();
    expectRequest().times(2).reply(503, 'busy', { 'Content-Type': 'text/plain' });
    expectRequest().reply(200, (_uri, body) => signedAnswer(body as string), { 'Content-Type': 'text/xml' });
    await client.getSubjectByTin(INN);
    expect(log.records.map((r) => [r.succeeded, r.statusCode])).to.deep.equal([
      [false, 503],
      [false, 503],
      [true, 200],
    ]);
    expect(new Set(log.records.map((r) => r.messageId)).size).to.equal(1);
    expect(log.records[0].faultCode).to.equal('Server.UpstreamUnavailable');
  });

  it('transport errors are retried; when they persist the caller gets UPSTREAM_UNAVAILABLE', async () => {
    const { client, log } = make({ retries: 1 });
    expectRequest().times(2).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect((await rejection<AppError>(client.getSubjectByTin(INN))).code).to.equal('UPSTREAM_UNAVAILABLE');
    expect(log.records).to.have.length(2);
    expect(log.records[0]).to.deep.include({ succeeded: false, statusCode: 0, responseSize: 0 });
    expect(log.records[0].faultString).to.match(/ECONNRESET/);
  });

  it('a slow answer times out per attempt and is retried', async () => {
    const { client } = make({ retries: 1, attemptTimeoutMs: 100, timeoutMs: 1000 });
    expectRequest().delay(300).reply(200, (_uri, body) => signedAnswer(body as string), { 'Content-Type': 'text/xml' });
    expectRequest().reply(200, (_uri, body) => signedAnswer(body as string), { 'Content-Type': 'text/xml' });
    expect((await client.getSubjectByTin(INN)).stale).to.equal(false);
  });

  it("the security server's own (unsigned, headerless) Server.* fault is retried and reported as an upstream fault", async () => {
    const { client, log } = make({ retries: 1 });
    expectRequest().times(2).reply(500, bareFault('Server.ServerProxy.NetworkError'), { 'Content-Type': 'text/xml' });
    expect((await rejection<AppError>(client.getSubjectByTin(INN))).code).to.equal('UPSTREAM_FAULT');
    expect(log.records[0]).to.deep.include({ faultCode: 'Server.ServerProxy.NetworkError', faultString: 'from the security server', statusCode: 500 });
  });

  it('a provider Client.NotFound fault (signed, echoed) is NOT_FOUND and not retried', async () => {
    const { client } = make();
    const fault = `<soapenv:Fault xmlns:soapenv="${NS.soapenv}"><faultcode>Client.NotFound</faultcode><faultstring>no such INN</faultstring></soapenv:Fault>`;
    expectRequest().reply(500, (_uri, body) => signedAnswer(body as string, fault), { 'Content-Type': 'text/xml' });
    expect((await rejection<AppError>(client.getSubjectByTin(INN))).code).to.equal('NOT_FOUND');
  });

  it('refuses an answer that is not SOAP, one too large, and one not signed', async () => {
    const { client } = make({}, { maxBytes: 2048 });
    expectRequest().reply(200, '<html>proxy login</html>', { 'Content-Type': 'text/html' });
    expect((await rejection<AppError>(client.getSubjectByTin(INN))).code).to.equal('UPSTREAM_INVALID_RESPONSE');
    expectRequest().reply(200, (_uri, body) => signedAnswer(body as string).replace('</soapenv:Envelope>', `<!--${'x'.repeat(4096)}--></soapenv:Envelope>`), { 'Content-Type': 'text/xml' });
    expect((await rejection<AppError>(client.getSubjectByTin(INN))).code).to.equal('UPSTREAM_INVALID_RESPONSE');
    const unsigned = (body: string): string => {
      const env = parseEnvelope(body);
      return `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Header>${echoHeaders(env).join('')}</soapenv:Header><soapenv:Body>${ANSWER}</soapenv:Body></soapenv:Envelope>`;
    };
    expectRequest().reply(200, (_uri, body) => unsigned(body as string), { 'Content-Type': 'text/xml' });
    expect((await rejection<AppError>(client.getSubjectByTin(INN))).code).to.equal('UPSTREAM_INVALID_SIGNATURE');
  });

  it('an unsigned answer is accepted from a provider configured as not signing (echo still checked)', async () => {
    const { client } = make({ signsResponses: false });
    const unsigned = (body: string, id?: string): string => {
      const env = parseEnvelope(body);
      const headers = echoHeaders(env).map((h) => (id && h.includes(':id ') ? h.replace(/>[^<]+</, `>${id}<`) : h));
      return `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Header>${headers.join('')}</soapenv:Header><soapenv:Body>${ANSWER}</soapenv:Body></soapenv:Envelope>`;
    };
    expectRequest().reply(200, (_uri, body) => unsigned(body as string), { 'Content-Type': 'text/xml' });
    expect((await client.getSubjectByTin(INN)).data.okpo).to.equal('31296230');
    expectRequest().reply(200, (_uri, body) => unsigned(body as string, 'another-id'), { 'Content-Type': 'text/xml' });
    expect((await rejection<AppError>(client.getSubjectByTin('01001202210031'))).code).to.equal('UPSTREAM_INVALID_RESPONSE');
  });

  it('an answer that cannot be put on the exchange log is not used', async () => {
    const { client, log, cache } = make();
    log.failing = true;
    expectRequest().reply(200, (_uri, body) => signedAnswer(body as string), { 'Content-Type': 'text/xml' });
    expect((await rejection<AppError>(client.getSubjectByTin(INN))).code).to.equal('INTERNAL');
    expect(cache.rows.size).to.equal(0);
  });
});
