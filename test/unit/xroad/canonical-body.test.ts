import { expect } from 'chai';
import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { AppError } from '../../../src/errors/app-error.js';
import { excC14n } from '../../../src/xroad/c14n.js';
import { buildSignedEnvelope, echoHeaders, parseEnvelope, verifyEnvelope } from '../../../src/xroad/envelope.js';
import { faultBodyXml } from '../../../src/xroad/faults.js';
import { buildXRoadHeaders } from '../../../src/xroad/headers.js';
import { NS } from '../../../src/xroad/namespaces.js';
import { encodeWrapper, type ObjectShape, type Shape } from '../../../src/xroad/schema-xml.js';
import { childElements } from '../../../src/xroad/xml/dom.js';
import { parseXml } from '../../../src/xroad/xml/parser.js';
import { requestHeaders, testPki } from './helpers.js';

/**
 * The signer digests a response body as written (bodyCanonical) instead of parsing it back: this
 * holds only while encodeWrapper and faultBodyXml write their own exclusive canonical form. Checked
 * here on random values, against our canonicalizer, against xml-crypto's, and by verifying the
 * signed message as a receiver does.
 */

let seed = 20261123;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const PIECES = ['a', 'Кыргыз', 'ü', ' ', '&', '<', '>', '"', "'", '\t', '\n', '\r', ']]>', '&amp;', '😀', '0', '-', 'x y'];
const text = (): string => Array.from({ length: rnd(8) }, () => PIECES[rnd(PIECES.length)]).join('');

const scalar = (kind: 'string' | 'integer' | 'number' | 'boolean' | 'any'): Shape => ({ kind, nullable: true });
const SHAPE: ObjectShape = {
  kind: 'object',
  nullable: false,
  props: [
    { name: 'name', required: false, shape: scalar('string') },
    { name: 'count', required: false, shape: scalar('integer') },
    { name: 'ratio', required: false, shape: scalar('number') },
    { name: 'active', required: false, shape: scalar('boolean') },
    {
      name: 'items',
      required: false,
      shape: {
        kind: 'array',
        nullable: true,
        item: { kind: 'object', nullable: true, props: [{ name: 'label', required: false, shape: scalar('string') }, { name: 'tags', required: false, shape: { kind: 'array', nullable: false, item: scalar('string') } }] },
      },
    },
    { name: 'nested', required: false, shape: { kind: 'object', nullable: true, props: [{ name: 'note', required: false, shape: scalar('string') }] } },
  ],
} as ObjectShape;

function randomValue(): Record<string, unknown> {
  const maybe = <T,>(f: () => T): T | null | undefined => [f(), f(), null, undefined][rnd(4)];
  return {
    name: maybe(text),
    count: maybe(() => rnd(100000) - 50000),
    ratio: maybe(() => rnd(1000) / 7),
    active: maybe(() => rnd(2) === 1),
    items: maybe(() => Array.from({ length: rnd(4) }, () => maybe(() => ({ label: maybe(text), tags: Array.from({ length: rnd(3) }, text) })))),
    nested: maybe(() => ({ note: maybe(text) })),
  };
}

const bodyTag = `<soapenv:Body xmlns:soapenv="${NS.soapenv}" xmlns:wsu="${NS.wsu}" wsu:Id="id-b">`;
const inEnvelope = (bodyXml: string): string => `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}">${bodyTag}${bodyXml}</soapenv:Body></soapenv:Envelope>`;

function ours(bodyXml: string): string {
  return excC14n(childElements(parseXml(inEnvelope(bodyXml)))[0]);
}

function xmlCrypto(bodyXml: string): string {
  const doc = new DOMParser().parseFromString(inEnvelope(bodyXml), 'text/xml');
  const body = doc.getElementsByTagNameNS(NS.soapenv, 'Body')[0];
  return new ExclusiveCanonicalization().process(body as never, { ancestorNamespaces: [{ prefix: 'soapenv', namespaceURI: NS.soapenv }] } as never).toString();
}

const bodies = (): string[] => {
  const out: string[] = [];
  for (let i = 0; i < 150; i++) out.push(encodeWrapper('probeResponse', 'urn:kg:test:canonical:v1', randomValue(), SHAPE));
  for (let i = 0; i < 30; i++) {
    const err = new AppError(['VALIDATION_FAILED', 'NOT_FOUND', 'INTERNAL'][rnd(3)] as never, { fields: Array.from({ length: rnd(3) }, () => ({ field: `a.${text()}`, reason: 'invalid', message: { en: text(), ru: text(), ky: text() } })) });
    out.push(faultBodyXml(err, rnd(2) ? `req-${rnd(1000)}` : undefined));
  }
  return out;
};

describe('response bodies are written in their canonical form', () => {
  const all = bodies();

  it('encodeWrapper and faultBodyXml output is its own exclusive c14n (ours and xml-crypto agree)', () => {
    for (const b of all) {
      const asWritten = `${bodyTag}${b}</soapenv:Body>`;
      expect(ours(b), b).to.equal(asWritten);
      expect(xmlCrypto(b), b).to.equal(asWritten);
    }
  });

  it('a message signed with the body digested as written verifies as a receiver checks it', () => {
    const pki = testPki();
    const headers = echoHeaders(parseEnvelope(buildSignedEnvelope({ headers: buildXRoadHeaders(requestHeaders()), bodyXml: '<x:r xmlns:x="urn:x"></x:r>', identity: pki.portal, now: new Date(), ttlSeconds: 300 })));
    for (const b of all.slice(0, 40)) {
      const signed = buildSignedEnvelope({ headers, bodyXml: b, bodyCanonical: true, identity: pki.provider, now: new Date(), ttlSeconds: 300 });
      const env = parseEnvelope(signed);
      expect(() => verifyEnvelope(env, { trust: pki.trust, now: new Date(), maxAgeSeconds: 300, futureSkewSeconds: 60, signerRole: 'service' }), b).not.to.throw();
    }
  });

  it('a body that is not canonical is digested from its parse, so the signature still holds', () => {
    const pki = testPki();
    const loose = '<x:r xmlns:x="urn:x" xmlns:unused="urn:u"><x:empty/><x:q a="1" b=\'>\'>text &gt; "q"</x:q></x:r>';
    const signed = buildSignedEnvelope({ headers: buildXRoadHeaders(requestHeaders()), bodyXml: loose, identity: pki.portal, now: new Date(), ttlSeconds: 300 });
    expect(() => verifyEnvelope(parseEnvelope(signed), { trust: pki.trust, now: new Date(), maxAgeSeconds: 300, futureSkewSeconds: 60 })).not.to.throw();
    const wrong = buildSignedEnvelope({ headers: buildXRoadHeaders(requestHeaders()), bodyXml: loose, bodyCanonical: true, identity: pki.portal, now: new Date(), ttlSeconds: 300 });
    expect(() => verifyEnvelope(parseEnvelope(wrong), { trust: pki.trust, now: new Date(), maxAgeSeconds: 300, futureSkewSeconds: 60 })).to.throw();
  });
});
