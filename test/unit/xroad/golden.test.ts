import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { TrustStore } from '../../../src/pki/trust-store.js';
import { parseEnvelope, verifyEnvelope, type ReceivedEnvelope } from '../../../src/xroad/envelope.js';
import { NS } from '../../../src/xroad/namespaces.js';
import { excC14n } from '../../../src/xroad/c14n.js';
import { firstChild, textOf } from '../../../src/xroad/xml/dom.js';
import { expectSecurityError } from './helpers.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/xroad/golden');
const read = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');

/** The fixtures are verified at the time they were signed: their own wsu:Created. */
function signedAt(env: ReceivedEnvelope): Date {
  const ts = firstChild(env.security!, NS.wsu, 'Timestamp')!;
  return new Date(textOf(firstChild(ts, NS.wsu, 'Created')!));
}

describe('xroad golden signed messages (fixtures/xroad/golden)', () => {
  const trust = new TrustStore([read('ca.crt')]);
  const opts = (env: ReceivedEnvelope, over = {}) => ({ trust, now: signedAt(env), maxAgeSeconds: 300, futureSkewSeconds: 60, ...over });

  it('the request verifies and is bound to its client', () => {
    const env = parseEnvelope(read('signed-request.xml'));
    expect(verifyEnvelope(env, opts(env)).signer.subject).to.contain('CN=70000030');
    expect(env.headers?.service.serviceCode).to.equal('getHolder');
    expect(env.bodyWrapper?.local).to.equal(env.headers?.service.serviceCode);
  });

  it('the response verifies as signed by the provider and echoes the request headers in order', () => {
    const req = parseEnvelope(read('signed-request.xml'));
    const res = parseEnvelope(read('signed-response.xml'));
    expect(verifyEnvelope(res, opts(res, { signerRole: 'service' })).signer.subject).to.contain('CN=70000099');
    expect(res.headers).to.deep.equal(req.headers);
    expect(res.headerChildren.map((h) => excC14n(h).replace(/ wsu:Id="[^"]+"| xmlns:wsu="[^"]+"/g, ''))).to.deep.equal(
      req.headerChildren.map((h) => excC14n(h).replace(/ wsu:Id="[^"]+"| xmlns:wsu="[^"]+"/g, '')),
    );
    expect(res.headerChildren.some((h) => h.local === 'requestHash')).to.equal(false);
    // Without signerRole the response is bound to xrd:client — the requester — and refused.
    expectSecurityError(() => verifyEnvelope(res, opts(res)), 'UNTRUSTED_CERTIFICATE', 'NOT_BOUND_TO_CLIENT');
  });

  it('the fault verifies too', () => {
    const env = parseEnvelope(read('signed-fault.xml'));
    verifyEnvelope(env, opts(env, { signerRole: 'service' }));
    expect(env.bodyWrapper?.local).to.equal('Fault');
  });

  it('xml-crypto verifies the golden response on its own', () => {
    const xml = read('signed-response.xml');
    const token = /<wsse:BinarySecurityToken [^>]*>([^<]+)</.exec(xml)?.[1] as string;
    const pem = `-----BEGIN CERTIFICATE-----\n${token.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const verifier = new SignedXml({ publicCert: pem, idMode: 'wssecurity' });
    verifier.loadSignature(doc.getElementsByTagNameNS(NS.ds, 'Signature')[0] as unknown as Parameters<typeof verifier.loadSignature>[0]);
    expect(verifier.checkSignature(xml)).to.equal(true);
  });

  it('a golden message is refused once it is too old', () => {
    const env = parseEnvelope(read('signed-request.xml'));
    expectSecurityError(() => verifyEnvelope(env, opts(env, { now: new Date(signedAt(env).getTime() + 600_000) })), 'MESSAGE_EXPIRED', 'TOO_OLD');
  });
});
