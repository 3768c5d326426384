import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { createLogger } from '../../../src/log/logger.js';
import { AppError } from '../../../src/errors/app-error.js';
import { id, keys, newId, OTHER, parseResponse, pingBody, PORTAL, post, PROVIDER, rogueIdentity, serviceId, signedRequest, startServer, testConfig, verifyResponse, verifySignedBy, type TestServer } from './harness.js';
import { newCalls, OTHER_NS, testTable, type Calls } from './test-group.js';

const OTHER_PROVIDER = 'central-server/GOV/70000098/other-test';
const recordBody = (value: string, extra = ''): string => `<o:record xmlns:o="${OTHER_NS}"><o:value>${value}</o:value>${extra}</o:record>`;
const recordService = (code = 'record') => serviceId(OTHER_PROVIDER, code);

describe('POST /xroad', () => {
  let store: TestStore;
  let srv: TestServer;
  let calls: Calls;
  const logLines: string[] = [];

  before(async () => {
    store = await freshStore('sqlite');
    calls = newCalls();
    const stream = new PassThrough();
    stream.on('data', (d: Buffer) => logLines.push(...d.toString().split('\n').filter(Boolean)));
    srv = await startServer({ store, table: testTable(calls), logger: createLogger({ level: 'info', stream }) });
  });
  after(async () => {
    await srv?.close();
    await store?.dispose();
  });

  const send = (xml: string, headers: Record<string, string> = {}) => post(`${srv.url}/xroad`, xml, { 'content-type': 'text/xml; charset=utf-8', ...headers });

  async function expectFault(xml: string, faultCode: string, detailCode?: string, headers: Record<string, string> = {}) {
    const r = await send(xml, headers);
    expect(r.status, r.text.slice(0, 300)).to.equal(500);
    const p = parseResponse(r.text);
    expect(p.faultCode).to.equal(faultCode);
    if (detailCode) expect(p.detailCode).to.equal(detailCode);
    return { r, p };
  }

  describe('success', () => {
    it('answers ping with a signed response echoing every header in order, unknown ones and representedParty included', async () => {
      const unknown = '<x:trace xmlns:x="urn:example:trace">abc</x:trace>';
      const xml = signedRequest({ bodyXml: pingBody('tere'), userId: 'KG21234567890123', issue: 'case-7', representedParty: { partyClass: 'COM', partyCode: '12345' }, extraHeaders: [unknown] });
      const r = await send(xml);
      expect(r.status).to.equal(200);
      expect(r.headers.get('content-type')).to.match(/^text\/xml/);
      const p = parseResponse(r.text);
      expect(p.headerNames).to.deep.equal(['xrd:client', 'xrd:service', 'xrd:id', 'xrd:userId', 'xrd:issue', 'xrd:protocolVersion', 'repr:representedParty', 'x:trace']);
      expect(r.text).to.not.include('requestHash');
      const v = verifyResponse(r.text);
      expect(v.signer.subject).to.include('CN=70000099');
      expect(p.wrapper?.local).to.equal('pingResponse');
      expect(p.wrapper?.values.text).to.equal('tere');
      expect(p.wrapper?.values.client).to.equal(PORTAL);
      expect(p.wrapper?.values.userId).to.equal('KG21234567890123');
      // The echoed headers carry the same values as the request's.
      const req = parseResponse(xml);
      expect(p.env.headers).to.deep.equal(req.env.headers);
      expect(p.env.headerChildren[7].children).to.deep.include({ kind: 'text', value: 'abc' });
    });

    it('answers requests in flight together, each signed and paired with its own headers and body', async () => {
      // Handlers that take a while keep all of them in flight: their answers are signed on the thread pool.
      const ids = Array.from({ length: 8 }, () => newId());
      const answers = await Promise.all(ids.map((messageId, i) => send(signedRequest({ id: messageId, service: recordService(), bodyXml: recordBody(`v-${i}`, '<o:delayMs>100</o:delayMs>') }))));
      answers.forEach((r, i) => {
        expect(r.status, r.text.slice(0, 300)).to.equal(200);
        expect(verifyResponse(r.text).signer.subject).to.include('CN=70000098');
        const p = parseResponse(r.text);
        expect(p.env.headers?.id).to.equal(ids[i]);
        expect(p.wrapper?.values.value).to.equal(`v-${i}`);
      });
    });

    it('accepts SOAPAction absent, empty, or naming the operation', async () => {
      for (const action of [undefined, '""', '', 'ping', '"urn:kg:tunduk:adapter-test:v1/ping"', 'urn:kg:tunduk:adapter-test:v1#ping']) {
        const r = await send(signedRequest({ bodyXml: pingBody() }), action === undefined ? {} : { soapaction: action });
        expect(r.status, `SOAPAction ${action}`).to.equal(200);
      }
    });

    it('writes one exchange record with every field, subjects included', async () => {
      srv.exchangeLog.records.length = 0;
      const mid = newId();
      const xml = signedRequest({ service: recordService(), bodyXml: recordBody('v1', '<o:inn>01001202210023</o:inn>'), id: mid, userId: '21234567890123', issue: 'iss-1' });
      const r = await send(xml);
      expect(r.status).to.equal(200);
      const rec = srv.exchangeLog.records.at(-1);
      expect(rec).to.include({
        direction: 'in',
        transport: 'soap',
        client: PORTAL,
        service: `${OTHER_PROVIDER}/record/v1`,
        serviceCode: 'record',
        serviceVersion: 'v1',
        messageId: mid,
        userId: '21234567890123',
        issue: 'iss-1',
        protocolVersion: '4.0',
        requestSize: Buffer.byteLength(xml),
        responseSize: Buffer.byteLength(r.text),
        requestAttachmentCount: 0,
        responseAttachmentCount: 0,
        succeeded: true,
        statusCode: 200,
        operationKind: 'write',
      });
      expect(rec?.requestBody?.toString()).to.equal(xml);
      expect(rec?.responseBody?.toString()).to.equal(r.text);
      expect(rec?.subjects).to.deep.equal([{ kind: 'inn', value: '01001202210023' }, { kind: 'pin', value: '21234567890123' }]);
      expect(rec?.requestInTs).to.be.a('number').and.at.most(rec?.responseOutTs as number);
      expect(rec?.requestId).to.be.a('string');
    });

    it('hands the handler a context built from the verified headers', async () => {
      const before = calls.contexts.length;
      await send(signedRequest({ service: recordService(), bodyXml: recordBody('ctx'), userId: 'KG1', issue: 'i-2', representedParty: { partyCode: 'P1' } }));
      const ctx = calls.contexts[before];
      expect(ctx).to.deep.include({ transport: 'soap', client: PORTAL, userId: 'KG1', issue: 'i-2', representedParty: { partyCode: 'P1' } });
      expect(ctx.clientId).to.deep.equal(id(PORTAL));
      expect(ctx.attachments).to.deep.equal([]);
    });
  });

  describe('routing', () => {
    it('refuses a body wrapper that does not match xrd:service', async () => {
      await expectFault(signedRequest({ service: serviceId(PROVIDER, 'ping'), bodyXml: recordBody('x') }), 'Client.UnknownService', 'UNKNOWN_SERVICE');
      await expectFault(signedRequest({ bodyXml: pingBody('x', 'urn:wrong:namespace') }), 'Client.UnknownService');
    });

    it('refuses unknown subsystems, services and versions', async () => {
      await expectFault(signedRequest({ service: serviceId('central-server/GOV/70000099/not-here', 'ping'), bodyXml: pingBody() }), 'Client.UnknownService');
      await expectFault(signedRequest({ service: serviceId('central-server/GOV/70000050/adapter-test', 'ping'), bodyXml: pingBody() }), 'Client.UnknownService');
      await expectFault(signedRequest({ service: serviceId('other-instance/GOV/70000099/adapter-test', 'ping'), bodyXml: pingBody() }), 'Client.UnknownService');
      await expectFault(signedRequest({ service: serviceId(PROVIDER, 'nope'), bodyXml: '<t:nope xmlns:t="urn:kg:tunduk:adapter-test:v1"/>' }), 'Client.UnknownService');
      await expectFault(signedRequest({ service: serviceId(PROVIDER, 'ping', 'v2'), bodyXml: pingBody() }), 'Client.UnknownService');
      await expectFault(signedRequest({ service: serviceId(PROVIDER, 'ping', null), bodyXml: pingBody() }), 'Client.UnknownService');
    });

    it('refuses a SOAPAction that names another operation', async () => {
      await expectFault(signedRequest({ bodyXml: pingBody() }), 'Client.UnknownService', 'UNKNOWN_SERVICE', { soapaction: '"urn:kg:tunduk:adapter-test:v1/record"' });
    });
  });

  describe('faults', () => {
    it('are HTTP 500 SOAP 1.1 faults with the stable code, English faultstring, ky/ru/en messages, echoed headers, signed', async () => {
      const { r, p } = await expectFault(signedRequest({ bodyXml: pingBody('x'.repeat(300)), representedParty: { partyCode: 'P9' }, extraHeaders: ['<u:h xmlns:u="urn:u">1</u:h>'] }), 'Client.ValidationFailed', 'VALIDATION_FAILED');
      expect(p.fields).to.deep.equal([{ name: 'text', reason: 'tooLong' }]);
      expect(Object.keys(p.messages)).to.deep.equal(['ky', 'ru', 'en']);
      expect(p.messages.en).to.equal('The request contains invalid fields.');
      expect(p.headerNames).to.deep.equal(['xrd:client', 'xrd:service', 'xrd:id', 'xrd:protocolVersion', 'repr:representedParty', 'u:h']);
      expect(r.text).to.match(/<faultstring xml:lang="en">The request contains invalid fields.<\/faultstring>/);
      expect(r.text).to.not.include('requestHash');
      verifyResponse(r.text);
    });

    it('denies by default: a client without an ACL entry gets Client.AccessDenied, handler not run', async () => {
      const before = calls.record;
      await expectFault(signedRequest({ client: id(OTHER), signer: keys.identity('70000050'), service: recordService(), bodyXml: recordBody('x') }), 'Client.AccessDenied', 'ACCESS_DENIED');
      expect(calls.record).to.equal(before);
    });

    it('turns an unexpected exception into Server.InternalError without internals, and logs it with the request id', async () => {
      logLines.length = 0;
      const { r, p } = await expectFault(signedRequest({ service: recordService('boom'), bodyXml: `<o:boom xmlns:o="${OTHER_NS}"/>` }), 'Server.InternalError', 'INTERNAL');
      expect(r.text).to.not.match(/select|secret|stack|21234567890123|at .*\.ts/);
      const requestId = r.headers.get('x-request-id');
      const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 'error');
      expect(line?.requestId).to.equal(requestId);
      expect(JSON.stringify(line)).to.not.include('21234567890123');
      expect(p.env.headers).to.not.equal(null);
    });

    it('reports business errors and broken output with their codes', async () => {
      await expectFault(signedRequest({ service: recordService('missing'), bodyXml: `<o:missing xmlns:o="${OTHER_NS}"><o:inn>1</o:inn></o:missing>` }), 'Client.NotFound', 'NOT_FOUND');
      await expectFault(signedRequest({ service: recordService('badOutput'), bodyXml: `<o:badOutput xmlns:o="${OTHER_NS}"/>` }), 'Server.InternalError');
    });

    it('refuses other content types, SOAP 1.2, and oversized bodies as faults', async () => {
      await expectFault(signedRequest({ bodyXml: pingBody() }), 'Client.InvalidXml', 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'application/soap+xml; charset=utf-8' });
      await expectFault(signedRequest({ bodyXml: pingBody() }), 'Client.InvalidXml', 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'application/json' });
      await expectFault(`<a>${'x'.repeat(11 * 1024 * 1024)}</a>`, 'Client.InvalidXml', 'PAYLOAD_TOO_LARGE');
    });

    it('refuses bad X-Road headers with Client.InvalidHeader naming the header', async () => {
      const xml = signedRequest({ bodyXml: pingBody() }).replace(/(<xrd:protocolVersion[^>]*>)4\.0</, '$13.1<');
      const { p } = await expectFault(xml, 'Client.InvalidHeader', 'INVALID_HEADER');
      expect(p.fields[0].name).to.equal('xrd:protocolVersion');
    });
  });

  describe('message ids', () => {
    it('returns the stored response for a repeat with the same body, without running the operation again', async () => {
      const mid = newId();
      const first = await send(signedRequest({ id: mid, service: recordService(), bodyXml: recordBody('once') }));
      const count = calls.record;
      // A retry is signed anew (new Timestamp, new Ids): the body content is what counts.
      const again = await send(signedRequest({ id: mid, service: recordService(), bodyXml: recordBody('once') }));
      expect(first.status).to.equal(200);
      expect(again.status).to.equal(200);
      expect(again.text).to.equal(first.text);
      expect(calls.record).to.equal(count);
      const last = srv.exchangeLog.records.at(-1);
      expect(last?.messageId).to.equal(mid);
      expect(last?.responseBody?.toString()).to.equal(first.text);
    });

    it('concurrent repeats of a read: it runs once, every repeat gets its answer, another body is refused', async () => {
      const mid = newId();
      const read = (value: string) => signedRequest({ id: mid, service: recordService('slowRead'), bodyXml: `<o:slowRead xmlns:o="${OTHER_NS}"><o:value>${value}</o:value><o:delayMs>150</o:delayMs></o:slowRead>` });
      const before = calls.slowRead;
      const first = send(read('v'));
      await new Promise((r) => setTimeout(r, 40));
      const [a, b, c, other] = await Promise.all([first, send(read('v')), send(read('v')), send(read('w'))]);
      expect(calls.slowRead).to.equal(before + 1);
      expect([a.status, b.status, c.status]).to.deep.equal([200, 200, 200]);
      expect(b.text).to.equal(a.text);
      expect(c.text).to.equal(a.text);
      expect(parseResponse(other.text).faultCode).to.equal('Client.DuplicateMessageId');
      const row = await store.knex('xroad_message_ids').where({ message_id: mid }).first();
      expect(row.state).to.equal('done');
    });

    it('on SQLite a running read leaves no row behind it; with readClaims = upfront it writes a pending one first', async () => {
      const slowRead = (mid: string) => signedRequest({ id: mid, service: recordService('slowRead'), bodyXml: `<o:slowRead xmlns:o="${OTHER_NS}"><o:value>r</o:value><o:delayMs>150</o:delayMs></o:slowRead>` });
      const rowWhileRunning = async (server: TestServer) => {
        const mid = newId();
        const answer = post(`${server.url}/xroad`, slowRead(mid), { 'content-type': 'text/xml; charset=utf-8' });
        await new Promise((r) => setTimeout(r, 60));
        const row = await store.knex('xroad_message_ids').where({ message_id: mid }).first();
        expect((await answer).status).to.equal(200);
        return row?.state as string | undefined;
      };
      expect(await rowWhileRunning(srv)).to.equal(undefined);
      const upfront = await startServer({ store, table: testTable(calls), config: testConfig({ xroad: { messageIds: { readClaims: 'upfront' } } }) });
      try {
        expect(await rowWhileRunning(upfront)).to.equal('pending');
      } finally {
        await upfront.close();
      }
    });

    it('refuses a repeat with another body as Client.DuplicateMessageId', async () => {
      const mid = newId();
      await send(signedRequest({ id: mid, service: recordService(), bodyXml: recordBody('a') }));
      const count = calls.record;
      await expectFault(signedRequest({ id: mid, service: recordService(), bodyXml: recordBody('b') }), 'Client.DuplicateMessageId', 'DUPLICATE_MESSAGE_ID');
      expect(calls.record).to.equal(count);
    });

    it('replays a Client fault, but lets a retry run again after a Server fault', async () => {
      const mid = newId();
      const bad = signedRequest({ id: mid, service: recordService(), bodyXml: recordBody('x'.repeat(30)) });
      const f1 = await send(bad);
      const f2 = await send(signedRequest({ id: mid, service: recordService(), bodyXml: recordBody('x'.repeat(30)) }));
      expect(parseResponse(f2.text).faultCode).to.equal('Client.ValidationFailed');
      expect(f2.text).to.equal(f1.text);
      expect(srv.exchangeLog.records.at(-1)).to.include({ succeeded: false, faultCode: 'Client.ValidationFailed' });
      const fid = newId();
      const flakyBody = `<o:flaky xmlns:o="${OTHER_NS}"><o:value>v</o:value></o:flaky>`;
      await expectFault(signedRequest({ id: fid, service: recordService('flaky'), bodyXml: flakyBody }), 'Server.UpstreamUnavailable');
      const ok = await send(signedRequest({ id: fid, service: recordService('flaky'), bodyXml: flakyBody }));
      expect(ok.status).to.equal(200);
      expect(parseResponse(ok.text).wrapper?.values.attempt).to.equal('2');
    });

    it('keeps ids per client: another client may use the same id', async () => {
      const mid = newId();
      const cfgAcl = srv.config.acl;
      expect(cfgAcl[OTHER]).to.equal(undefined);
      const a = await send(signedRequest({ id: mid, bodyXml: pingBody('a') }));
      const b = await send(signedRequest({ id: mid, bodyXml: pingBody('b'), client: id('central-server/GOV/70000030/second') }));
      expect(a.status).to.equal(200);
      expect(parseResponse(b.text).faultCode).to.equal('Client.AccessDenied');
    });
  });

  describe('write logging', () => {
    it('answers a write only after its exchange record is committed; a failed append is a Server fault', async () => {
      srv.exchangeLog.delayMs = 150;
      const t0 = Date.now();
      const r = await send(signedRequest({ service: recordService(), bodyXml: recordBody('slow-log') }));
      srv.exchangeLog.delayMs = 0;
      expect(r.status).to.equal(200);
      expect(Date.now() - t0).to.be.at.least(150);
      srv.exchangeLog.failNext = true;
      await expectFault(signedRequest({ service: recordService(), bodyXml: recordBody('no-log') }), 'Server.InternalError', 'INTERNAL');
    });

    it('tells a write whose record the log refused (queue full, shutting down) to try again later', async () => {
      srv.exchangeLog.failNext = new AppError('EXCHANGE_LOG_UNAVAILABLE', { detail: { en: 'The log is shutting down.', ru: 'Журнал закрывается.', ky: 'Журнал жабылууда.' } });
      const { r } = await expectFault(signedRequest({ service: recordService(), bodyXml: recordBody('log-refused') }), 'Server.InternalError', 'EXCHANGE_LOG_UNAVAILABLE');
      expect(r.text).to.contain('Try again later').and.to.contain('The log is shutting down.');
    });

    it('answers a read even when its exchange record fails, logging the failure', async () => {
      logLines.length = 0;
      srv.exchangeLog.failNext = true;
      const r = await send(signedRequest({ bodyXml: pingBody() }));
      expect(r.status).to.equal(200);
      await new Promise((res) => setTimeout(res, 20));
      expect(logLines.some((l) => l.includes('exchange log append failed'))).to.equal(true);
    });
  });

  describe('attacks (each answered with its fault, nothing run, no outbound connection)', () => {
    let canaryHits = 0;
    let canary: http.Server;
    let canaryUrl = '';
    before(async () => {
      canary = http.createServer((_req, res) => {
        canaryHits += 1;
        res.end('<x>leak</x>');
      });
      await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
      canaryUrl = `http://127.0.0.1:${(canary.address() as AddressInfo).port}/canary`;
    });
    after(() => new Promise<void>((r) => canary.close(() => r())));

    const signed = () => signedRequest({ service: recordService(), bodyXml: recordBody('attack') });

    it('signature removed', async () => {
      await expectFault(signed().replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, ''), 'Client.InvalidSignature', 'INVALID_SIGNATURE');
    });
    it('whole wsse:Security removed', async () => {
      await expectFault(signed().replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, ''), 'Client.InvalidSignature', 'INVALID_SIGNATURE');
    });
    it('client header changed after signing', async () => {
      await expectFault(signed().replace('<id:memberCode>70000030</id:memberCode>', '<id:memberCode>70000050</id:memberCode>'), 'Client.InvalidSignature');
    });
    it('body changed after signing', async () => {
      await expectFault(signed().replace('<o:value>attack</o:value>', '<o:value>attacK</o:value>'), 'Client.InvalidSignature', 'INVALID_SIGNATURE');
    });
    it('signed Body moved into the Header and a new Body added (SOAP wrapping)', async () => {
      const xml = signed();
      const body = /<soapenv:Body[\s\S]*<\/soapenv:Body>/.exec(xml)?.[0] as string;
      const wrapped = xml.replace(body, `<soapenv:Body>${recordBody('evil')}</soapenv:Body>`).replace('</soapenv:Header>', `<w:Wrapper xmlns:w="urn:w">${body}</w:Wrapper></soapenv:Header>`);
      await expectFault(wrapped, 'Client.InvalidSignature');
    });
    it('key substitution: a valid signature by an untrusted certificate', async () => {
      await expectFault(signedRequest({ service: recordService(), bodyXml: recordBody('x'), signer: rogueIdentity }), 'Client.InvalidSignature', 'UNTRUSTED_CERTIFICATE');
    });
    it('a trusted key of member A with xrd:client = B', async () => {
      await expectFault(signedRequest({ service: recordService(), bodyXml: recordBody('x'), signer: keys.identity('70000050') }), 'Client.InvalidSignature', 'UNTRUSTED_CERTIFICATE');
    });
    it('replay after Expires / Created too old', async () => {
      await expectFault(signedRequest({ bodyXml: pingBody(), now: new Date(Date.now() - 3600_000) }), 'Client.MessageExpired', 'MESSAGE_EXPIRED');
    });
    it('Created in the future', async () => {
      await expectFault(signedRequest({ bodyXml: pingBody(), now: new Date(Date.now() + 600_000) }), 'Client.MessageExpired', 'MESSAGE_EXPIRED');
    });
    it('XXE with a file and with a loopback URL', async () => {
      const file = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${signed().replace('attack', '&e;')}`;
      await expectFault(file, 'Client.InvalidXml', 'INVALID_XML');
      const url = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "${canaryUrl}">]>${signed().replace('attack', '&e;')}`;
      await expectFault(url, 'Client.InvalidXml', 'INVALID_XML');
      expect(canaryHits).to.equal(0);
    });
    it('billion laughs', async () => {
      const lol = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>`;
      await expectFault(lol, 'Client.InvalidXml');
    });
    it('10^5 nested elements', async () => {
      const deep = `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`;
      const before = process.memoryUsage().heapUsed;
      await expectFault(deep, 'Client.InvalidXml');
      expect(process.memoryUsage().heapUsed - before).to.be.below(200 * 1024 * 1024);
    });
    it('a 1 MB attribute', async () => {
      await expectFault(signed().replace('<o:value>', `<o:value a="${'x'.repeat(1024 * 1024)}">`), 'Client.InvalidXml');
    });
    it('multiple roots and trailing garbage', async () => {
      await expectFault(`${signed()}<again/>`, 'Client.InvalidXml');
      await expectFault(`${signed()}garbage`, 'Client.InvalidXml');
    });
    it('__proto__ and constructor element names in a signed body', async () => {
      const before = calls.record;
      const { p } = await expectFault(
        signedRequest({ service: recordService(), bodyXml: recordBody('x', '<o:__proto__><o:polluted>1</o:polluted></o:__proto__><o:constructor>1</o:constructor>') }),
        'Client.ValidationFailed',
      );
      expect(p.fields.map((f) => f.name)).to.deep.equal(['__proto__', 'constructor']);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(calls.record).to.equal(before);
    });
    it('a repeated message id with another body', async () => {
      const mid = newId();
      await send(signedRequest({ id: mid, service: recordService(), bodyXml: recordBody('one') }));
      await expectFault(signedRequest({ id: mid, service: recordService(), bodyXml: recordBody('two') }), 'Client.DuplicateMessageId');
    });
    it('not a SOAP envelope, and a fake Body in another namespace', async () => {
      await expectFault('<x/>', 'Client.InvalidXml');
      await expectFault(signed().replace(/soapenv:Body/g, 'evil:Body').replace('<evil:Body', `<evil:Body xmlns:evil="urn:evil"`), 'Client.InvalidXml');
    });
    it('text in a signed value split by a comment is read whole', async () => {
      // The comment is not in the signed c14n form, so the signature still holds and the value is "attack".
      const before = calls.contexts.length;
      const r = await send(signed().replace('<o:value>attack</o:value>', '<o:value>att<!-- -->ack</o:value>'));
      expect(r.status).to.equal(200);
      expect(parseResponse(r.text).wrapper?.values.value).to.equal('attack');
      expect(calls.contexts.length).to.equal(before + 1);
    });
  });

  describe('afterwards', () => {
    it('every fault so far was signed by an adapter key and logged', () => {
      const faults = srv.exchangeLog.records.filter((r) => !r.succeeded);
      expect(faults.length).to.be.greaterThan(20);
      for (const f of faults) {
        expect(f.statusCode).to.equal(500);
        expect(f.faultCode).to.match(/^(Client|Server)\.[A-Za-z]+$/);
        expect(f.faultString).to.be.a('string');
        const text = f.responseBody?.toString() ?? '';
        // The provider named in xrd:service signs; a fault for a service not provided here is signed by the adapter's own member.
        const signer = f.service.startsWith('central-server/GOV/70000098/other-test') ? '70000098' : '70000099';
        verifySignedBy(text, signer);
      }
    });
  });
});
