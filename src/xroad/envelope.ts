import type { X509Certificate } from 'node:crypto';
import { clientKey, type XRoadIdentifier } from '../operations/types.js';
import type { MemberRef, TrustStore } from '../pki/trust-store.js';
import { HeaderError, readXRoadHeaders, type XRoadHeaders } from './headers.js';
import { NS } from './namespaces.js';
import { childElements, onlyWhitespaceText } from './xml/dom.js';
import { parseXml, XmlParseError } from './xml/parser.js';
import type { XmlElement, XmlLimits } from './xml/types.js';
import { serializeElement } from './xml/writer.js';
import { verifyWsSecurity, type AttachmentBytes } from './wssec/ws-security-verifier.js';

export { SecurityError, type SecurityErrorCode } from './wssec/security-error.js';
export { buildSignedEnvelope, buildSignedEnvelopeAsync, type SignEnvelopeOptions } from './wssec/ws-security-signer.js';
export type { AttachmentBytes } from './wssec/ws-security-verifier.js';

/** A received SOAP 1.1 envelope, its parts found by position (never by searching for an Id). */
export interface ReceivedEnvelope {
  source: string;
  root: XmlElement;
  header: XmlElement | null;
  /** Header's element children in order, wsse:Security excluded. */
  headerChildren: XmlElement[];
  /** The first wsse:Security header; verifyEnvelope refuses more than one. */
  security: XmlElement | null;
  body: XmlElement;
  /** The Body's single element child, or null when the Body holds none or several. */
  bodyWrapper: XmlElement | null;
  /** null when they could not be read (headersError says why). */
  headers: XRoadHeaders | null;
  headersError?: HeaderError;
}

export type EnvelopeFailure = 'INVALID_XML' | 'INVALID_HEADER';

export class EnvelopeError extends Error {
  constructor(
    readonly code: EnvelopeFailure,
    /** The XmlParseError reason, or ENVELOPE_STRUCTURE / HEADER_STRUCTURE. */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EnvelopeError';
  }
}

function isSecurity(el: XmlElement): boolean {
  return el.ns === NS.wsse && el.local === 'Security';
}

/**
 * Parses a SOAP 1.1 envelope with the hardened parser and locates its parts by position:
 * Envelope = [Header] Body and nothing after the Body (WS-I Basic Profile R1011), so a second
 * Body, or a Body in another namespace, is refused here. X-Road headers are read but a bad one
 * does not throw: the transport still needs the rest to echo what it can in the fault.
 */
/** X-Road 4.0 defines about ten header elements; room for a few of a client's own, never thousands. */
export const MAX_HEADER_ELEMENTS = 32;

export function parseEnvelope(source: string, limits?: Partial<XmlLimits>): ReceivedEnvelope {
  let root: XmlElement;
  try {
    root = parseXml(source, limits);
  } catch (e) {
    if (e instanceof XmlParseError) throw new EnvelopeError('INVALID_XML', e.reason, e.message, { cause: e });
    throw e;
  }
  if (root.ns !== NS.soapenv || root.local !== 'Envelope') throw new EnvelopeError('INVALID_XML', 'ENVELOPE_STRUCTURE', 'the document is not a SOAP 1.1 Envelope');
  if (!onlyWhitespaceText(root)) throw new EnvelopeError('INVALID_XML', 'ENVELOPE_STRUCTURE', 'text directly inside the Envelope');
  const kids = childElements(root);
  let i = 0;
  let header: XmlElement | null = null;
  if (kids[0] && kids[0].ns === NS.soapenv && kids[0].local === 'Header') header = kids[i++];
  const body = kids[i++];
  if (!body || body.ns !== NS.soapenv || body.local !== 'Body') throw new EnvelopeError('INVALID_XML', 'ENVELOPE_STRUCTURE', 'the Envelope must hold an optional Header and then the soapenv:Body');
  if (i !== kids.length) throw new EnvelopeError('INVALID_XML', 'ENVELOPE_STRUCTURE', 'nothing may follow the soapenv:Body');

  const headerChildren: XmlElement[] = [];
  let security: XmlElement | null = null;
  if (header) {
    if (!onlyWhitespaceText(header)) throw new EnvelopeError('INVALID_HEADER', 'HEADER_STRUCTURE', 'text directly inside the SOAP Header');
    const all = childElements(header);
    // Every header is echoed and signed in the answer: without a bound, a small request of many
    // empty headers would cost seconds of signing and a response a hundred times its size.
    if (all.length > MAX_HEADER_ELEMENTS) throw new EnvelopeError('INVALID_HEADER', 'HEADER_STRUCTURE', `more than ${MAX_HEADER_ELEMENTS} elements in the SOAP Header`);
    for (const el of all) {
      if (isSecurity(el)) security ??= el;
      else headerChildren.push(el);
    }
  }
  const bodyKids = childElements(body);
  const bodyWrapper = bodyKids.length === 1 && onlyWhitespaceText(body) ? bodyKids[0] : null;
  let headers: XRoadHeaders | null = null;
  let headersError: HeaderError | undefined;
  try {
    headers = readXRoadHeaders(headerChildren);
  } catch (e) {
    if (!(e instanceof HeaderError)) throw e;
    headersError = e;
  }
  const env: ReceivedEnvelope = { source, root, header, headerChildren, security, body, bodyWrapper, headers };
  if (headersError) env.headersError = headersError;
  return env;
}

export interface VerifyOptions {
  trust: TrustStore;
  now: Date;
  maxAgeSeconds: number;
  futureSkewSeconds: number;
  /**
   * SwA: attachments whose bytes must be covered. Chosen profile: WSS SwA profile 1.1 —
   * a `cid:` Reference with the Attachment-Content-Signature-Transform and a SHA-256 digest of
   * the attachment's content octets (after transfer decoding), one per attachment.
   */
  attachments?: AttachmentBytes[];
  /**
   * Whose certificate must have signed: the xrd:client (requests we provide, the default) or
   * the xrd:service provider (responses of services we consume).
   */
  signerRole?: 'client' | 'service';
  /** Explicit member the certificate must belong to; overrides signerRole (e.g. a consumed provider from config). */
  signer?: MemberRef;
}

export interface VerifiedMessage {
  signer: X509Certificate;
  created: Date;
  expires?: Date;
}

/** instance/class/code/subsystem and instance/class/code: where a pinned certificate may be listed. */
function pinKeys(id: XRoadIdentifier): string[] {
  const member = clientKey({ ...id, subsystemCode: undefined });
  return id.subsystemCode ? [clientKey(id), member] : [member];
}

/**
 * Verifies the message's WS-Security signature per CONTRACT §3 (see verifyWsSecurity for every
 * rule) and binds the certificate to the member the headers name. Throws SecurityError, or the
 * envelope's HeaderError when the X-Road headers could not be read (nothing to bind the key to).
 */
export function verifyEnvelope(env: ReceivedEnvelope, opts: VerifyOptions): VerifiedMessage {
  if (!env.headers) throw env.headersError ?? new HeaderError('xrd:client', 'MISSING', 'the X-Road headers are missing');
  const named = opts.signerRole === 'service' ? env.headers.service : env.headers.client;
  const signer = opts.signer ?? { memberClass: named.memberClass, memberCode: named.memberCode };
  const sameMember = signer.memberClass === named.memberClass && signer.memberCode === named.memberCode;
  const keys = sameMember ? pinKeys(named) : [clientKey({ xRoadInstance: named.xRoadInstance, ...signer })];
  const securities = env.header ? childElements(env.header).filter(isSecurity) : [];
  return verifyWsSecurity(
    { root: env.root, body: env.body, headerChildren: env.headerChildren, securities },
    {
      trust: opts.trust,
      now: opts.now,
      maxAgeSeconds: opts.maxAgeSeconds,
      futureSkewSeconds: opts.futureSkewSeconds,
      attachments: opts.attachments,
      signer,
      pinKeys: keys,
    },
  );
}

/**
 * The request's header children (wsse:Security excluded) re-serialised standalone for the
 * response, in order, unknown ones too (message protocol 4.0 §2.2: copy every header, same
 * sequence, same values). Each declares the namespaces in scope where it stood, so prefixes
 * keep their meaning; its own wsu:Id is dropped (the response's signature adds a fresh one).
 * Never adds xrd:requestHash.
 */
export function echoHeaders(env: ReceivedEnvelope): string[] {
  assertEchoIdsUnique(env.headerChildren);
  return env.headerChildren.map((el) => serializeElement(el, { dropRootAttr: (a) => a.ns === NS.wsu && a.local === 'Id' }));
}

/**
 * Id-like values (wsu:Id, Id, xml:id) inside the headers to echo must be unique: repeated, they
 * would make the answer's own signature ambiguous, and every verifier refuses such a document
 * (found by fuzzing: a fault echoing a wrapped copy of a signed part could not be verified).
 * Each header's own wsu:Id is not echoed. Throws; the caller then answers without the headers.
 */
function assertEchoIdsUnique(headers: XmlElement[]): void {
  const seen = new Set<string>();
  const stack: XmlElement[] = [...headers];
  while (stack.length > 0) {
    const el = stack.pop() as XmlElement;
    const ids = new Set<string>();
    for (const a of el.attrs) {
      const idLike = (a.local === 'Id' && (a.ns === '' || a.ns === NS.wsu)) || (a.ns === NS.xml && a.local === 'id');
      if (idLike && !(a.ns === NS.wsu && headers.includes(el))) ids.add(a.value);
    }
    for (const id of ids) {
      if (seen.has(id)) throw new EnvelopeError('INVALID_HEADER', 'HEADER_STRUCTURE', `Id "${id}" appears more than once in the headers to echo`);
      seen.add(id);
    }
    for (const c of el.children) if (c.kind === 'element') stack.push(c);
  }
}
