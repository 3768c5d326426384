import crypto from 'node:crypto';
import type { XRoadIdentifier } from '../operations/types.js';
import type { SigningIdentity } from '../pki/key-store.js';
import { buildSignedEnvelope } from './envelope.js';
import { buildXRoadHeaders } from './headers.js';
import { NS } from './namespaces.js';
import { attrNs, childElements, firstChild, textOf } from './xml/dom.js';
import type { XmlElement } from './xml/types.js';

/**
 * The calling side of an X-Road exchange with a provided service: what a client's security
 * server sends (identifiers, signed request, SwA packaging) and how it reads our faults.
 * Used by the demos and by the transport tests.
 */

/** `instance/class/code[/subsystem]` → identifier (SUBSYSTEM by default). */
export function xroadId(key: string, objectType: XRoadIdentifier['objectType'] = 'SUBSYSTEM'): XRoadIdentifier {
  const [xRoadInstance, memberClass, memberCode, subsystemCode] = key.split('/');
  return { objectType, xRoadInstance, memberClass, memberCode, ...(subsystemCode ? { subsystemCode } : {}) };
}

/** The service identifier of `serviceCode` at a provider subsystem; `serviceVersion` null: no version. */
export function xroadServiceId(provider: string, serviceCode: string, serviceVersion: string | null = 'v1'): XRoadIdentifier {
  return { ...xroadId(provider, 'SERVICE'), serviceCode, ...(serviceVersion ? { serviceVersion } : {}) };
}

export interface SignedRequestSpec {
  client: XRoadIdentifier;
  service: XRoadIdentifier;
  /** xrd:id; a fresh UUID when absent. */
  id?: string;
  userId?: string;
  issue?: string;
  representedParty?: { partyClass?: string; partyCode: string };
  /** Header elements added after the X-Road ones. */
  extraHeaders?: string[];
  bodyXml: string;
  signer: SigningIdentity;
  now?: Date;
  ttlSeconds?: number;
  /** SwA attachments covered by the signature (send them with swaMultipart). */
  attachments?: Array<{ contentId: string; contentType: string; bytes: Buffer }>;
}

/** A signed X-Road 4.0 request envelope, as a client's security server would send it. */
export function buildSignedRequest(spec: SignedRequestSpec): string {
  const headers = buildXRoadHeaders({
    client: spec.client,
    service: spec.service,
    id: spec.id ?? crypto.randomUUID(),
    protocolVersion: '4.0',
    ...(spec.userId !== undefined ? { userId: spec.userId } : {}),
    ...(spec.issue !== undefined ? { issue: spec.issue } : {}),
    ...(spec.representedParty ? { representedParty: spec.representedParty } : {}),
  });
  return buildSignedEnvelope({
    headers: [...headers, ...(spec.extraHeaders ?? [])],
    bodyXml: spec.bodyXml,
    identity: spec.signer,
    now: spec.now ?? new Date(),
    ttlSeconds: spec.ttlSeconds ?? 300,
    attachments: spec.attachments,
  });
}

/** The envelope and its attachments as one SwA `multipart/related` message (envelope first, Content-ID <root>). */
export function swaMultipart(envelope: string, attachments: Array<{ contentId: string; contentType: string; bytes: Buffer }>): { body: Buffer; contentType: string } {
  const boundary = `swa_${crypto.randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  const part = (headers: string[], body: Buffer | string) => chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`), Buffer.from(body), Buffer.from('\r\n'));
  part(['Content-Type: text/xml; charset=UTF-8', 'Content-ID: <root>'], envelope);
  for (const a of attachments) part([`Content-Type: ${a.contentType}`, 'Content-Transfer-Encoding: binary', `Content-ID: <${a.contentId}>`], a.bytes);
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/related; type="text/xml"; boundary="${boundary}"; start="<root>"` };
}

/** A SOAP fault as this adapter writes it (CONTRACT §4): fault code, stable code, ky/ru/en messages, fields. */
export interface FaultInfo {
  faultCode: string;
  faultString: string;
  /** The stable error code of the detail (e.g. NOT_FOUND), when the detail is there. */
  detailCode?: string;
  /** Messages by xml:lang. */
  messages: Record<string, string>;
  fields: Array<{ name: string; reason: string }>;
}

/** Reads a Body wrapper as a SOAP 1.1 fault; undefined when it is not one. */
export function readFault(wrapper: XmlElement): FaultInfo | undefined {
  if (wrapper.ns !== NS.soapenv || wrapper.local !== 'Fault') return undefined;
  const text = (el: XmlElement | undefined): string => (el ? textOf(el) : '');
  const out: FaultInfo = { faultCode: text(firstChild(wrapper, '', 'faultcode')), faultString: text(firstChild(wrapper, '', 'faultstring')), messages: {}, fields: [] };
  const detail = firstChild(wrapper, '', 'detail');
  const err = detail ? childElements(detail)[0] : undefined;
  for (const c of err ? childElements(err) : []) {
    if (c.local === 'code') out.detailCode = textOf(c);
    if (c.local === 'message') out.messages[attrNs(c, NS.xml, 'lang') ?? ''] = textOf(c);
    if (c.local === 'fields') for (const f of childElements(c)) out.fields.push({ name: textOf(childElements(f)[0]), reason: textOf(childElements(f)[1]) });
  }
  return out;
}
