import crypto from 'node:crypto';
import type { SigningIdentity } from '../../pki/key-store.js';
import { excC14n } from '../c14n.js';
import { ALG, NS } from '../namespaces.js';
import { parseXml } from '../xml/parser.js';
import { attrNs, childElements } from '../xml/dom.js';
import type { XmlElement, XmlLimits } from '../xml/types.js';
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
}

// Our own output is parsed once to canonicalise it; the limits guard hostile input, not this.
const OWN_OUTPUT_LIMITS: Partial<XmlLimits> = { maxBytes: 256 * 1024 * 1024, maxDepth: 512, maxElements: 5_000_000, maxAttributes: 256, maxAttributeLength: 1024 * 1024 };

/** Puts ` xmlns:wsu="…" wsu:Id="…"` into a header's start tag; the header must not carry a wsu:Id already. */
function withId(header: string, id: string): string {
  const root = parseXml(header, OWN_OUTPUT_LIMITS);
  if (attrNs(root, NS.wsu, 'Id') !== undefined) throw new TypeError(`header <${root.name}> already has a wsu:Id; echoHeaders drops it`);
  const wsu = root.nsDecls.get('wsu');
  if (wsu !== undefined && wsu !== NS.wsu) throw new TypeError(`header <${root.name}> binds the wsu prefix to another namespace`);
  const at = root.start + 1 + root.name.length;
  const decl = wsu === undefined ? ` xmlns:wsu="${NS.wsu}"` : '';
  return header.slice(root.start, at) + `${decl} wsu:Id="${id}"` + header.slice(at, root.end);
}

function reference(uri: string, transform: string, digest: Buffer): string {
  return (
    `<ds:Reference URI="${escapeAttr(uri)}"><ds:Transforms><ds:Transform Algorithm="${transform}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${ALG.sha256}"></ds:DigestMethod><ds:DigestValue>${digest.toString('base64')}</ds:DigestValue></ds:Reference>`
  );
}

function sha256(data: string | Buffer): Buffer {
  return crypto.createHash('sha256').update(data).digest();
}

/**
 * Builds a complete signed envelope (CONTRACT §3): every header, the Body and the Timestamp
 * (and each attachment) referenced by wsu:Id with exc-c14n + SHA-256, signed with RSA-SHA256 or
 * ECDSA-SHA256 by the identity's cached KeyObject, the certificate in a BinarySecurityToken.
 *
 * SignedInfo is written directly in its canonical form (its own ds declaration, attributes in
 * order, no empty-element tags), so the bytes signed are the bytes sent; the referenced parts
 * are canonicalised from one parse of the assembled message, exactly as a verifier sees them.
 */
export function buildSignedEnvelope(opts: SignEnvelopeOptions): string {
  const { identity } = opts;
  const tag = crypto.randomBytes(8).toString('hex');
  const headerIds = opts.headers.map((_, i) => `id-${tag}-${i + 1}`);
  const bodyId = `id-${tag}-body`;
  const tsId = `TS-${tag}`;
  const tokenId = `X509-${tag}`;
  const created = formatXsdDateTime(opts.now);
  const expires = formatXsdDateTime(new Date(opts.now.getTime() + opts.ttlSeconds * 1000));

  let head = `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}"><soapenv:Header>`;
  for (const [i, h] of opts.headers.entries()) head += withId(h, headerIds[i]);
  head +=
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">` +
    `<wsse:BinarySecurityToken EncodingType="${ALG.base64Binary}" ValueType="${ALG.x509v3}" wsu:Id="${tokenId}">${identity.certBase64}</wsse:BinarySecurityToken>` +
    `<wsu:Timestamp wsu:Id="${tsId}"><wsu:Created>${created}</wsu:Created><wsu:Expires>${expires}</wsu:Expires></wsu:Timestamp>`;
  const tail = `</wsse:Security></soapenv:Header><soapenv:Body xmlns:wsu="${NS.wsu}" wsu:Id="${bodyId}">${opts.bodyXml}</soapenv:Body></soapenv:Envelope>`;

  // One parse of the unsigned message gives the referenced parts as the receiver will see them.
  const envelope = parseXml(head + tail, OWN_OUTPUT_LIMITS);
  const [header, body] = childElements(envelope);
  const headerParts = childElements(header);
  const security = headerParts[headerParts.length - 1];
  const timestamp = childElements(security)[1];
  const parts: Array<[string, XmlElement]> = headerParts.slice(0, -1).map((el, i) => [headerIds[i], el]);
  parts.push([bodyId, body], [tsId, timestamp]);

  let refs = '';
  for (const [id, el] of parts) refs += reference(`#${id}`, ALG.excC14n, sha256(excC14n(el)));
  for (const a of opts.attachments ?? []) refs += reference(`cid:${encodeURIComponent(a.contentId)}`, ALG.swaContent, sha256(a.bytes));

  const ec = identity.keyType === 'ec';
  const signedInfo =
    `<ds:SignedInfo xmlns:ds="${NS.ds}"><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${ec ? ALG.ecdsaSha256 : ALG.rsaSha256}"></ds:SignatureMethod>${refs}</ds:SignedInfo>`;
  // XML-DSig 1.1 §6.4.3: ECDSA values are r || s, not DER.
  const value = crypto.sign('sha256', Buffer.from(signedInfo, 'utf8'), ec ? { key: identity.privateKey, dsaEncoding: 'ieee-p1363' } : identity.privateKey);
  const signature =
    `<ds:Signature xmlns:ds="${NS.ds}">${signedInfo}<ds:SignatureValue>${value.toString('base64')}</ds:SignatureValue>` +
    `<ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#${tokenId}" ValueType="${ALG.x509v3}"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>`;
  return head + signature + tail;
}
