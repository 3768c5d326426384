import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import * as soap from 'soap';
import { SignedXml } from 'xml-crypto';
import { buildSignedEnvelope, echoHeaders, parseEnvelope, verifyEnvelope } from '../../../src/xroad/envelope.js';
import { buildXRoadHeaders } from '../../../src/xroad/headers.js';
import { ALG, NS } from '../../../src/xroad/namespaces.js';
import { BODY, expectSecurityError, requestHeaders, testPki, verifyOptions } from './helpers.js';

const WSDL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/xroad/get-holder.wsdl');
/** The X-Road headers node-soap is told to sign, by the qualified names it selects on. */
const XROAD_HEADER_NAMES = ['xrd:client', 'xrd:service', 'xrd:id', 'xrd:userId', 'xrd:protocolVersion'];

/**
 * node-soap's signer configured for this profile. `idMode: 'wssecurity'` matters: in its default
 * mode xml-crypto takes any attribute named id — including the `xmlns:id` declaration each
 * standalone X-Road header carries — for the element's Id, and writes references to
 * "#http://x-road.eu/xsd/identifiers" that no verifier (xml-crypto included) can resolve.
 */
function nodeSoapSecurity(idMode: 'wssecurity' | 'default' = 'wssecurity', references = XROAD_HEADER_NAMES): soap.WSSecurityCert {
  const { portalPems } = testPki();
  return new soap.WSSecurityCert(portalPems.keyPem, portalPems.certPem, '', {
    hasTimeStamp: true,
    signatureAlgorithm: ALG.rsaSha256,
    digestAlgorithm: ALG.sha256,
    additionalReferences: references,
    signerOptions: { prefix: 'ds', idMode: idMode === 'default' ? undefined : idMode, existingPrefixes: { xrd: NS.xrd, id: NS.id } },
  });
}

/** What node-soap's client sends before its security step; `shared` declares the X-Road namespaces on the Envelope instead. */
function nodeSoapStyleEnvelope(shared = false): string {
  const headers = buildXRoadHeaders(requestHeaders()).map((h) => (shared ? h.replace(/ xmlns:(xrd|id|repr)="[^"]+"/g, '') : h));
  const decls = shared ? ` xmlns:xrd="${NS.xrd}" xmlns:id="${NS.id}"` : '';
  return (
    `<soap:Envelope xmlns:soap="${NS.soapenv}" xmlns:tns="urn:kg:dpa:holders-registry:v1"${decls}><soap:Header>${headers.join('')}</soap:Header>` +
    `<soap:Body><tns:getHolder><tns:inn>01234567890123</tns:inn></tns:getHolder></soap:Body></soap:Envelope>`
  );
}

/** xml-crypto used on its own, configured per CONTRACT §3, signing a message that already has its BinarySecurityToken and Timestamp. */
function xmlCryptoSign(now: Date): string {
  const { portalPems, portal } = testPki();
  const created = now.toISOString();
  const expires = new Date(now.getTime() + 300_000).toISOString();
  const unsigned =
    `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Header>${buildXRoadHeaders(requestHeaders()).join('')}` +
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}"><wsse:BinarySecurityToken EncodingType="${ALG.base64Binary}" ValueType="${ALG.x509v3}" wsu:Id="X509-1">${portal.certBase64}</wsse:BinarySecurityToken>` +
    `<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>${created}</wsu:Created><wsu:Expires>${expires}</wsu:Expires></wsu:Timestamp></wsse:Security></soapenv:Header>` +
    `<soapenv:Body>${BODY}</soapenv:Body></soapenv:Envelope>`;
  const sig = new SignedXml({
    privateKey: portalPems.keyPem,
    publicCert: portalPems.certPem,
    signatureAlgorithm: ALG.rsaSha256,
    canonicalizationAlgorithm: ALG.excC14n,
    idMode: 'wssecurity',
    getKeyInfoContent: () => `<wsse:SecurityTokenReference><wsse:Reference URI="#X509-1" ValueType="${ALG.x509v3}"/></wsse:SecurityTokenReference>`,
  });
  const parts = ['client', 'service', 'id', 'userId', 'protocolVersion'].map((l) => `/*/*[local-name()='Header']/*[local-name()='${l}']`);
  parts.push("/*/*[local-name()='Body']", "//*[local-name()='Security']/*[local-name()='Timestamp']");
  for (const xpath of parts) sig.addReference({ xpath, transforms: [ALG.excC14n], digestAlgorithm: ALG.sha256 });
  sig.computeSignature(unsigned, { prefix: 'ds', location: { reference: "//*[local-name()='Security']", action: 'append' } });
  return sig.getSignedXml();
}

/** xml-crypto's own verdict on a message, with the expected certificate supplied out of band. */
function xmlCryptoVerifies(xml: string, certPem: string): boolean {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const signature = doc.getElementsByTagNameNS(NS.ds, 'Signature')[0];
  const verifier = new SignedXml({ publicCert: certPem, idMode: 'wssecurity' });
  // xml-crypto types its input as the DOM lib's Node, which this project does not load.
  verifier.loadSignature(signature as unknown as Parameters<typeof verifier.loadSignature>[0]);
  return verifier.checkSignature(xml);
}

describe('xroad WS-Security interoperability', function () {
  this.timeout(30_000);
  before(() => testPki());

  it("accepts a request signed by node-soap's WSSecurityCert (Body, Timestamp, X-Road headers)", () => {
    const signed = nodeSoapSecurity().postProcess(nodeSoapStyleEnvelope(), 'soap');
    expect(signed).to.contain('xml-exc-c14n#');
    const env = parseEnvelope(signed);
    const v = verifyEnvelope(env, verifyOptions(new Date()));
    expect(v.signer.subject).to.contain('CN=70000030');
  });

  it("accepts node-soap's default id mode (plain Id, enveloped-signature + exc-c14n) with namespaces on the Envelope", () => {
    const signed = nodeSoapSecurity('default').postProcess(nodeSoapStyleEnvelope(true), 'soap');
    expect(signed).to.match(/<xrd:client [^>]*Id="_\d+"/);
    expect(signed).to.contain('xmldsig#enveloped-signature');
    verifyEnvelope(parseEnvelope(signed), verifyOptions(new Date()));
  });

  it("refuses node-soap's default id mode on standalone headers (references to the xmlns:id value)", () => {
    const signed = nodeSoapSecurity('default').postProcess(nodeSoapStyleEnvelope(), 'soap');
    expect(signed).to.contain(`URI="#${NS.id}"`);
    expectSecurityError(() => verifyEnvelope(parseEnvelope(signed), verifyOptions(new Date())), 'INVALID_SIGNATURE', 'REFERENCE_UNRESOLVED');
  });

  it("refuses node-soap's request when an X-Road header was left out of its references", () => {
    const partial = nodeSoapSecurity('wssecurity', XROAD_HEADER_NAMES.filter((n) => n !== 'xrd:userId'));
    const signed = partial.postProcess(nodeSoapStyleEnvelope(), 'soap');
    expectSecurityError(() => verifyEnvelope(parseEnvelope(signed), verifyOptions(new Date())), 'INVALID_SIGNATURE', 'NOT_COVERED', 'xrd:userId');
  });

  it("accepts what node-soap's client sends through its own HTTP stack", async () => {
    let received = '';
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received = Buffer.concat(chunks).toString('utf8');
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(`<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Body><r:getHolderResponse xmlns:r="urn:kg:dpa:holders-registry:v1"><r:name>OK</r:name></r:getHolderResponse></soapenv:Body></soapenv:Envelope>`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = await soap.createClientAsync(WSDL, { endpoint: `http://127.0.0.1:${port}/xroad` });
      for (const h of buildXRoadHeaders(requestHeaders())) client.addSoapHeader(h);
      client.setSecurity(nodeSoapSecurity());
      await client.getHolderAsync({ inn: '01234567890123' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const env = parseEnvelope(received);
    expect(env.headers?.client.memberCode).to.equal('70000030');
    verifyEnvelope(env, verifyOptions(new Date()));
    expect(env.bodyWrapper?.local).to.equal('getHolder');
  });

  it('accepts a request signed by xml-crypto configured per the profile', () => {
    const now = new Date();
    const signed = xmlCryptoSign(now);
    verifyEnvelope(parseEnvelope(signed), verifyOptions(now));
  });

  it('a response built here verifies with xml-crypto used independently', () => {
    const { provider, portal } = testPki();
    const request = parseEnvelope(buildSignedEnvelope({ headers: buildXRoadHeaders(requestHeaders()), bodyXml: BODY, identity: portal, now: new Date(), ttlSeconds: 300 }));
    const response = buildSignedEnvelope({
      headers: echoHeaders(request),
      bodyXml: '<r:getHolderResponse xmlns:r="urn:kg:dpa:holders-registry:v1"><r:name>ОсОО «Тест» &amp; Co</r:name></r:getHolderResponse>',
      identity: provider,
      now: new Date(),
      ttlSeconds: 300,
    });
    expect(xmlCryptoVerifies(response, provider.certificate.toString())).to.equal(true);
    // …and a changed byte makes xml-crypto refuse it too, so the check above is not vacuous.
    expect(() => xmlCryptoVerifies(response.replace('«Тест»', '«Тост»'), provider.certificate.toString())).to.satisfy((f: () => boolean) => {
      try {
        return f() === false;
      } catch {
        return true;
      }
    });
  });

  it("a response to node-soap's request echoes its headers and verifies with our verifier and xml-crypto", () => {
    const { provider } = testPki();
    const request = parseEnvelope(nodeSoapSecurity().postProcess(nodeSoapStyleEnvelope(), 'soap'));
    const echoed = echoHeaders(request);
    const response = buildSignedEnvelope({ headers: echoed, bodyXml: '<r:getHolderResponse xmlns:r="urn:kg:dpa:holders-registry:v1"/>', identity: provider, now: new Date(), ttlSeconds: 300 });
    const env = parseEnvelope(response);
    expect(env.headers).to.deep.equal(request.headers);
    verifyEnvelope(env, verifyOptions(new Date(), { signerRole: 'service' }));
    expect(xmlCryptoVerifies(response, provider.certificate.toString())).to.equal(true);
  });
});
