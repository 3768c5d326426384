import { expect } from 'chai';
import { echoHeaders, EnvelopeError, parseEnvelope } from '../../../src/xroad/envelope.js';
import { buildXRoadHeaders, readXRoadHeaders } from '../../../src/xroad/headers.js';
import { NS } from '../../../src/xroad/namespaces.js';
import { parseXml } from '../../../src/xroad/xml/parser.js';
import { attrNs } from '../../../src/xroad/xml/dom.js';
import { BODY, expectRefusal, requestHeaders } from './helpers.js';

const S = `xmlns:soapenv="${NS.soapenv}"`;

function envelope(header: string | null, body: string, extra = ''): string {
  return `<soapenv:Envelope ${S}${extra}>${header === null ? '' : `<soapenv:Header>${header}</soapenv:Header>`}<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

function refused(xml: string, code: EnvelopeError['code'], reason: string): void {
  expectRefusal(() => parseEnvelope(xml), EnvelopeError, (e) => [e.code, e.reason], [code, reason]);
}

describe('xroad envelope', () => {
  const headers = buildXRoadHeaders(requestHeaders()).join('');

  it('locates Header children, Security, Body and the wrapper by position', () => {
    const sec = `<wsse:Security xmlns:wsse="${NS.wsse}"/>`;
    const env = parseEnvelope(envelope(headers + sec, `\n  ${BODY}\n`));
    expect(env.headerChildren.map((h) => h.local)).to.deep.equal(['client', 'service', 'id', 'userId', 'protocolVersion']);
    expect(env.security?.local).to.equal('Security');
    expect(env.bodyWrapper?.local).to.equal('getHolder');
    expect(env.headers?.client.memberCode).to.equal('70000030');
    expect(env.headersError).to.equal(undefined);
  });

  it('keeps going with unreadable headers, saying why', () => {
    const env = parseEnvelope(envelope(null, BODY));
    expect(env.headers).to.equal(null);
    expect(env.headersError?.field).to.equal('xrd:client');
    expect(env.bodyWrapper?.local).to.equal('getHolder');
  });

  it('has no wrapper for an empty Body or several elements', () => {
    expect(parseEnvelope(envelope(headers, '')).bodyWrapper).to.equal(null);
    expect(parseEnvelope(envelope(headers, BODY + BODY)).bodyWrapper).to.equal(null);
  });

  it('refuses what is not a SOAP 1.1 envelope of [Header] Body', () => {
    refused('<x/>', 'INVALID_XML', 'ENVELOPE_STRUCTURE');
    refused(envelope(headers, BODY).replaceAll(NS.soapenv, 'http://www.w3.org/2003/05/soap-envelope'), 'INVALID_XML', 'ENVELOPE_STRUCTURE');
    refused(`<soapenv:Envelope ${S}><soapenv:Header/></soapenv:Envelope>`, 'INVALID_XML', 'ENVELOPE_STRUCTURE');
    refused(`<soapenv:Envelope ${S}><soapenv:Body/><soapenv:Header/></soapenv:Envelope>`, 'INVALID_XML', 'ENVELOPE_STRUCTURE');
    refused(`<soapenv:Envelope ${S}><soapenv:Body/><x:After xmlns:x="urn:x"/></soapenv:Envelope>`, 'INVALID_XML', 'ENVELOPE_STRUCTURE');
    refused(`<soapenv:Envelope ${S}>text<soapenv:Body/></soapenv:Envelope>`, 'INVALID_XML', 'ENVELOPE_STRUCTURE');
    refused(envelope(`stray${headers}`, BODY), 'INVALID_HEADER', 'HEADER_STRUCTURE');
  });

  it('reports parser refusals as INVALID_XML with the parser reason', () => {
    refused(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${envelope(headers, BODY)}`, 'INVALID_XML', 'DOCTYPE');
    refused(envelope(headers, BODY) + '<x/>', 'INVALID_XML', 'MULTIPLE_ROOTS');
  });

  describe('echoHeaders', () => {
    it('echoes every header in order, unknown ones too, with in-scope namespaces and no wsu:Id', () => {
      const shared = buildXRoadHeaders({ ...requestHeaders(), representedParty: { partyClass: 'COM', partyCode: '123' } }).map((h) => h.replace(/ xmlns:(xrd|id|repr)="[^"]+"/g, ''));
      const unknown = `<x:trace x:level="2" xsi:type="xs:string" Id="_7" wsu:Id="id-9">abc &amp; <![CDATA[<def>]]><!-- dropped --></x:trace>`;
      const decls = ` xmlns:xrd="${NS.xrd}" xmlns:id="${NS.id}" xmlns:repr="${NS.repr}" xmlns:x="urn:x" xmlns:xs="${NS.xsd}" xmlns:xsi="${NS.xsi}" xmlns:wsu="${NS.wsu}"`;
      const env = parseEnvelope(envelope(shared.join('') + unknown + `<wsse:Security xmlns:wsse="${NS.wsse}"/>`, BODY, decls));
      const echoed = echoHeaders(env);
      expect(echoed).to.have.length(7);
      const parsed = echoed.map((e) => parseXml(e));
      expect(parsed.map((p) => p.name)).to.deep.equal(['xrd:client', 'xrd:service', 'xrd:id', 'xrd:userId', 'xrd:protocolVersion', 'repr:representedParty', 'x:trace']);
      expect(readXRoadHeaders(parsed)).to.deep.equal(env.headers);
      const trace = parsed[6];
      expect(attrNs(trace, NS.wsu, 'Id')).to.equal(undefined);
      expect(attrNs(trace, '', 'Id')).to.equal('_7');
      expect(attrNs(trace, NS.xsi, 'type')).to.equal('xs:string');
      // The QName in the attribute value still resolves: xs is declared on the echoed element.
      expect(trace.nsDecls.get('xs')).to.equal(NS.xsd);
      expect(echoed[6]).to.contain('abc &amp; &lt;def&gt;');
      expect(echoed.join('')).to.not.contain('requestHash');
    });
  });
});
