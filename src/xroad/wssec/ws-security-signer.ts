import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { SigningIdentity } from '../../pki/key-store.js';
import { excC14n } from '../c14n.js';
import { ALG, NS } from '../namespaces.js';
import { parseXml } from '../xml/parser.js';
import { attrNs, childElements } from '../xml/dom.js';
import type { XmlLimits } from '../xml/types.js';
import { escapeAttr } from '../xml/writer.js';
import type { AttachmentBytes } from './ws-security-verifier.js';
import { formatXsdDateTime } from './xsd-date-time.js';

export interface SignEnvelopeOptions {
  /** Standalone header element XML strings, in order (from echoHeaders or buildXRoadHeaders). */
  headers: string[];
  /** The Body's content (wrapper element with its xmlns), or a soapenv:Fault. */
  bodyXml: string;
  identity: SigningIdentity;
  now: Date;
  ttlSeconds: number;
  /** SwA attachments sent with the message, covered by cid: references (WSS SwA profile 1.1). */
  attachments?: AttachmentBytes[];
  /**
   * `bodyXml` is already its own exclusive canonical form as a child of the Body (only visibly
   * used declarations, start-end pairs, c14n escaping), as encodeWrapper and faultBodyXml write it:
   * its digest is taken from the string, without parsing it back.
   */
  bodyCanonical?: boolean;
}

// Our own output is parsed once to canonicalise it; the limits guard hostile input, not this.
const OWN_OUTPUT_LIMITS: Partial<XmlLimits> = { maxBytes: 256 * 1024 * 1024, maxDepth: 512, maxElements: 5_000_000, maxAttributes: 256, maxAttributeLength: 1024 * 1024 };

/**
 * A header with its wsu:Id left open: the text before and after the Id's value, as sent and in
 * exclusive canonical form. Exclusive c14n orders attributes by namespace and name, never by
 * value, so one template serves every Id.
 */
interface HeaderTemplate {
  xml: [string, string];
  canonical: [string, string];
}

/** Marks the Id's place while the template is made; a control character, so no header can contain it. */
const ID_SLOT = '\u0001';

/**
 * The template of a header: ` xmlns:wsu="…" wsu:Id="…"` put into its start tag (the header must not
 * carry a wsu:Id already), and the exclusive canonical form of the result, from one parse of the header.
 */
function headerTemplate(header: string): HeaderTemplate {
  const root = parseXml(header, OWN_OUTPUT_LIMITS);
  if (attrNs(root, NS.wsu, 'Id') !== undefined) throw new TypeError(`header <${root.name}> already has a wsu:Id; echoHeaders drops it`);
  const wsu = root.nsDecls.get('wsu');
  if (wsu !== undefined && wsu !== NS.wsu) throw new TypeError(`header <${root.name}> binds the wsu prefix to another namespace`);
  const at = root.start + 1 + root.name.length;
  const decl = wsu === undefined ? ` xmlns:wsu="${NS.wsu}"` : '';
  // Inside the envelope nothing above the header is output by exclusive c14n, so the standalone
  // element with the added attribute canonicalises as the header will in the sent message.
  const canonical = excC14n({ ...root, attrs: [...root.attrs, { name: 'wsu:Id', prefix: 'wsu', local: 'Id', ns: NS.wsu, value: ID_SLOT }] }).split(ID_SLOT);
  if (canonical.length !== 2) throw new TypeError(`header <${root.name}> could not be canonicalised around its wsu:Id`);
  return { xml: [header.slice(root.start, at) + `${decl} wsu:Id="`, '"' + header.slice(at, root.end)], canonical: [canonical[0], canonical[1]] };
}

// The headers a client sends with every request (client, service, protocolVersion, often userId)
// repeat, so the templates of 256 are kept, the least recently used going first; xrd:id is new each
// time and is not kept, nor is a header longer than MAX_TEMPLATE_CHARS.
const MAX_TEMPLATE_CHARS = 2048;
const templates = new LRUCache<string, HeaderTemplate>({ max: 256 });
const XRD_ID_START = /^<(?:[A-Za-z_][\w.-]*:)?id[\s>/]/;

function templateOf(header: string): HeaderTemplate {
  const hit = templates.get(header);
  if (hit) return hit;
  const t = headerTemplate(header);
  if (header.length <= MAX_TEMPLATE_CHARS && !XRD_ID_START.test(header)) templates.set(header, t);
  return t;
}

/** A header with its wsu:Id, as sent and in exclusive canonical form. */
function identifiedHeader(header: string, id: string): { xml: string; canonical: string } {
  const t = templateOf(header);
  return { xml: t.xml[0] + id + t.xml[1], canonical: t.canonical[0] + id + t.canonical[1] };
}

/** The Body as sent: its soapenv prefix is declared on the Envelope. */
const sentBody = (bodyId: string, bodyXml: string): string => `<soapenv:Body xmlns:wsu="${NS.wsu}" wsu:Id="${bodyId}">${bodyXml}</soapenv:Body>`;

/** The Body's start tag in canonical form: soapenv, used by the Body itself, is declared on it. */
const bodyStartTag = (bodyId: string): string => `<soapenv:Body xmlns:soapenv="${NS.soapenv}" xmlns:wsu="${NS.wsu}" wsu:Id="${bodyId}">`;

/** The Body's canonical form: as written when the content is canonical already, else from a parse of the Body in its envelope. */
function canonicalBody(bodyId: string, bodyXml: string, bodyCanonical: boolean): string {
  if (bodyCanonical) return `${bodyStartTag(bodyId)}${bodyXml}</soapenv:Body>`;
  const envelope = parseXml(`<soapenv:Envelope xmlns:soapenv="${NS.soapenv}">${sentBody(bodyId, bodyXml)}</soapenv:Envelope>`, OWN_OUTPUT_LIMITS);
  return excC14n(childElements(envelope)[0]);
}

function reference(uri: string, transform: string, digestBase64: string): string {
  return (
    `<ds:Reference URI="${escapeAttr(uri)}"><ds:Transforms><ds:Transform Algorithm="${transform}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${ALG.sha256}"></ds:DigestMethod><ds:DigestValue>${digestBase64}</ds:DigestValue></ds:Reference>`
  );
}

/** SHA-256 as base64, the DigestValue's form, in one call (a third of a Hash object's cost on these sizes). */
function sha256(data: string | Buffer): string {
  return crypto.hash('sha256', data, 'base64');
}

/** Random bytes for the envelope's ids, drawn 4 KiB at a time: one system call per 512 messages, not one per message. */
const tagPool = Buffer.alloc(4096);
let tagPos = tagPool.length;

/** 64 random bits as hex, unique to one envelope so its ids cannot collide with any it echoes. */
function randomTag(): string {
  if (tagPos === tagPool.length) {
    crypto.randomFillSync(tagPool);
    tagPos = 0;
  }
  tagPos += 8;
  return tagPool.toString('hex', tagPos - 8, tagPos);
}

/**
 * Builds a complete signed envelope (CONTRACT §3): every header, the Body and the Timestamp
 * (and each attachment) referenced by wsu:Id with exc-c14n + SHA-256, signed with RSA-SHA256 or
 * ECDSA-SHA256 by the identity's cached KeyObject, the certificate in a BinarySecurityToken.
 *
 * SignedInfo is written directly in its canonical form (its own ds declaration, attributes in
 * order, no empty-element tags), so the bytes signed are the bytes sent. The referenced parts are
 * canonicalised as a verifier sees them in the sent message: each header from one parse of it,
 * the Timestamp and (when `bodyCanonical`) the Body as written, since they are canonical already.
 */
export function buildSignedEnvelope(opts: SignEnvelopeOptions): string {
  const p = prepareEnvelope(opts);
  return p.assemble(crypto.sign('sha256', p.signedInfo, p.key));
}

/**
 * buildSignedEnvelope with the private-key operation on libuv's thread pool: the same envelope, but
 * the event loop goes on serving other requests during the RSA or ECDSA signature, which is a fifth
 * of a signed read's main-thread time.
 */
export function buildSignedEnvelopeAsync(opts: SignEnvelopeOptions): Promise<string> {
  const p = prepareEnvelope(opts);
  return new Promise((resolve, reject) => {
    crypto.sign('sha256', p.signedInfo, p.key, (err, value) => {
      if (err) reject(err);
      else resolve(p.assemble(value));
    });
  });
}

/** Everything of a signed envelope but the signature value: the SignedInfo to sign, the key, and the assembly. */
function prepareEnvelope(opts: SignEnvelopeOptions): { signedInfo: Buffer; key: crypto.KeyObject | crypto.SignKeyObjectInput; assemble: (value: Buffer) => string } {
  const { identity } = opts;
  const tag = randomTag();
  const headerIds = opts.headers.map((_, i) => `id-${tag}-${i + 1}`);
  const bodyId = `id-${tag}-body`;
  const tsId = `TS-${tag}`;
  const tokenId = `X509-${tag}`;
  const created = formatXsdDateTime(opts.now);
  const expires = formatXsdDateTime(new Date(opts.now.getTime() + opts.ttlSeconds * 1000));

  const headers = opts.headers.map((h, i) => identifiedHeader(h, headerIds[i]));
  const timestamp = `<wsu:Timestamp xmlns:wsu="${NS.wsu}" wsu:Id="${tsId}"><wsu:Created>${created}</wsu:Created><wsu:Expires>${expires}</wsu:Expires></wsu:Timestamp>`;
  let head = `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Header>`;
  for (const h of headers) head += h.xml;
  head +=
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">` +
    `<wsse:BinarySecurityToken EncodingType="${ALG.base64Binary}" ValueType="${ALG.x509v3}" wsu:Id="${tokenId}">${identity.certBase64}</wsse:BinarySecurityToken>` +
    `<wsu:Timestamp wsu:Id="${tsId}"><wsu:Created>${created}</wsu:Created><wsu:Expires>${expires}</wsu:Expires></wsu:Timestamp>`;
  const tail = `</wsse:Security></soapenv:Header>${sentBody(bodyId, opts.bodyXml)}</soapenv:Envelope>`;

  // Each referenced part in the canonical form the receiver computes from the sent message: the
  // headers from their own parse, the Body from its content, the Timestamp as written (it is canonical).
  let refs = '';
  for (const [i, h] of headers.entries()) refs += reference(`#${headerIds[i]}`, ALG.excC14n, sha256(h.canonical));
  refs += reference(`#${bodyId}`, ALG.excC14n, sha256(canonicalBody(bodyId, opts.bodyXml, opts.bodyCanonical === true)));
  refs += reference(`#${tsId}`, ALG.excC14n, sha256(timestamp));
  for (const a of opts.attachments ?? []) refs += reference(`cid:${encodeURIComponent(a.contentId)}`, ALG.swaContent, sha256(a.bytes));

  const ec = identity.keyType === 'ec';
  const signedInfo =
    `<ds:SignedInfo xmlns:ds="${NS.ds}"><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${ec ? ALG.ecdsaSha256 : ALG.rsaSha256}"></ds:SignatureMethod>${refs}</ds:SignedInfo>`;
  return {
    signedInfo: Buffer.from(signedInfo, 'utf8'),
    // XML-DSig 1.1 §6.4.3: ECDSA values are r || s, not DER.
    key: ec ? { key: identity.privateKey, dsaEncoding: 'ieee-p1363' } : identity.privateKey,
    assemble: (value) =>
      head +
      `<ds:Signature xmlns:ds="${NS.ds}">${signedInfo}<ds:SignatureValue>${value.toString('base64')}</ds:SignatureValue>` +
      `<ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#${tokenId}" ValueType="${ALG.x509v3}"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>` +
      tail,
  };
}
