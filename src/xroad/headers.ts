import type { XRoadIdentifier } from '../operations/types.js';
import { NS } from './namespaces.js';
import type { XmlElement } from './xml/types.js';
import { attrNs, childElements, onlyWhitespaceText } from './xml/dom.js';
import { escapeText } from './xml/writer.js';

/** The X-Road 4.0 header fields this adapter reads (message protocol §2.2, Table 1). */
export interface XRoadHeaders {
  client: XRoadIdentifier;
  service: XRoadIdentifier;
  id: string;
  protocolVersion: string;
  userId?: string;
  issue?: string;
  representedParty?: { partyClass?: string; partyCode: string };
}

/** Why a header was refused: `field` names it as the caller sent it in X-Road terms (e.g. "xrd:client/id:memberCode"). */
export type HeaderFailure = 'MISSING' | 'DUPLICATE' | 'INVALID_OBJECT_TYPE' | 'INVALID_IDENTIFIER' | 'INVALID_STRUCTURE' | 'INVALID_VALUE' | 'UNSUPPORTED_PROTOCOL_VERSION';

export class HeaderError extends Error {
  constructor(
    readonly field: string,
    readonly reason: HeaderFailure,
    message: string,
  ) {
    super(message);
    this.name = 'HeaderError';
  }
}

/**
 * Message protocol 4.0.25 §2.7: identifier values use only A–Z, a–z, 0–9 and ' ( ) + , - . = ?
 * (the REST protocol puts them into URL paths). No whitespace, so nothing needs trimming. Shared
 * by the SOAP headers and X-Road REST.
 */
export const IDENTIFIER = /^[A-Za-z0-9'()+,\-.=?]{1,255}$/;
/** Free-text header values (id, userId, issue): printable, no surrounding whitespace, bounded. */
const FREE_VALUE = /^[^\s](?:[^\t\n\r]*[^\s])?$/;
/** Longest free-text value (xrd:id, xrd:issue and their REST headers). */
export const MAX_FREE_VALUE = 1024;
/** Longest user id: the exchange log and the registries keep it in columns of this size. */
export const MAX_USER_ID = 255;

/** A free-text header value of 1–`max` printable characters without surrounding whitespace. */
export function isFreeValue(v: string, max: number = MAX_FREE_VALUE): boolean {
  return v.length <= max && FREE_VALUE.test(v);
}

const XRD_KNOWN = new Set(['client', 'service', 'id', 'userId', 'issue', 'protocolVersion', 'requestHash']);

const CLIENT_FIELDS = ['xRoadInstance', 'memberClass', 'memberCode', 'subsystemCode'] as const;
const SERVICE_FIELDS = ['xRoadInstance', 'memberClass', 'memberCode', 'subsystemCode', 'serviceCode', 'serviceVersion'] as const;
type IdField = (typeof SERVICE_FIELDS)[number];

/** Text content of a header value element; element children are refused, text is taken whole. */
function text(el: XmlElement, field: string): string {
  let out = '';
  for (const c of el.children) {
    if (c.kind === 'element') throw new HeaderError(field, 'INVALID_STRUCTURE', `${field} must contain text only`);
    out += c.value;
  }
  return out;
}

/**
 * Reads an identifier (client or service) per the identifiers schema (message protocol Annex A):
 * the id:* fields in their sequence order, nothing else, each value within §2.7.
 */
function readIdentifier(el: XmlElement, field: string, kind: 'client' | 'service'): XRoadIdentifier {
  const objectType = attrNs(el, NS.id, 'objectType');
  const allowed = kind === 'client' ? ['MEMBER', 'SUBSYSTEM'] : ['SERVICE'];
  if (objectType === undefined || !allowed.includes(objectType)) {
    throw new HeaderError(`${field}/@id:objectType`, 'INVALID_OBJECT_TYPE', `${field} must have id:objectType ${allowed.join(' or ')}`);
  }
  if (!onlyWhitespaceText(el)) throw new HeaderError(field, 'INVALID_STRUCTURE', `${field} must not contain text`);
  const order: readonly IdField[] = kind === 'client' ? CLIENT_FIELDS : SERVICE_FIELDS;
  const values = new Map<IdField, string>();
  let pos = 0;
  for (const child of childElements(el)) {
    const idx = child.ns === NS.id ? order.indexOf(child.local as IdField, pos) : -1;
    if (idx === -1) throw new HeaderError(`${field}/${child.name}`, 'INVALID_STRUCTURE', `${field} has an unexpected or misplaced element <${child.name}>`);
    const name = order[idx];
    const f = `${field}/id:${name}`;
    const v = text(child, f);
    if (!IDENTIFIER.test(v)) throw new HeaderError(f, 'INVALID_IDENTIFIER', `${f} may contain only letters, digits and '()+,-.=?`);
    values.set(name, v);
    pos = idx + 1;
  }
  const required: IdField[] = ['xRoadInstance', 'memberClass', 'memberCode'];
  if (kind === 'service') required.push('serviceCode');
  if (objectType === 'SUBSYSTEM') required.push('subsystemCode');
  for (const r of required) if (!values.has(r)) throw new HeaderError(`${field}/id:${r}`, 'MISSING', `${field} lacks id:${r}`);
  if (objectType === 'MEMBER' && values.has('subsystemCode')) {
    throw new HeaderError(`${field}/id:subsystemCode`, 'INVALID_STRUCTURE', `${field} of type MEMBER cannot name a subsystem`);
  }
  const id: XRoadIdentifier = {
    objectType: objectType as XRoadIdentifier['objectType'],
    xRoadInstance: values.get('xRoadInstance') as string,
    memberClass: values.get('memberClass') as string,
    memberCode: values.get('memberCode') as string,
  };
  for (const opt of ['subsystemCode', 'serviceCode', 'serviceVersion'] as const) {
    const v = values.get(opt);
    if (v !== undefined) id[opt] = v;
  }
  return id;
}

function freeValue(el: XmlElement, field: string, max: number = MAX_FREE_VALUE): string {
  const v = text(el, field);
  if (!isFreeValue(v, max)) throw new HeaderError(field, 'INVALID_VALUE', `${field} must be 1–${max} printable characters without surrounding whitespace`);
  return v;
}

function readRepresentedParty(el: XmlElement): { partyClass?: string; partyCode: string } {
  const field = 'repr:representedParty';
  if (!onlyWhitespaceText(el)) throw new HeaderError(field, 'INVALID_STRUCTURE', `${field} must not contain text`);
  const kids = childElements(el);
  let partyClass: string | undefined;
  let partyCode: string | undefined;
  for (const [i, k] of kids.entries()) {
    if (k.ns === NS.repr && k.local === 'partyClass' && i === 0 && kids.length === 2) partyClass = text(k, `${field}/repr:partyClass`);
    else if (k.ns === NS.repr && k.local === 'partyCode' && i === kids.length - 1) partyCode = text(k, `${field}/repr:partyCode`);
    else throw new HeaderError(`${field}/${k.name}`, 'INVALID_STRUCTURE', `${field} has an unexpected or misplaced element <${k.name}>`);
  }
  if (partyCode === undefined) throw new HeaderError(`${field}/repr:partyCode`, 'MISSING', `${field} lacks repr:partyCode`);
  if (!IDENTIFIER.test(partyCode)) throw new HeaderError(`${field}/repr:partyCode`, 'INVALID_IDENTIFIER', 'repr:partyCode has characters outside the X-Road identifier set');
  if (partyClass !== undefined && !IDENTIFIER.test(partyClass)) throw new HeaderError(`${field}/repr:partyClass`, 'INVALID_IDENTIFIER', 'repr:partyClass has characters outside the X-Road identifier set');
  return partyClass === undefined ? { partyCode } : { partyClass, partyCode };
}

/**
 * Validates the X-Road headers among the SOAP Header's children (wsse:Security already left out)
 * per message protocol 4.0: client, service, id and protocolVersion = "4.0" required; client of
 * type MEMBER or SUBSYSTEM, service of type SERVICE; identifier characters per §2.7; a known
 * header twice is refused. Unknown headers are left alone (they are echoed, not interpreted).
 */
export function readXRoadHeaders(headerChildren: XmlElement[]): XRoadHeaders {
  const seen = new Map<string, XmlElement>();
  for (const el of headerChildren) {
    const known = (el.ns === NS.xrd && XRD_KNOWN.has(el.local)) || (el.ns === NS.repr && el.local === 'representedParty');
    if (!known) continue;
    const key = `${el.ns === NS.xrd ? 'xrd' : 'repr'}:${el.local}`;
    if (seen.has(key)) throw new HeaderError(key, 'DUPLICATE', `header ${key} appears more than once`);
    seen.set(key, el);
  }
  const need = (key: string): XmlElement => {
    const el = seen.get(key);
    if (!el) throw new HeaderError(key, 'MISSING', `header ${key} is required`);
    return el;
  };
  const client = readIdentifier(need('xrd:client'), 'xrd:client', 'client');
  const service = readIdentifier(need('xrd:service'), 'xrd:service', 'service');
  const id = freeValue(need('xrd:id'), 'xrd:id');
  const protocolVersion = text(need('xrd:protocolVersion'), 'xrd:protocolVersion');
  if (protocolVersion !== '4.0') throw new HeaderError('xrd:protocolVersion', 'UNSUPPORTED_PROTOCOL_VERSION', 'xrd:protocolVersion must be 4.0');
  const headers: XRoadHeaders = { client, service, id, protocolVersion };
  const userId = seen.get('xrd:userId');
  if (userId) headers.userId = freeValue(userId, 'xrd:userId', MAX_USER_ID);
  const issue = seen.get('xrd:issue');
  if (issue) headers.issue = freeValue(issue, 'xrd:issue');
  const party = seen.get('repr:representedParty');
  if (party) headers.representedParty = readRepresentedParty(party);
  return headers;
}

function identifierXml(name: 'client' | 'service', id: XRoadIdentifier): string {
  const fields: readonly IdField[] = name === 'client' ? CLIENT_FIELDS : SERVICE_FIELDS;
  let inner = '';
  for (const f of fields) {
    const v = id[f];
    if (v === undefined || v === '') continue;
    if (!IDENTIFIER.test(v)) throw new HeaderError(`xrd:${name}/id:${f}`, 'INVALID_IDENTIFIER', `id:${f} has characters outside the X-Road identifier set`);
    inner += `<id:${f}>${v}</id:${f}>`;
  }
  return `<xrd:${name} xmlns:xrd="${NS.xrd}" xmlns:id="${NS.id}" id:objectType="${id.objectType}">${inner}</xrd:${name}>`;
}

function simple(name: string, value: string): string {
  return `<xrd:${name} xmlns:xrd="${NS.xrd}">${escapeText(value)}</xrd:${name}>`;
}

/**
 * The X-Road headers of an outgoing request as standalone elements, each declaring its own
 * namespaces, in the order the protocol's examples use. Values are checked the way
 * readXRoadHeaders checks them, so the other side can read what is sent.
 */
export function buildXRoadHeaders(h: XRoadHeaders): string[] {
  const out = [identifierXml('client', h.client), identifierXml('service', h.service), simple('id', h.id)];
  if (h.userId !== undefined) out.push(simple('userId', h.userId));
  if (h.issue !== undefined) out.push(simple('issue', h.issue));
  out.push(simple('protocolVersion', h.protocolVersion));
  if (h.representedParty) {
    const p = h.representedParty;
    const cls = p.partyClass !== undefined ? `<repr:partyClass>${escapeText(p.partyClass)}</repr:partyClass>` : '';
    out.push(`<repr:representedParty xmlns:repr="${NS.repr}">${cls}<repr:partyCode>${escapeText(p.partyCode)}</repr:partyCode></repr:representedParty>`);
  }
  return out;
}
