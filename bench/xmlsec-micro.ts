/**
 * Micro-benchmark of the signed round trip's XML security core, against xml-crypto's stock
 * SignedXml on the same message, and the RSA crypto floor — all measured in the same run:
 *   npx tsx bench/xmlsec-micro.ts [--quick]
 * "verify" = parse the received envelope + verify its signature (structure, digests, RSA, trust,
 * timestamp); "sign" = build and sign the response envelope (echoed headers + body + timestamp).
 */
import crypto from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { issueMemberCert, makeCa } from '../src/pki/dev-pki.js';
import { identityFromPem } from '../src/pki/key-store.js';
import { TrustStore } from '../src/pki/trust-store.js';
import { buildSignedEnvelope, echoHeaders, parseEnvelope, verifyEnvelope } from '../src/xroad/envelope.js';
import { buildXRoadHeaders } from '../src/xroad/headers.js';
import { ALG, NS } from '../src/xroad/namespaces.js';

const quick = process.argv.includes('--quick');
const BATCH_MS = quick ? 150 : 500;
const BATCHES = quick ? 5 : 9;

const ca = makeCa('bench CA');
const pems = { client: issueMemberCert(ca, { memberClass: 'GOV', memberCode: '70000030' }), provider: issueMemberCert(ca, { memberClass: 'GOV', memberCode: '70000099' }) };
const client = identityFromPem('70000030', pems.client.keyPem, pems.client.certPem);
const provider = identityFromPem('70000099', pems.provider.keyPem, pems.provider.certPem);
const trust = new TrustStore([ca.certPem]);

const headers = buildXRoadHeaders({
  client: { objectType: 'SUBSYSTEM', xRoadInstance: 'central-server', memberClass: 'GOV', memberCode: '70000030', subsystemCode: 'e-kyzmat' },
  service: { objectType: 'SERVICE', xRoadInstance: 'central-server', memberClass: 'GOV', memberCode: '70000099', subsystemCode: 'pd-holders-registry', serviceCode: 'getHolder', serviceVersion: 'v1' },
  id: crypto.randomUUID(),
  protocolVersion: '4.0',
  userId: 'KG21203199000123',
});
const requestBody = '<h:getHolder xmlns:h="urn:kg:dpa:holders-registry:v1"><h:inn>01234567890123</h:inn></h:getHolder>';
const responseBody =
  '<h:getHolderResponse xmlns:h="urn:kg:dpa:holders-registry:v1"><h:holder><h:inn>01234567890123</h:inn><h:name>«Тест-Сервис» ЖЧК</h:name>' +
  '<h:legalAddress><h:region>Чүй</h:region><h:city>Бишкек</h:city><h:street>Чүй пр. 114</h:street></h:legalAddress>' +
  '<h:registrationNumber>2-00017</h:registrationNumber><h:registeredOn>2025-03-14</h:registeredOn><h:status>APPROVED</h:status></h:holder></h:getHolderResponse>';
const request = buildSignedEnvelope({ headers, bodyXml: requestBody, identity: client, now: new Date(), ttlSeconds: 3600 });
const verifyOpts = () => ({ trust, now: new Date(), maxAgeSeconds: 3600, futureSkewSeconds: 60 });

/** Median ms per operation over timed batches, after a warm-up. */
function measure(fn: () => void): number {
  const warmEnd = performance.now() + BATCH_MS;
  while (performance.now() < warmEnd) fn();
  const perOp: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < BATCH_MS) {
      fn();
      n++;
      t = performance.now();
    }
    perOp.push((t - t0) / n);
  }
  perOp.sort((a, b) => a - b);
  return perOp[Math.floor(perOp.length / 2)];
}

// --- this adapter -----------------------------------------------------------------------------
const ours = {
  verify: () => {
    verifyEnvelope(parseEnvelope(request), verifyOpts());
  },
  sign: () => {
    buildSignedEnvelope({ headers: echoHeaders(parseEnvelope(request)), bodyXml: responseBody, identity: provider, now: new Date(), ttlSeconds: 300 });
  },
};

// --- xml-crypto stock SignedXml, the obvious implementation ------------------------------------
function xmlCryptoSign(xml: string): string {
  const sig = new SignedXml({
    privateKey: pems.provider.keyPem,
    publicCert: pems.provider.certPem,
    signatureAlgorithm: ALG.rsaSha256,
    canonicalizationAlgorithm: ALG.excC14n,
    idMode: 'wssecurity',
    getKeyInfoContent: () => `<wsse:SecurityTokenReference><wsse:Reference URI="#X509-1" ValueType="${ALG.x509v3}"/></wsse:SecurityTokenReference>`,
  });
  for (const l of ['client', 'service', 'id', 'userId', 'protocolVersion']) sig.addReference({ xpath: `/*/*[local-name()='Header']/*[local-name()='${l}']`, transforms: [ALG.excC14n], digestAlgorithm: ALG.sha256 });
  sig.addReference({ xpath: "/*/*[local-name()='Body']", transforms: [ALG.excC14n], digestAlgorithm: ALG.sha256 });
  sig.addReference({ xpath: "//*[local-name()='Security']/*[local-name()='Timestamp']", transforms: [ALG.excC14n], digestAlgorithm: ALG.sha256 });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: "//*[local-name()='Security']", action: 'append' } });
  return sig.getSignedXml();
}
function unsignedResponse(): string {
  const now = new Date();
  return (
    `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Header>${headers.join('')}` +
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}"><wsse:BinarySecurityToken EncodingType="${ALG.base64Binary}" ValueType="${ALG.x509v3}" wsu:Id="X509-1">${provider.certBase64}</wsse:BinarySecurityToken>` +
    `<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>${now.toISOString()}</wsu:Created><wsu:Expires>${new Date(now.getTime() + 300_000).toISOString()}</wsu:Expires></wsu:Timestamp></wsse:Security></soapenv:Header>` +
    `<soapenv:Body>${responseBody}</soapenv:Body></soapenv:Envelope>`
  );
}
const xmlCryptoSigned = xmlCryptoSign(unsignedResponse());
const xc = {
  verify: () => {
    const doc = new DOMParser().parseFromString(xmlCryptoSigned, 'text/xml');
    const v = new SignedXml({ publicCert: pems.provider.certPem, idMode: 'wssecurity' });
    v.loadSignature(doc.getElementsByTagNameNS(NS.ds, 'Signature')[0] as unknown as Parameters<typeof v.loadSignature>[0]);
    if (!v.checkSignature(xmlCryptoSigned)) throw new Error('xml-crypto refused its own signature');
  },
  sign: () => {
    xmlCryptoSign(unsignedResponse());
  },
};

// --- the floor: RSA-2048 with node:crypto KeyObjects over a SignedInfo-sized input -------------
const signedInfo = Buffer.from(/<ds:SignedInfo[\s\S]*?<\/ds:SignedInfo>/.exec(request)?.[0] ?? '');
const rsaSig = crypto.sign('sha256', signedInfo, client.privateKey);
const publicKey = client.certificate.publicKey;
const floor = {
  verify: () => {
    crypto.verify('sha256', signedInfo, publicKey, rsaSig);
  },
  sign: () => {
    crypto.sign('sha256', signedInfo, client.privateKey);
  },
};

const rows: Array<[string, number, number]> = [];
for (const [name, impl] of [
  ['this adapter', ours],
  ['xml-crypto SignedXml', xc],
  ['RSA-2048 floor (node:crypto)', floor],
] as const) {
  rows.push([name, measure(impl.verify), measure(impl.sign)]);
}
const [a, x] = rows;
console.log(`message: ${Buffer.byteLength(request)} B signed request, ${Buffer.byteLength(xmlCryptoSigned)} B signed response; ${quick ? 'quick' : 'full'} run, median of ${BATCHES} × ${BATCH_MS} ms`);
console.log('implementation                  verify ms   sign ms   verify+sign ms');
for (const [name, v, s] of rows) console.log(`${name.padEnd(30)}  ${v.toFixed(3).padStart(8)}  ${s.toFixed(3).padStart(8)}  ${(v + s).toFixed(3).padStart(14)}`);
console.log(`speed-up vs xml-crypto: verify ×${(x[1] / a[1]).toFixed(1)}, sign ×${(x[2] / a[2]).toFixed(1)}, round trip ×${((x[1] + x[2]) / (a[1] + a[2])).toFixed(1)}`);
