import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { XRoadIdentifier } from '../../../src/operations/types.js';
import { issueMemberCert, makeCa, type IssuedCert } from '../../../src/pki/dev-pki.js';
import { identityFromPem, type SigningIdentity } from '../../../src/pki/key-store.js';
import { TrustStore } from '../../../src/pki/trust-store.js';
import { buildSignedEnvelope, SecurityError, type VerifyOptions } from '../../../src/xroad/envelope.js';
import { buildXRoadHeaders, type XRoadHeaders } from '../../../src/xroad/headers.js';
import { parseXml } from '../../../src/xroad/xml/parser.js';
import type { XmlElement } from '../../../src/xroad/xml/types.js';

export const CLIENT: XRoadIdentifier = { objectType: 'SUBSYSTEM', xRoadInstance: 'central-server', memberClass: 'GOV', memberCode: '70000030', subsystemCode: 'portal' };
export const SERVICE: XRoadIdentifier = {
  objectType: 'SERVICE',
  xRoadInstance: 'central-server',
  memberClass: 'GOV',
  memberCode: '70000099',
  subsystemCode: 'pd-holders-registry',
  serviceCode: 'getHolder',
  serviceVersion: 'v1',
};
export const BODY = '<h:getHolder xmlns:h="urn:kg:dpa:holders-registry:v1"><h:inn>01234567890123</h:inn></h:getHolder>';

export function requestHeaders(over: Partial<XRoadHeaders> = {}): XRoadHeaders {
  return { client: CLIENT, service: SERVICE, id: 'f3a1c2d4-0001', protocolVersion: '4.0', userId: 'KG21203199000123', ...over };
}

export interface TestPki {
  ca: IssuedCert;
  trust: TrustStore;
  /** Client portal (70000030), provider (70000099), another ministry (70000050). */
  portal: SigningIdentity;
  provider: SigningIdentity;
  ministry: SigningIdentity;
  /** CN = 70000030, but issued by a CA nobody trusts. */
  rogue: SigningIdentity;
  /** The portal's member with an EC P-256 key, issued by the trusted CA. */
  portalEc: SigningIdentity;
  portalPems: IssuedCert;
}

let pki: TestPki | undefined;

/** An EC certificate from the test CA; node-forge cannot build EC certificates, openssl can. */
function issueEc(ca: IssuedCert, memberClass: string, memberCode: string): IssuedCert {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xroad-ec-'));
  try {
    const f = (n: string): string => path.join(dir, n);
    fs.writeFileSync(f('ca.key'), ca.keyPem);
    fs.writeFileSync(f('ca.crt'), ca.certPem);
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.writeFileSync(f('m.key'), keyPem);
    fs.writeFileSync(f('ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
    execFileSync('openssl', ['req', '-new', '-key', f('m.key'), '-subj', `/C=KG/O=${memberClass}/CN=${memberCode}`, '-out', f('m.csr')], { stdio: 'pipe' });
    execFileSync('openssl', ['x509', '-req', '-in', f('m.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-set_serial', '4242', '-days', '30', '-sha256', '-extfile', f('ext.cnf'), '-out', f('m.crt')], { stdio: 'pipe' });
    return { keyPem, certPem: fs.readFileSync(f('m.crt'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Keys and certificates generated once per test run (no private key is ever committed). */
export function testPki(): TestPki {
  if (pki) return pki;
  const ca = makeCa('xroad test CA');
  const rogueCa = makeCa('rogue CA');
  const id = (issuer: IssuedCert, code: string): [SigningIdentity, IssuedCert] => {
    const pems = issueMemberCert(issuer, { memberClass: 'GOV', memberCode: code });
    return [identityFromPem(code, pems.keyPem, pems.certPem), pems];
  };
  const [portal, portalPems] = id(ca, '70000030');
  const ec = issueEc(ca, 'GOV', '70000030');
  pki = {
    ca,
    trust: new TrustStore([ca.certPem]),
    portal,
    portalPems,
    provider: id(ca, '70000099')[0],
    ministry: id(ca, '70000050')[0],
    rogue: id(rogueCa, '70000030')[0],
    portalEc: identityFromPem('70000030', ec.keyPem, ec.certPem),
  };
  return pki;
}

export function verifyOptions(now: Date, over: Partial<VerifyOptions> = {}): VerifyOptions {
  return { trust: testPki().trust, now, maxAgeSeconds: 300, futureSkewSeconds: 60, ...over };
}

export function signedRequest(o: { identity?: SigningIdentity; headers?: XRoadHeaders; extraHeaders?: string[]; bodyXml?: string; now?: Date; ttlSeconds?: number } = {}): string {
  return buildSignedEnvelope({
    headers: [...buildXRoadHeaders(o.headers ?? requestHeaders()), ...(o.extraHeaders ?? [])],
    bodyXml: o.bodyXml ?? BODY,
    identity: o.identity ?? testPki().portal,
    now: o.now ?? new Date(),
    ttlSeconds: o.ttlSeconds ?? 300,
  });
}

/**
 * Runs `fn`, expects it to throw an instance of `type`, and compares the fields that identify
 * the refusal (code, reason, part…) with `expected`. Returns the error for further checks.
 */
export function expectRefusal<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E, fields: (e: E) => unknown[], expected: unknown[]): E {
  try {
    fn();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(type);
    expect(fields(e as E), (e as Error).message).to.deep.equal(expected);
    return e as E;
  }
  throw new Error(`expected ${type.name} ${expected.join('/')}, but it was accepted`);
}

export function expectSecurityError(fn: () => unknown, code: SecurityError['code'], reason: string, part?: string): SecurityError {
  const se = expectRefusal(fn, SecurityError, (e) => [e.code, e.reason], [code, reason]);
  if (part !== undefined) expect(se.part).to.equal(part);
  return se;
}

/** The first element (depth first) with this namespace and local name, for string surgery on messages. */
export function locate(xml: string, ns: string, local: string): XmlElement {
  const visit = (el: XmlElement): XmlElement | undefined => {
    if (el.ns === ns && el.local === local) return el;
    for (const c of el.children) {
      if (c.kind === 'element') {
        const hit = visit(c);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  const hit = visit(parseXml(xml));
  if (!hit) throw new Error(`no {${ns}}${local}`);
  return hit;
}

/** The element's source text. */
export function slice(xml: string, el: XmlElement): string {
  return xml.slice(el.start, el.end);
}

/**
 * Edits the (canonical) SignedInfo of a message produced by buildSignedEnvelope and signs it
 * again with the given key, so that attacks exercise the verifier's rules and not a stale value.
 */
export function resign(xml: string, identity: SigningIdentity, edit: (signedInfo: string) => string, sign?: (data: Buffer) => Buffer): string {
  const start = xml.indexOf('<ds:SignedInfo');
  const end = xml.indexOf('</ds:SignedInfo>') + '</ds:SignedInfo>'.length;
  const si = edit(xml.slice(start, end));
  const value = (sign ?? ((d: Buffer) => crypto.sign('sha256', d, identity.privateKey)))(Buffer.from(si, 'utf8'));
  const rest = xml.slice(end).replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, `<ds:SignatureValue>${value.toString('base64')}</ds:SignatureValue>`);
  return xml.slice(0, start) + si + rest;
}
