import { expect } from 'chai';
import { openApiPath } from '../../../src/http/openapi.js';
import { soapActionAgrees } from '../../../src/xroad/soap-endpoint.js';
import { xsdPattern, xroadAddress } from '../../../src/xroad/wsdl.js';
import { parseRestClient, peerAllowlist } from '../../../src/xroad/xroad-rest.js';
import { faultBodyXml } from '../../../src/xroad/faults.js';
import { AppError } from '../../../src/errors/app-error.js';
import { parseXml } from '../../../src/xroad/xml/parser.js';

describe('transport helpers', () => {
  it('SOAPAction: absent, empty or naming the operation agrees; anything else contradicts', () => {
    for (const ok of [undefined, '', '""', 'ping', '"ping"', 'urn:x:v1/ping', 'urn:x:v1#ping', 'urn:x:ping']) expect(soapActionAgrees(ok, 'ping'), String(ok)).to.equal(true);
    for (const bad of ['record', '"urn:x:v1/record"', 'urn:x:v1/pingX', 'xping']) expect(soapActionAgrees(bad, 'ping'), bad).to.equal(false);
  });

  it('turns ECMAScript patterns into XSD patterns, or leaves them out when XSD cannot say them', () => {
    expect(xsdPattern('^\\d{14}$')).to.equal('\\d{14}');
    expect(xsdPattern('^(?:a|b)-\\/x$')).to.equal('(a|b)-/x');
    expect(xsdPattern('abc')).to.equal('.*abc.*');
    expect(xsdPattern('^(?=.*x).+$')).to.equal(undefined);
    expect(xsdPattern('^\\bword$')).to.equal(undefined);
    expect(xsdPattern('^a+?$')).to.equal(undefined);
    expect(xsdPattern('^[^a]b$')).to.equal('[^a]b');
  });

  it('builds the soap:address and OpenAPI paths', () => {
    expect(xroadAddress('https://adapter.example/')).to.equal('https://adapter.example/xroad');
    expect(openApiPath('/holders/:inn/status')).to.deep.equal({ path: '/holders/{inn}/status', params: ['inn'] });
  });

  it('parses X-Road-Client values and checks peers against the allowlist', () => {
    expect(parseRestClient('central-server/GOV/70000030/portal')).to.deep.include({ objectType: 'SUBSYSTEM', subsystemCode: 'portal' });
    expect(parseRestClient('central-server/GOV/70000030')).to.deep.include({ objectType: 'MEMBER', memberCode: '70000030' });
    for (const bad of ['a/b', 'a/b/c/d/e', 'a/b/c d/e', 'a//c', 'a/b/c/d%2F']) expect(parseRestClient(bad), bad).to.equal(undefined);
    const list = peerAllowlist(['127.0.0.1', '::1', '10.1.0.0/16']);
    expect(list.check('127.0.0.1', 'ipv4')).to.equal(true);
    expect(list.check('::ffff:127.0.0.1', 'ipv6')).to.equal(true);
    expect(list.check('10.1.2.3', 'ipv4')).to.equal(true);
    expect(list.check('10.2.0.1', 'ipv4')).to.equal(false);
    expect(() => peerAllowlist(['localhost'])).to.throw(/not an IP/);
  });

  it('builds fault bodies only from the catalogue and field errors', () => {
    const err = new AppError('NOT_FOUND', { cause: new Error('SELECT secret FROM t') });
    const xml = faultBodyXml(err, 'req-1');
    expect(xml).to.not.include('secret');
    const fault = parseXml(xml);
    expect(fault.local).to.equal('Fault');
    expect(xml).to.include('<faultcode>Client.NotFound</faultcode>');
    expect(xml).to.include('<f:requestId>req-1</f:requestId>');
  });
});
