import { expect } from 'chai';
import crypto from 'node:crypto';
import { buildSignedEnvelope, buildSignedEnvelopeAsync, EnvelopeError, parseEnvelope, verifyEnvelope } from '../../../src/xroad/envelope.js';
import { buildXRoadHeaders, HeaderError } from '../../../src/xroad/headers.js';
import { ALG, NS } from '../../../src/xroad/namespaces.js';
import { firstChild, textOf } from '../../../src/xroad/xml/dom.js';
import { BODY, expectRefusal, expectSecurityError, locate, requestHeaders, resign, signedRequest, slice, testPki, verifyOptions } from './helpers.js';

const verify = (xml: string, now = new Date(), over = {}): ReturnType<typeof verifyEnvelope> => verifyEnvelope(parseEnvelope(xml), verifyOptions(now, over));
const EVIL = '<h:getHolder xmlns:h="urn:kg:dpa:holders-registry:v1"><h:inn>99999999999999</h:inn></h:getHolder>';

function expectEnvelopeError(fn: () => unknown, reason: string): void {
  expectRefusal(fn, EnvelopeError, (e) => [e.reason], [reason]);
}

/** The signed Body's source text, and the message with it swapped for `replacement`. */
function bodyParts(xml: string): { body: string; before: string; after: string } {
  const el = locate(xml, NS.soapenv, 'Body');
  return { body: slice(xml, el), before: xml.slice(0, el.start), after: xml.slice(el.end) };
}

function bodyId(xml: string): string {
  return /wsu:Id="(id-[0-9a-f]+-body)"/.exec(xml)?.[1] as string;
}

describe('xroad WS-Security sign and verify', function () {
  this.timeout(30_000);
  before(() => testPki());

  describe('round trip', () => {
    it('verifies an RSA-SHA256 message it signed and names the signer', () => {
      const now = new Date();
      const v = verify(signedRequest({ now }), now);
      expect(v.signer.subject).to.contain('CN=70000030');
      expect(v.created.getTime()).to.equal(now.getTime());
      expect(v.expires?.getTime()).to.equal(now.getTime() + 300_000);
    });

    it('gives every envelope ids of its own, across refills of the random pool', () => {
      const now = new Date();
      const ids = new Set<string>();
      for (let i = 0; i < 600; i++) ids.add(bodyId(signedRequest({ now })));
      expect(ids.size).to.equal(600);
      for (const id of ids) expect(id).to.match(/^id-[0-9a-f]{16}-body$/);
    });

    it('verifies an ECDSA-SHA256 message', () => {
      const xml = signedRequest({ identity: testPki().portalEc });
      expect(xml).to.contain(ALG.ecdsaSha256);
      expect(verify(xml).signer.subject).to.contain('CN=70000030');
    });

    it('signs on the thread pool the same envelope the synchronous signer writes, RSA and ECDSA', async () => {
      const now = new Date();
      const headers = buildXRoadHeaders(requestHeaders());
      // Ids are random per envelope, and so are the digests and the signature over them: with those masked, the envelopes are equal.
      const masked = (xml: string): string =>
        xml
          .replace(/(id-|TS-|X509-)[0-9a-f]{16}/g, '$1*')
          .replace(/<ds:DigestValue>[^<]*</g, '<ds:DigestValue>*<')
          .replace(/<ds:SignatureValue>[^<]*</g, '<ds:SignatureValue>*<');
      for (const identity of [testPki().portal, testPki().portalEc]) {
        const opts = { headers, bodyXml: BODY, identity, now, ttlSeconds: 300 };
        const xml = await buildSignedEnvelopeAsync(opts);
        expect(verify(xml, now).signer.subject).to.contain('CN=70000030');
        expect(masked(xml) === masked(buildSignedEnvelope(opts)), 'same envelope but ids, digests and signature').to.equal(true);
      }
      const broken = { ...testPki().portal, privateKey: crypto.createSecretKey(Buffer.alloc(32)) };
      let refused: unknown;
      await buildSignedEnvelopeAsync({ headers, bodyXml: BODY, identity: broken, now, ttlSeconds: 300 }).catch((e: unknown) => (refused = e));
      expect(refused).to.be.instanceOf(Error);
    });

    it('covers unknown headers and keeps the body as given', () => {
      const extra = '<x:trace xmlns:x="urn:trace" x:level="2">abc</x:trace>';
      const env = parseEnvelope(signedRequest({ extraHeaders: [extra] }));
      expect(env.headerChildren.map((h) => h.name)).to.deep.equal(['xrd:client', 'xrd:service', 'xrd:id', 'xrd:userId', 'xrd:protocolVersion', 'x:trace']);
      verifyEnvelope(env, verifyOptions(new Date()));
      expect(textOf(firstChild(env.bodyWrapper!, 'urn:kg:dpa:holders-registry:v1', 'inn')!)).to.equal('01234567890123');
    });

    it('signs headers it has signed before with ids of their own (digests over the canonical order around the Id)', () => {
      // Unqualified attributes sort first, then by namespace: "http://docs.oasis…" (wsu) before "urn:…".
      const extra = '<x:trace xmlns:x="urn:trace" xmlns:a="urn:a" a:z="1" x:level="2" plain="p">abc</x:trace>';
      const long = `<x:note xmlns:x="urn:trace">${'n'.repeat(3000)}</x:note>`;
      const now = new Date();
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const xml = signedRequest({ extraHeaders: [extra, long], now });
        expect(verify(xml, now).signer.subject).to.contain('CN=70000030');
        const trace = /<x:trace [^>]*>/.exec(xml)?.[0] as string;
        expect(trace).to.match(/ wsu:Id="id-[0-9a-f]{16}-6"/);
        seen.add(trace);
      }
      expect(seen.size).to.equal(3);
    });

    it('verifies a line-wrapped certificate token, and the same token unwrapped after it', () => {
      const now = new Date();
      const xml = signedRequest({ now });
      const wrapped = xml.replace(/(<wsse:BinarySecurityToken[^>]*>)([^<]+)</, (_m, open: string, b64: string) => `${open}${b64.replace(/.{64}/g, '$&\r\n')}<`);
      expect(wrapped).to.not.equal(xml);
      expect(verify(wrapped, now).signer.subject).to.contain('CN=70000030');
      expect(verify(xml, now).signer.subject).to.contain('CN=70000030');
      const broken = xml.replace(/(<wsse:BinarySecurityToken[^>]*>)([^<]+)</, (_m, open: string, b64: string) => `${open}*${b64.slice(1)}<`);
      expectSecurityError(() => verify(broken, now), 'INVALID_SIGNATURE', 'VALUE_NOT_TEXT');
    });

    it('signs a fault body', () => {
      const fault = '<soapenv:Fault><faultcode>soapenv:Client.InvalidXml</faultcode><faultstring>bad</faultstring></soapenv:Fault>';
      const xml = buildSignedEnvelope({ headers: [], bodyXml: fault, identity: testPki().provider, now: new Date(), ttlSeconds: 300 });
      const env = parseEnvelope(xml);
      expect(env.bodyWrapper?.local).to.equal('Fault');
    });

    it('covers attachments by cid reference and refuses tampered, extra and missing ones', () => {
      const doc = { contentId: 'decision-1@adapter', contentType: 'application/pdf', bytes: Buffer.from('%PDF-1.7 decision copy') };
      const signed = buildSignedEnvelope({ headers: buildXRoadHeaders(requestHeaders()), bodyXml: BODY, identity: testPki().portal, now: new Date(), ttlSeconds: 300, attachments: [doc] });
      expect(signed).to.contain(`URI="cid:decision-1%40adapter"`);
      verify(signed, new Date(), { attachments: [doc] });
      const tampered = { ...doc, bytes: Buffer.from('%PDF-1.7 forged copy') };
      expectSecurityError(() => verify(signed, new Date(), { attachments: [tampered] }), 'INVALID_SIGNATURE', 'DIGEST_MISMATCH', 'cid:decision-1%40adapter');
      const extra = { contentId: 'extra', contentType: 'text/plain', bytes: Buffer.from('x') };
      expectSecurityError(() => verify(signed, new Date(), { attachments: [doc, extra] }), 'INVALID_SIGNATURE', 'NOT_COVERED', 'cid:extra');
      expectSecurityError(() => verify(signed, new Date(), { attachments: [] }), 'INVALID_SIGNATURE', 'REFERENCE_UNRESOLVED', 'cid:decision-1%40adapter');
    });
  });

  describe('attacks', () => {
    it('signature removed', () => {
      const xml = signedRequest();
      const sig = locate(xml, NS.ds, 'Signature');
      expectSecurityError(() => verify(xml.slice(0, sig.start) + xml.slice(sig.end)), 'INVALID_SIGNATURE', 'MISSING_SIGNATURE');
      const sec = locate(xml, NS.wsse, 'Security');
      expectSecurityError(() => verify(xml.slice(0, sec.start) + xml.slice(sec.end)), 'INVALID_SIGNATURE', 'MISSING_SECURITY');
    });

    it('signature over the Timestamp only', () => {
      const xml = resign(signedRequest(), testPki().portal, (si) => si.replace(/<ds:Reference URI="#id-[^"]+">.*?<\/ds:Reference>/g, ''));
      expect(xml.match(/<ds:Reference /g)).to.have.length(1);
      expectSecurityError(() => verify(xml), 'INVALID_SIGNATURE', 'NOT_COVERED', 'xrd:client');
    });

    it('an X-Road header left unsigned', () => {
      const xml = signedRequest();
      const idHeader = /<xrd:id [^>]*wsu:Id="([^"]+)"/.exec(xml)?.[1] as string;
      const cut = resign(xml, testPki().portal, (si) => si.replace(new RegExp(`<ds:Reference URI="#${idHeader}">.*?</ds:Reference>`), ''));
      expectSecurityError(() => verify(cut), 'INVALID_SIGNATURE', 'NOT_COVERED', 'xrd:id');
    });

    it('a header added after signing', () => {
      const xml = signedRequest().replace('<wsse:Security', '<xrd:issue xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">case-7</xrd:issue><wsse:Security');
      expectSecurityError(() => verify(xml), 'INVALID_SIGNATURE', 'NOT_COVERED', 'xrd:issue');
    });

    it('client header changed after signing', () => {
      const xml = signedRequest().replace('<id:memberCode>70000030</id:memberCode>', '<id:memberCode>70000050</id:memberCode>');
      expectSecurityError(() => verify(xml), 'INVALID_SIGNATURE', 'DIGEST_MISMATCH', 'xrd:client');
    });

    it('body changed after signing', () => {
      const xml = signedRequest().replace('01234567890123', '99999999999999');
      expectSecurityError(() => verify(xml), 'INVALID_SIGNATURE', 'DIGEST_MISMATCH', 'soapenv:Body');
    });

    it('Timestamp changed after signing', () => {
      const xml = signedRequest();
      const created = /<wsu:Created>([^<]+)</.exec(xml)?.[1] as string;
      const later = new Date(Date.parse(created) + 1000).toISOString();
      expectSecurityError(() => verify(xml.replace(`<wsu:Created>${created}`, `<wsu:Created>${later}`)), 'INVALID_SIGNATURE', 'DIGEST_MISMATCH', 'wsu:Timestamp');
    });

    describe('XML signature wrapping (signed Body kept somewhere, evil Body acted on)', () => {
      it('XSW1: original Body moved into ds:Signature, evil Body without Id', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const moved = (before + `<soapenv:Body>${EVIL}</soapenv:Body>` + after).replace('</ds:Signature>', `${body}</ds:Signature>`);
        expectSecurityError(() => verify(moved), 'INVALID_SIGNATURE', 'SIGNATURE_STRUCTURE');
      });

      it('XSW2: original Body moved before ds:Signature in wsse:Security, evil Body without Id', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const moved = (before + `<soapenv:Body>${EVIL}</soapenv:Body>` + after).replace('<ds:Signature', `${body}<ds:Signature`);
        expectSecurityError(() => verify(moved), 'INVALID_SIGNATURE', 'SECURITY_STRUCTURE');
      });

      it('XSW3: evil Body with the same Id placed before the original Body', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const evil = body.replace(BODY, EVIL);
        expectEnvelopeError(() => parseEnvelope(before + evil + body + after), 'ENVELOPE_STRUCTURE');
      });

      it('XSW4: evil Body wraps the original Body (same Id, and a new Id)', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const sameId = before + body.replace(BODY, EVIL + body) + after;
        expectSecurityError(() => verify(sameId), 'INVALID_SIGNATURE', 'DUPLICATE_ID');
        const newId = before + body.replace(BODY, EVIL + body).replace(bodyId(xml), 'evil-1') + after;
        expectSecurityError(() => verify(newId), 'INVALID_SIGNATURE', 'REFERENCE_UNRESOLVED');
      });

      it('XSW5: evil Body with the same Id, original appended inside a new header', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const moved = (before + body.replace(BODY, EVIL) + after).replace('<wsse:Security', `<x:Wrapper xmlns:x="urn:x">${body}</x:Wrapper><wsse:Security`);
        expectSecurityError(() => verify(moved), 'INVALID_SIGNATURE', 'DUPLICATE_ID');
      });

      it('XSW6: evil Body with the same Id, original inside ds:Signature/ds:Object', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const moved = (before + body.replace(BODY, EVIL) + after).replace('</ds:Signature>', `<ds:Object>${body}</ds:Object></ds:Signature>`);
        expectSecurityError(() => verify(moved), 'INVALID_SIGNATURE', 'SIGNATURE_STRUCTURE');
      });

      it('XSW7: original inside an extension header, evil Body without Id', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const moved = (before + `<soapenv:Body>${EVIL}</soapenv:Body>` + after).replace('<wsse:Security', `<x:Extensions xmlns:x="urn:x">${body}</x:Extensions><wsse:Security`);
        expectSecurityError(() => verify(moved), 'INVALID_SIGNATURE', 'REFERENCE_UNRESOLVED');
      });

      it('XSW8: original inside ds:Object, evil Body without Id', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const moved = (before + `<soapenv:Body>${EVIL}</soapenv:Body>` + after).replace('</ds:Signature>', `<ds:Object>${body}</ds:Object></ds:Signature>`);
        expectSecurityError(() => verify(moved), 'INVALID_SIGNATURE', 'SIGNATURE_STRUCTURE');
      });

      it('SOAP variant: signed Body moved into the Header, new Body with the same Id', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const moved = (before + body.replace(BODY, EVIL) + after).replace('<wsse:Security', `${body}<wsse:Security`);
        expectSecurityError(() => verify(moved), 'INVALID_SIGNATURE', 'DUPLICATE_ID');
      });

      it('SOAP variant: signed Body moved into the Header, new Body with a new Id', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const moved = (before + body.replace(BODY, EVIL).replace(bodyId(xml), 'evil-2') + after).replace('<wsse:Security', `${body}<wsse:Security`);
        // The moved Body is now a header child; its digest still matches, but the Body acted on is not covered.
        expectSecurityError(() => verify(moved), 'INVALID_SIGNATURE', 'NOT_COVERED', 'soapenv:Body');
      });

      it('fake Body in another namespace', () => {
        const xml = signedRequest();
        const { body, before, after } = bodyParts(xml);
        const soap12 = 'http://www.w3.org/2003/05/soap-envelope';
        expectEnvelopeError(() => parseEnvelope(before + `<f:Body xmlns:f="${soap12}">${EVIL}</f:Body>` + body + after), 'ENVELOPE_STRUCTURE');
        expectEnvelopeError(() => parseEnvelope(before + `<f:Body xmlns:f="${soap12}">${EVIL}</f:Body>` + after), 'ENVELOPE_STRUCTURE');
        expectEnvelopeError(() => parseEnvelope(before + body + `<Body>${EVIL}</Body>` + after), 'ENVELOPE_STRUCTURE');
      });
    });

    it('a second SignedInfo, and a nested one', () => {
      const xml = signedRequest();
      const si = /<ds:SignedInfo[\s\S]*?<\/ds:SignedInfo>/.exec(xml)?.[0] as string;
      expectSecurityError(() => verify(xml.replace('<ds:SignatureValue>', `${si}<ds:SignatureValue>`)), 'INVALID_SIGNATURE', 'SIGNATURE_STRUCTURE');
      const nested = resign(xml, testPki().portal, (s) => s.replace('</ds:SignedInfo>', `${s}</ds:SignedInfo>`));
      expectSecurityError(() => verify(nested), 'INVALID_SIGNATURE', 'SIGNATURE_STRUCTURE');
      const inRef = resign(xml, testPki().portal, (s) => s.replace('</ds:Reference>', `${s.replace(/ xmlns:ds="[^"]+"/, '')}</ds:Reference>`));
      expectSecurityError(() => verify(inRef), 'INVALID_SIGNATURE', 'SIGNATURE_STRUCTURE');
    });

    it('a comment inside DigestValue (the signature itself stays valid)', () => {
      const xml = signedRequest().replace(/<ds:DigestValue>(.{10})/, '<ds:DigestValue>$1<!-- -->');
      expectSecurityError(() => verify(xml), 'INVALID_SIGNATURE', 'VALUE_NOT_TEXT');
    });

    it('an element inside SignatureValue', () => {
      const xml = signedRequest().replace('<ds:SignatureValue>', '<ds:SignatureValue><x xmlns="urn:x"/>');
      expectSecurityError(() => verify(xml), 'INVALID_SIGNATURE', 'VALUE_NOT_TEXT');
    });

    it('key substitution: a valid signature by an untrusted key, its certificate in the token', () => {
      expectSecurityError(() => verify(signedRequest({ identity: testPki().rogue })), 'UNTRUSTED_CERTIFICATE', 'UNTRUSTED_ISSUER');
    });

    it('key substitution: the token swapped for another trusted certificate', () => {
      const xml = signedRequest();
      expectSecurityError(() => verify(xml.replace(testPki().portal.certBase64, testPki().ministry.certBase64)), 'INVALID_SIGNATURE', 'SIGNATURE_MISMATCH');
    });

    it('a trusted key of member A with xrd:client = member B', () => {
      const headers = requestHeaders({ client: { ...requestHeaders().client, memberCode: '70000050' } });
      expectSecurityError(() => verify(signedRequest({ headers })), 'UNTRUSTED_CERTIFICATE', 'NOT_BOUND_TO_CLIENT');
    });

    it('rsa-sha1, HMAC and #WithComments are refused', () => {
      const { portal } = testPki();
      const sha1 = resign(signedRequest(), portal, (si) => si.replace(ALG.rsaSha256, 'http://www.w3.org/2000/09/xmldsig#rsa-sha1'), (d) => crypto.sign('sha1', d, portal.privateKey));
      expectSecurityError(() => verify(sha1), 'INVALID_SIGNATURE', 'ALGORITHM_NOT_ALLOWED');
      const hmacKey = Buffer.from(portal.certBase64, 'base64');
      const hmac = resign(signedRequest(), portal, (si) => si.replace(ALG.rsaSha256, 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256'), (d) => crypto.createHmac('sha256', hmacKey).update(d).digest());
      expectSecurityError(() => verify(hmac), 'INVALID_SIGNATURE', 'ALGORITHM_NOT_ALLOWED');
      const withComments = resign(signedRequest(), portal, (si) => si.replace(`<ds:CanonicalizationMethod Algorithm="${ALG.excC14n}">`, `<ds:CanonicalizationMethod Algorithm="${ALG.excC14nWithComments}">`));
      expectSecurityError(() => verify(withComments), 'INVALID_SIGNATURE', 'ALGORITHM_NOT_ALLOWED');
      const transformWithComments = resign(signedRequest(), portal, (si) => si.replace(`<ds:Transform Algorithm="${ALG.excC14n}">`, `<ds:Transform Algorithm="${ALG.excC14nWithComments}">`));
      expectSecurityError(() => verify(transformWithComments), 'INVALID_SIGNATURE', 'ALGORITHM_NOT_ALLOWED');
      const sha1Digest = resign(signedRequest(), portal, (si) => si.replace(ALG.sha256, 'http://www.w3.org/2000/09/xmldsig#sha1'));
      expectSecurityError(() => verify(sha1Digest), 'INVALID_SIGNATURE', 'ALGORITHM_NOT_ALLOWED');
    });

    it('duplicate Ids', () => {
      const xml = signedRequest();
      const clientId = /<xrd:client [^>]*wsu:Id="([^"]+)"/.exec(xml)?.[1] as string;
      const dup = xml.replace('<h:inn>', `<h:note xmlns:wsu="${NS.wsu}" wsu:Id="${clientId}"/><h:inn>`);
      expectSecurityError(() => verify(dup), 'INVALID_SIGNATURE', 'DUPLICATE_ID');
      const plain = xml.replace('<h:inn>', `<h:note Id="${clientId}"/><h:inn>`);
      expectSecurityError(() => verify(plain), 'INVALID_SIGNATURE', 'DUPLICATE_ID');
      // Payload attributes named id may repeat: they cannot name a reference target here.
      verify(signedRequest({ bodyXml: '<h:list xmlns:h="urn:h"><h:item id="1"/><h:item id="1"/></h:list>' }));
    });

    it('a reference to an element inside the Body instead of a positioned part', () => {
      const xml = signedRequest({ bodyXml: `<h:getHolder xmlns:h="urn:kg:dpa:holders-registry:v1" xmlns:wsu="${NS.wsu}" wsu:Id="inner"><h:inn>01234567890123</h:inn></h:getHolder>` });
      const retarget = resign(xml, testPki().portal, (si) => si.replace(`URI="#${bodyId(xml)}"`, 'URI="#inner"'));
      expectSecurityError(() => verify(retarget), 'INVALID_SIGNATURE', 'REFERENCE_UNRESOLVED');
    });

    it('a part referenced twice', () => {
      const xml = signedRequest();
      const ref = new RegExp(`<ds:Reference URI="#${bodyId(xml)}">.*?</ds:Reference>`).exec(xml)?.[0] as string;
      const twice = resign(xml, testPki().portal, (si) => si.replace(ref, ref + ref));
      expectSecurityError(() => verify(twice), 'INVALID_SIGNATURE', 'DUPLICATE_REFERENCE', 'soapenv:Body');
    });

    it('two wsse:Security headers', () => {
      const xml = signedRequest();
      const sec = slice(xml, locate(xml, NS.wsse, 'Security'));
      expectSecurityError(() => verify(xml.replace(sec, sec + sec.replace(/wsu:Id="([^"]+)"/g, 'wsu:Id="$1-b"'))), 'INVALID_SIGNATURE', 'MULTIPLE_SECURITY');
    });

    it('comment-split text in a signed value reads as the whole signed text', () => {
      const signed = signedRequest({ bodyXml: '<h:getHolder xmlns:h="urn:kg:dpa:holders-registry:v1"><h:inn>0123456<!-- split -->7890123</h:inn></h:getHolder>' });
      const env = parseEnvelope(signed);
      verifyEnvelope(env, verifyOptions(new Date()));
      const inn = firstChild(env.bodyWrapper!, 'urn:kg:dpa:holders-registry:v1', 'inn')!;
      expect(inn.children).to.have.length(2);
      expect(textOf(inn)).to.equal('01234567890123');
      // A comment slipped in after signing changes neither the signed bytes nor the value read.
      const injected = signedRequest().replace('<h:inn>0123456', '<h:inn>0123456<!---->');
      const env2 = parseEnvelope(injected);
      verifyEnvelope(env2, verifyOptions(new Date()));
      expect(textOf(firstChild(env2.bodyWrapper!, 'urn:kg:dpa:holders-registry:v1', 'inn')!)).to.equal('01234567890123');
    });

    it('replay after Expires', () => {
      const now = new Date();
      const xml = signedRequest({ now, ttlSeconds: 60 });
      expectSecurityError(() => verify(xml, new Date(now.getTime() + 120_000)), 'MESSAGE_EXPIRED', 'EXPIRED');
    });

    it('Created too old, even without passing Expires', () => {
      const now = new Date();
      const xml = signedRequest({ now, ttlSeconds: 3600 });
      expectSecurityError(() => verify(xml, new Date(now.getTime() + 301_000)), 'MESSAGE_EXPIRED', 'TOO_OLD');
    });

    it('Created in the future', () => {
      const now = new Date();
      const xml = signedRequest({ now: new Date(now.getTime() + 120_000) });
      expectSecurityError(() => verify(xml, now), 'MESSAGE_EXPIRED', 'CREATED_IN_FUTURE');
      // Within the allowed skew it is fine.
      verify(signedRequest({ now: new Date(now.getTime() + 30_000) }), now);
    });

    it('unreadable X-Road headers leave nothing to bind the key to', () => {
      const xml = signedRequest().replace('>4.0<', '>3.1<');
      const env = parseEnvelope(xml);
      expect(env.headers).to.equal(null);
      expect(() => verifyEnvelope(env, verifyOptions(new Date()))).to.throw(HeaderError);
    });
  });
});
