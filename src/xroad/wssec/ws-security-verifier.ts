import crypto from 'node:crypto';
import { TrustError, type MemberRef, type TrustStore } from '../../pki/trust-store.js';
import { excC14n } from '../c14n.js';
import { ALG, NS } from '../namespaces.js';
import { attrNs, childElements, onlyWhitespaceText } from '../xml/dom.js';
import type { XmlElement } from '../xml/types.js';
import { invalidSignature, SecurityError } from './security-error.js';
import { parseXsdDateTime } from './xsd-date-time.js';
import { cachedCertificate, certificateFromToken } from './token-cache.js';

/** The parts of a received envelope that signature checking looks at, all found by position. */
export interface SignedParts {
  root: XmlElement;
  /** The soapenv:Body that is the Envelope's child. */
  body: XmlElement;
  /** The Header's element children other than wsse:Security, in order. */
  headerChildren: XmlElement[];
  /** Every wsse:Security child of the Header (exactly one is accepted). */
  securities: XmlElement[];
}

export interface AttachmentBytes {
  /** Content-ID without angle brackets. */
  contentId: string;
  contentType: string;
  bytes: Buffer;
}

export interface SecurityCheckOptions {
  trust: TrustStore;
  now: Date;
  maxAgeSeconds: number;
  futureSkewSeconds: number;
  attachments?: AttachmentBytes[];
  /** Member the signing certificate must belong to (the client for requests, the provider for responses). */
  signer: MemberRef;
  /** Client keys (instance/class/code[/subsystem]) under which a pinned certificate may be found. */
  pinKeys: string[];
}

export interface VerifiedSignature {
  signer: crypto.X509Certificate;
  created: Date;
  expires?: Date;
}

const SIGNATURE_METHODS: ReadonlyMap<string, 'rsa' | 'ec'> = new Map([
  [ALG.rsaSha256, 'rsa'],
  [ALG.ecdsaSha256, 'ec'],
]);
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MIN_RSA_BITS = 2048;

/** The name a covered part is reported under: X-Road headers by their usual prefixes. */
function partName(el: XmlElement): string {
  if (el.ns === NS.xrd) return `xrd:${el.local}`;
  if (el.ns === NS.repr) return `repr:${el.local}`;
  if (el.ns === NS.soapenv) return `soapenv:${el.local}`;
  if (el.ns === NS.wsu) return `wsu:${el.local}`;
  return el.name;
}

function is(el: XmlElement, ns: string, local: string): boolean {
  return el.ns === ns && el.local === local;
}

/** Element children of a structural element, after checking it holds no stray text. */
function structure(el: XmlElement): XmlElement[] {
  if (!onlyWhitespaceText(el)) throw invalidSignature('SIGNATURE_STRUCTURE', `<${el.name}> must not contain text`);
  return childElements(el);
}

/**
 * The characters of a base64 value that must be plain text, whitespace removed: an element child
 * or a comment inside it is refused (a comment would not change the canonical SignedInfo, but
 * readers disagree on the value).
 */
function base64Chars(el: XmlElement): string {
  if (el.hasComment) throw invalidSignature('VALUE_NOT_TEXT', `<${el.name}> must not contain a comment`);
  let s = '';
  for (const c of el.children) {
    if (c.kind === 'element') throw invalidSignature('VALUE_NOT_TEXT', `<${el.name}> must contain text only`);
    s += c.value;
  }
  // xsd:base64Binary allows whitespace between characters (line-wrapped signatures).
  return s.replace(/[ \t\r\n]+/g, '');
}

/** The bytes of `chars` (from base64Chars of `el`), which must be base64. */
function decodeBase64(el: XmlElement, chars: string): Buffer {
  if (chars.length === 0 || chars.length % 4 !== 0 || !BASE64.test(chars)) throw invalidSignature('VALUE_NOT_TEXT', `<${el.name}> is not base64`);
  return Buffer.from(chars, 'base64');
}

const base64Value = (el: XmlElement): Buffer => decodeBase64(el, base64Chars(el));

function algorithm(el: XmlElement): string {
  const alg = attrNs(el, '', 'Algorithm');
  if (alg === undefined) throw invalidSignature('SIGNATURE_STRUCTURE', `<${el.name}> lacks Algorithm`);
  return alg;
}

/** exc-c14n method or transform: only the allowlisted URI, optionally with an InclusiveNamespaces PrefixList. */
function excC14nPrefixes(el: XmlElement): string[] {
  const alg = algorithm(el);
  if (alg !== ALG.excC14n) throw invalidSignature('ALGORITHM_NOT_ALLOWED', `canonicalization ${alg} is not allowed; only ${ALG.excC14n}`);
  const kids = structure(el);
  if (kids.length === 0) return [];
  if (kids.length > 1 || !is(kids[0], ALG.excC14n, 'InclusiveNamespaces')) throw invalidSignature('SIGNATURE_STRUCTURE', `<${el.name}> may contain one InclusiveNamespaces only`);
  const list = attrNs(kids[0], '', 'PrefixList') ?? '';
  return list.split(/[ \t\r\n]+/).filter((p) => p !== '');
}

interface ParsedReference {
  uri: string;
  prefixes: string[];
  attachment: boolean;
  /** The 32 digest bytes in canonical base64, the form digestOf gives. */
  digest: string;
  el: XmlElement;
}

function parseReference(ref: XmlElement): ParsedReference {
  const uri = attrNs(ref, '', 'URI');
  if (uri === undefined) throw invalidSignature('REFERENCE_UNRESOLVED', 'a Reference lacks URI');
  const attachment = uri.startsWith('cid:');
  if (!attachment && !/^#[^#]+$/.test(uri)) throw invalidSignature('REFERENCE_UNRESOLVED', `reference ${uri} is not a same-document reference by Id`);
  const kids = structure(ref);
  let i = 0;
  let prefixes: string[] = [];
  let sawExc = false;
  if (kids[i] && is(kids[i], NS.ds, 'Transforms')) {
    const transforms = structure(kids[i]);
    if (transforms.length === 0) throw invalidSignature('SIGNATURE_STRUCTURE', 'empty Transforms');
    for (const [ti, t] of transforms.entries()) {
      if (!is(t, NS.ds, 'Transform')) throw invalidSignature('SIGNATURE_STRUCTURE', `unexpected <${t.name}> in Transforms`);
      const alg = algorithm(t);
      if (attachment) {
        if (alg !== ALG.swaContent || transforms.length !== 1 || structure(t).length > 0) throw invalidSignature('ALGORITHM_NOT_ALLOWED', `attachment transform ${alg} is not allowed; only ${ALG.swaContent}`);
      } else if (alg === ENVELOPED && ti === 0 && transforms.length === 2 && structure(t).length === 0) {
        // node-soap's default chain. The referenced parts (Body, headers, Timestamp) never contain
        // the Signature, so removing it is a no-op; it is accepted only as the first of two.
      } else if (ti === transforms.length - 1) {
        prefixes = excC14nPrefixes(t);
        sawExc = true;
      } else {
        throw invalidSignature('ALGORITHM_NOT_ALLOWED', `transform ${alg} is not allowed`);
      }
    }
    i++;
  }
  if (!attachment && !sawExc) throw invalidSignature('ALGORITHM_NOT_ALLOWED', `reference ${uri} must use the exclusive c14n transform`);
  if (attachment && i === 0) throw invalidSignature('ALGORITHM_NOT_ALLOWED', `reference ${uri} must use ${ALG.swaContent}`);
  const dm = kids[i++];
  if (!dm || !is(dm, NS.ds, 'DigestMethod')) throw invalidSignature('SIGNATURE_STRUCTURE', `reference ${uri} lacks DigestMethod`);
  const dAlg = algorithm(dm);
  if (dAlg !== ALG.sha256 || structure(dm).length > 0) throw invalidSignature('ALGORITHM_NOT_ALLOWED', `digest ${dAlg} is not allowed; only ${ALG.sha256}`);
  const dv = kids[i++];
  if (!dv || !is(dv, NS.ds, 'DigestValue') || i !== kids.length) throw invalidSignature('SIGNATURE_STRUCTURE', `reference ${uri} must end with one DigestValue`);
  const digest = base64Value(dv);
  if (digest.length !== 32) throw invalidSignature('VALUE_NOT_TEXT', `reference ${uri} has a digest of the wrong length`);
  return { uri, prefixes, attachment, digest: digest.toString('base64'), el: ref };
}

/**
 * Every value of an attribute that can name a reference target here or in a common toolkit
 * (wsu:Id, Id, xml:id). Lower-case `id` is left to payloads, where repeating it is legitimate.
 */
function idsOf(el: XmlElement, out: string[]): void {
  for (const a of el.attrs) {
    if ((a.local === 'Id' && (a.ns === '' || a.ns === NS.wsu)) || (a.ns === NS.xml && a.local === 'id')) {
      if (!out.includes(a.value)) out.push(a.value);
    }
  }
}

/** Refuses a document in which two elements carry the same Id value under any Id-like name. */
function assertUniqueIds(root: XmlElement): void {
  const seen = new Set<string>();
  const ids: string[] = [];
  const stack: XmlElement[] = [root];
  while (stack.length > 0) {
    const el = stack.pop() as XmlElement;
    ids.length = 0;
    idsOf(el, ids);
    for (const id of ids) {
      if (seen.has(id)) throw invalidSignature('DUPLICATE_ID', `Id "${id}" is used by more than one element`);
      seen.add(id);
    }
    for (const c of el.children) if (c.kind === 'element') stack.push(c);
  }
}

/** The Id a positioned part is referenced by: wsu:Id or xml-crypto's unqualified Id. */
function partIds(el: XmlElement): string[] {
  const out: string[] = [];
  const wsuId = attrNs(el, NS.wsu, 'Id');
  const plainId = attrNs(el, '', 'Id');
  if (wsuId !== undefined) out.push(wsuId);
  if (plainId !== undefined && plainId !== wsuId) out.push(plainId);
  return out;
}

/** SHA-256 in canonical base64: equal strings are equal digests. */
function digestOf(data: string | Buffer): string {
  return crypto.hash('sha256', data, 'base64');
}

/**
 * Verifies the WS-Security header of a received envelope (CONTRACT §3), by position and
 * allowlist only:
 * - exactly one wsse:Security holding one BinarySecurityToken, one Timestamp and one Signature;
 * - SignedInfo: exc-c14n, RSA-SHA256 or ECDSA-SHA256, references with SHA-256 and the exc-c14n
 *   transform (node-soap's enveloped-signature + exc-c14n chain also accepted);
 * - every reference resolves to one of the positioned parts — the Body that is the Envelope's
 *   child, a Header child, the Timestamp inside that Security, or a given attachment — never to
 *   an element found by searching the document; every part is covered exactly once; no Id value
 *   occurs twice anywhere in the document;
 * - the key is the certificate in that BinarySecurityToken, referenced from KeyInfo, and the
 *   certificate must be trusted by the TrustStore and belong to `opts.signer`;
 * - Created no older than maxAgeSeconds and no further ahead than futureSkewSeconds, Expires not passed.
 * Throws SecurityError; returns the signer and the timestamp.
 */
export function verifyWsSecurity(parts: SignedParts, opts: SecurityCheckOptions): VerifiedSignature {
  if (parts.securities.length === 0) throw invalidSignature('MISSING_SECURITY', 'the message is not signed: no wsse:Security header');
  if (parts.securities.length > 1) throw invalidSignature('MULTIPLE_SECURITY', 'more than one wsse:Security header');
  const security = parts.securities[0];
  let token: XmlElement | undefined;
  let timestamp: XmlElement | undefined;
  let signature: XmlElement | undefined;
  for (const el of structure(security)) {
    if (is(el, NS.wsse, 'BinarySecurityToken') && !token) token = el;
    else if (is(el, NS.wsu, 'Timestamp') && !timestamp) timestamp = el;
    else if (is(el, NS.ds, 'Signature')) {
      if (signature) throw invalidSignature('MULTIPLE_SIGNATURES', 'more than one ds:Signature in wsse:Security');
      signature = el;
    } else throw invalidSignature('SECURITY_STRUCTURE', `unexpected or repeated <${el.name}> in wsse:Security`);
  }
  if (!signature) throw invalidSignature('MISSING_SIGNATURE', 'the message is not signed: no ds:Signature');
  if (!token) throw invalidSignature('SECURITY_STRUCTURE', 'wsse:Security lacks a BinarySecurityToken');
  if (!timestamp) throw invalidSignature('SECURITY_STRUCTURE', 'wsse:Security lacks a wsu:Timestamp');

  // Signature = SignedInfo, SignatureValue, KeyInfo; nothing else (no Object to hide a copy in).
  const sigKids = structure(signature);
  const [signedInfo, signatureValue, keyInfo] = sigKids;
  if (sigKids.length !== 3 || !is(signedInfo, NS.ds, 'SignedInfo') || !is(signatureValue, NS.ds, 'SignatureValue') || !is(keyInfo, NS.ds, 'KeyInfo')) {
    throw invalidSignature('SIGNATURE_STRUCTURE', 'ds:Signature must hold exactly SignedInfo, SignatureValue and KeyInfo');
  }
  const siKids = structure(signedInfo);
  if (siKids.length < 3 || !is(siKids[0], NS.ds, 'CanonicalizationMethod') || !is(siKids[1], NS.ds, 'SignatureMethod')) {
    throw invalidSignature('SIGNATURE_STRUCTURE', 'SignedInfo must hold CanonicalizationMethod, SignatureMethod and references');
  }
  const siPrefixes = excC14nPrefixes(siKids[0]);
  const sigAlg = algorithm(siKids[1]);
  const keyKind = SIGNATURE_METHODS.get(sigAlg);
  if (!keyKind) throw invalidSignature('ALGORITHM_NOT_ALLOWED', `signature method ${sigAlg} is not allowed`);
  if (structure(siKids[1]).length > 0) throw invalidSignature('ALGORITHM_NOT_ALLOWED', 'SignatureMethod parameters are not allowed');
  const refs: ParsedReference[] = [];
  for (const r of siKids.slice(2)) {
    if (!is(r, NS.ds, 'Reference')) throw invalidSignature('SIGNATURE_STRUCTURE', `unexpected <${r.name}> in SignedInfo`);
    refs.push(parseReference(r));
  }

  // KeyInfo → SecurityTokenReference → Reference to the token in this Security.
  const kiKids = structure(keyInfo);
  const str = kiKids[0];
  if (kiKids.length !== 1 || !is(str, NS.wsse, 'SecurityTokenReference')) throw invalidSignature('TOKEN_REFERENCE', 'KeyInfo must hold one wsse:SecurityTokenReference');
  const strKids = structure(str);
  if (strKids.length !== 1 || !is(strKids[0], NS.wsse, 'Reference')) throw invalidSignature('TOKEN_REFERENCE', 'SecurityTokenReference must hold one wsse:Reference');
  const tokenUri = attrNs(strKids[0], '', 'URI');
  const tokenRefType = attrNs(strKids[0], '', 'ValueType');
  if (tokenRefType !== undefined && tokenRefType !== ALG.x509v3) throw invalidSignature('TOKEN_REFERENCE', 'the token reference must be to an X509v3 token');
  if (tokenUri === undefined || !partIds(token).some((id) => `#${id}` === tokenUri)) throw invalidSignature('TOKEN_REFERENCE', 'KeyInfo does not reference the BinarySecurityToken of this wsse:Security');
  if (attrNs(token, '', 'ValueType') !== ALG.x509v3 || attrNs(token, '', 'EncodingType') !== ALG.base64Binary) {
    throw invalidSignature('TOKEN_INVALID', 'the BinarySecurityToken must be an X509v3 certificate in Base64Binary');
  }
  // A token seen before is looked up by its text: a cached key is the canonical base64 of a parsed
  // certificate, so a hit is valid base64 already.
  const tokenChars = base64Chars(token);
  const { cert, key } = cachedCertificate(tokenChars) ?? certificateFromToken(decodeBase64(token, tokenChars).toString('base64'));
  if (key.asymmetricKeyType !== keyKind) throw invalidSignature('ALGORITHM_NOT_ALLOWED', `signature method ${sigAlg} does not match the certificate's ${key.asymmetricKeyType} key`);
  if (keyKind === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) throw invalidSignature('TOKEN_INVALID', `RSA keys shorter than ${MIN_RSA_BITS} bits are not accepted`);

  // Resolution by position: the parts that must be signed, and what each reference names.
  assertUniqueIds(parts.root);
  const required: Array<{ el: XmlElement; part: string }> = [
    ...parts.headerChildren.map((el) => ({ el, part: partName(el) })),
    { el: parts.body, part: 'soapenv:Body' },
    { el: timestamp, part: 'wsu:Timestamp' },
  ];
  const byId = new Map<string, { el: XmlElement; part: string }>();
  for (const r of required) for (const id of partIds(r.el)) byId.set(id, r);
  const attachments = opts.attachments ?? [];
  const byCid = new Map<string, AttachmentBytes>();
  for (const a of attachments) byCid.set(a.contentId, a);
  const covered = new Set<XmlElement | AttachmentBytes>();
  const work: Array<{ ref: ParsedReference; el?: XmlElement; attachment?: AttachmentBytes; part: string }> = [];
  for (const ref of refs) {
    if (ref.attachment) {
      let cid: string;
      try {
        cid = decodeURIComponent(ref.uri.slice(4));
      } catch {
        throw invalidSignature('REFERENCE_UNRESOLVED', `reference ${ref.uri} is not a valid cid URL`);
      }
      const a = byCid.get(cid);
      if (!a) throw invalidSignature('REFERENCE_UNRESOLVED', `reference ${ref.uri} names no attachment of this message`, ref.uri);
      if (covered.has(a)) throw invalidSignature('DUPLICATE_REFERENCE', `attachment ${ref.uri} is referenced twice`, ref.uri);
      covered.add(a);
      work.push({ ref, attachment: a, part: ref.uri });
    } else {
      const target = byId.get(ref.uri.slice(1));
      if (!target) throw invalidSignature('REFERENCE_UNRESOLVED', `reference ${ref.uri} does not name the Body, the Timestamp or a header of this message`);
      if (covered.has(target.el)) throw invalidSignature('DUPLICATE_REFERENCE', `${target.part} is referenced twice`, target.part);
      covered.add(target.el);
      work.push({ ref, el: target.el, part: target.part });
    }
  }
  for (const r of required) if (!covered.has(r.el)) throw invalidSignature('NOT_COVERED', `${r.part} is not covered by the signature`, r.part);
  for (const a of attachments) if (!covered.has(a)) throw invalidSignature('NOT_COVERED', `attachment cid:${a.contentId} is not covered by the signature`, `cid:${a.contentId}`);

  for (const w of work) {
    const actual = w.attachment ? digestOf(w.attachment.bytes) : digestOf(excC14n(w.el as XmlElement, { inclusivePrefixes: w.ref.prefixes }));
    if (actual !== w.ref.digest) throw invalidSignature('DIGEST_MISMATCH', `${w.part} was changed after signing`, w.part);
  }
  const signedBytes = Buffer.from(excC14n(signedInfo, { inclusivePrefixes: siPrefixes }), 'utf8');
  const sig = base64Value(signatureValue);
  const ok = keyKind === 'ec' ? crypto.verify('sha256', signedBytes, { key, dsaEncoding: 'ieee-p1363' }, sig) : crypto.verify('sha256', signedBytes, key, sig);
  if (!ok) throw invalidSignature('SIGNATURE_MISMATCH', 'the signature value does not verify with the certificate in the message');

  try {
    opts.trust.assertTrusted(cert, opts.signer, opts.now, opts.pinKeys);
  } catch (e) {
    if (e instanceof TrustError) throw new SecurityError('UNTRUSTED_CERTIFICATE', e.reason, e.message);
    throw e;
  }
  return { signer: cert, ...checkTimestamp(timestamp, opts) };
}

/** WSS4J's default window (CONTRACT §3): Created not too old nor too far ahead, Expires not passed. */
function checkTimestamp(ts: XmlElement, opts: SecurityCheckOptions): { created: Date; expires?: Date } {
  const kids = structure(ts);
  const [createdEl, expiresEl] = kids;
  if (!createdEl || !is(createdEl, NS.wsu, 'Created') || kids.length > 2 || (expiresEl && !is(expiresEl, NS.wsu, 'Expires'))) {
    throw invalidSignature('TIMESTAMP_INVALID', 'wsu:Timestamp must hold Created and optionally Expires');
  }
  const read = (el: XmlElement): number => {
    if (el.hasComment || el.children.some((c) => c.kind === 'element')) throw invalidSignature('TIMESTAMP_INVALID', `<${el.name}> must contain text only`);
    const t = parseXsdDateTime(el.children.map((c) => (c.kind === 'text' ? c.value : '')).join(''));
    if (t === undefined) throw invalidSignature('TIMESTAMP_INVALID', `<${el.name}> is not an xsd:dateTime with a zone`);
    return t;
  };
  const created = read(createdEl);
  const expires = expiresEl ? read(expiresEl) : undefined;
  const now = opts.now.getTime();
  if (expires !== undefined && expires < created) throw invalidSignature('TIMESTAMP_INVALID', 'wsu:Expires is before wsu:Created');
  if (created > now + opts.futureSkewSeconds * 1000) throw new SecurityError('MESSAGE_EXPIRED', 'CREATED_IN_FUTURE', 'wsu:Created is in the future');
  if (created < now - opts.maxAgeSeconds * 1000) throw new SecurityError('MESSAGE_EXPIRED', 'TOO_OLD', 'wsu:Created is older than allowed');
  if (expires !== undefined && expires <= now) throw new SecurityError('MESSAGE_EXPIRED', 'EXPIRED', 'wsu:Expires has passed');
  return expires === undefined ? { created: new Date(created) } : { created: new Date(created), expires: new Date(expires) };
}
