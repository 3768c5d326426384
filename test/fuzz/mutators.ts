import crypto from 'node:crypto';
import type { XRoadIdentifier } from '../../src/operations/types.js';
import type { XmlLimits } from '../../src/xroad/xml/types.js';
import { signedRequest, type RequestSpec } from '../integration/transport/harness.js';
import type { Corpus, Seed, SeedAttachment } from './corpus.js';
import type { Rng } from './prng.js';
import type { WireRequest } from './target.js';
import { attrsOf, childrenOf, localOf, prefixOf, scanElements, splice, textLeaves, type Span } from './xml-spans.js';

/**
 * Structure-aware mutations of valid signed X-Road requests. An iteration starts from a seed and
 * either signs a mutated request again (header, signer, clock, body schema edge cases: these reach
 * the handlers) or mutates the signed envelope's text (structure, namespaces, attributes, wsu:Id
 * and signature wrapping, DTDs, comments, encodings, sizes, signature values, certificates,
 * timestamps), then its packaging (multipart, Content-Type, SOAPAction).
 *
 * A mutation flagged `mustFail` certainly changes signed content without signing again: a
 * successful answer to it means unsigned content was acted on, which the runner reports.
 */

export interface Work {
  rng: Rng;
  corpus: Corpus;
  limits: XmlLimits;
  seed: Seed;
  xml: string;
  /** Envelope bytes once an encoding mutation ran (later text mutations are skipped). */
  bytes?: Buffer;
  attachments: SeedAttachment[];
  packaging: Seed['packaging'];
  applied: string[];
  mustFail: boolean;
  /** Base64 certificate of the identity that signed the request again, when it was. */
  signedWith?: string;
}

export interface FuzzInput {
  wire: WireRequest;
  seed: string;
  mutations: string[];
  mustFail: boolean;
}

type XmlMutator = (w: Work) => void;

const NS = {
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xrd: 'http://x-road.eu/xsd/xroad.xsd',
  id: 'http://x-road.eu/xsd/identifiers',
  repr: 'http://x-road.eu/xsd/representation.xsd',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xml: 'http://www.w3.org/XML/1998/namespace',
};
const URIS = [...Object.values(NS), '', 'urn:kg:dpa:holders-registry:v1', 'urn:kg:egov:infra-registry:v1', 'urn:kg:tunduk:adapter-test:v1', 'urn:evil', 'http://schemas.xmlsoap.org/soap/envelope', 'HTTP://SCHEMAS.XMLSOAP.ORG/SOAP/ENVELOPE/'];
const NAMES = ['Envelope', 'Header', 'Body', 'Fault', 'Security', 'Signature', 'SignedInfo', 'Reference', 'Timestamp', 'Created', 'Expires', 'BinarySecurityToken', 'client', 'service', 'id', 'userId', 'protocolVersion', 'memberCode', 'subsystemCode', 'serviceCode', 'inn', 'elementId', 'Include', 'x'];
const PREFIXES = ['soapenv', 'wsse', 'wsu', 'ds', 'xrd', 'id', 'h', 'i', 't', 'xml', 'xmlns', 'undeclared', ''];

export const NUMERIC_EDGES = [
  '0', '-0', '-1', '1e309', '-1e309', 'NaN', 'Infinity', '2147483647', '2147483648', '-2147483649', '9007199254740993', '18446744073709551616', '0x1F', '1_000', ' 42 ', '４２', '٤٢',
  '1.5', '1e2', '.5', '00000000000000', '99999999999999', '01001202210023 ', '0100120221002', '010012022100233', '', 'true', 'false', 'null', '2026-02-30', '2026-02-29', '9999-12-31', '0000-00-00',
  '2026-11-23T04:00:00Z', '2026-11-23T04:00:00+25:00', '-2026-01-01', '1'.repeat(400), '-'.repeat(20),
];
export const STRING_EDGES = [
  '', ' ', '\t\n', 'я'.repeat(10_000), 'x'.repeat(257), '\u202eevil', 'a\u200bb', '😀'.repeat(50), '&lt;script&gt;alert(1)&lt;/script&gt;', "' OR 1=1 --", '%s%n%x', '&#0;', '&#xD800;', '&#x10FFFF;', '&#1114112;', '&#x1F600;',
  '&amp;amp;', '&', '<', ']]>', '<![CDATA[<x/>]]>', '\u0000', '\u000b', '\u0001', '\uFFFE', '\r\n', 'cid:', 'cid:../../etc/passwd', 'cid:doc1%40fuzz', 'cid:nothere', 'http://127.0.0.1:1/x', '${jndi:ldap://x}', '{{7*7}}', 'REGISTERED', 'APPROVED',
];

// ---------------------------------------------------------------------------------------------
// helpers

function spansOf(w: Work): Span[] {
  return scanElements(w.xml);
}

function pickSpan(w: Work, spans: Span[], filter: (s: Span, k: number) => boolean = () => true): number {
  const candidates: number[] = [];
  spans.forEach((s, k) => {
    if (filter(s, k)) candidates.push(k);
  });
  return candidates.length ? w.rng.pick(candidates) : -1;
}

const findSpan = (spans: Span[], local: string): number => spans.findIndex((s) => localOf(s.name) === local);
const nonRoot = (s: Span): boolean => s.depth > 0;

function randomName(w: Work): string {
  const r = w.rng;
  const kind = r.int(6);
  if (kind === 0) return r.string(r.range(1, 12));
  if (kind === 1) return `${r.pick(PREFIXES.filter(Boolean))}:${r.pick(NAMES)}`;
  if (kind === 2) return 'n'.repeat(w.limits.maxNameLength + r.range(-1, 1));
  if (kind === 3) return `${'p'.repeat(r.range(1, w.limits.maxNameLength + 2))}:${r.pick(NAMES)}`;
  if (kind === 4) return r.pick(['1bad', '-x', 'a:b:c', ':x', 'x:', 'я', 'xml-stylesheet', 'XMLNS', 'Body\u0301']);
  return r.pick(NAMES);
}

/** Renames a span (start and end tag) to `name`. */
function rename(xml: string, s: Span, name: string): string {
  const startName = s.start + 1;
  if (s.selfClosing || s.closeStart >= xml.length) return splice(xml, startName, startName + s.name.length, name);
  const out = splice(xml, s.closeStart + 2, s.closeStart + 2 + s.name.length, name);
  return splice(out, startName, startName + s.name.length, name);
}

function insertAttr(xml: string, s: Span, attr: string): string {
  const at = s.start + 1 + s.name.length;
  return splice(xml, at, at, ` ${attr}`);
}

/** Replaces a text leaf's content. */
function setText(w: Work, filter: (s: Span) => boolean, value: (old: string) => string): boolean {
  const spans = spansOf(w);
  const leaves = textLeaves(w.xml, spans).filter(([k]) => filter(spans[k]));
  if (!leaves.length) return false;
  const [, from, to] = w.rng.pick(leaves);
  const old = w.xml.slice(from, to);
  const next = value(old);
  w.xml = splice(w.xml, from, to, next);
  return next !== old;
}

const xmlEscape = (s: string): string => s.replace(/&(?!(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);)/g, '&amp;');

const SIGNED_VALUE = (s: Span): boolean => ['DigestValue', 'SignatureValue', 'BinarySecurityToken'].includes(localOf(s.name));

// ---------------------------------------------------------------------------------------------
// structural mutations of the envelope text (not signed again)

const dropElement: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans, nonRoot);
  if (k >= 0) w.xml = splice(w.xml, spans[k].start, spans[k].end);
};

const duplicateElement: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans, nonRoot);
  if (k < 0) return;
  const s = spans[k];
  const copy = w.xml.slice(s.start, s.end);
  w.xml = splice(w.xml, s.end, s.end, w.rng.chance(0.5) ? copy : copy.repeat(w.rng.range(2, 20)));
};

const swapSiblings: XmlMutator = (w) => {
  const spans = spansOf(w);
  const parents = spans.map((_, k) => k).filter((k) => childrenOf(spans, k).length >= 2);
  if (!parents.length) return;
  const kids = childrenOf(spans, w.rng.pick(parents));
  const i = w.rng.int(kids.length - 1);
  const [a, b] = [spans[kids[i]], spans[kids[w.rng.range(i + 1, kids.length - 1)]]];
  const ta = w.xml.slice(a.start, a.end);
  const tb = w.xml.slice(b.start, b.end);
  w.xml = w.xml.slice(0, a.start) + tb + w.xml.slice(a.end, b.start) + ta + w.xml.slice(b.end);
};

const moveElement: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans, nonRoot);
  if (k < 0) return;
  const s = spans[k];
  const text = w.xml.slice(s.start, s.end);
  const without = splice(w.xml, s.start, s.end);
  const rest = scanElements(without).filter((x) => !x.selfClosing);
  if (!rest.length) return;
  const target = w.rng.pick(rest);
  const at = w.rng.chance(0.5) ? target.openEnd : target.closeStart;
  w.xml = splice(without, at, at, text);
};

const renameElement: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans);
  if (k < 0) return;
  const s = spans[k];
  const r = w.rng.int(3);
  const name = r === 0 ? randomName(w) : r === 1 ? (prefixOf(s.name) ? `${prefixOf(s.name)}:` : '') + w.rng.pick(NAMES) : s.name.toUpperCase();
  w.xml = rename(w.xml, s, name);
};

const prefixSwap: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans);
  if (k < 0) return;
  const s = spans[k];
  const p = w.rng.pick(PREFIXES);
  w.xml = rename(w.xml, s, p ? `${p}:${localOf(s.name)}` : localOf(s.name));
};

const namespaceSwap: XmlMutator = (w) => {
  const spans = spansOf(w);
  const decls: Array<{ from: number; to: number; name: string }> = [];
  for (const s of spans) for (const a of attrsOf(w.xml, s)) if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) decls.push({ from: a.valueStart, to: a.valueEnd, name: a.name });
  if (!decls.length) return;
  const d = w.rng.pick(decls);
  const r = w.rng.int(4);
  if (r === 0) {
    // Declare the prefix again with another URI on a random element.
    const k = pickSpan(w, spans);
    if (k >= 0) w.xml = insertAttr(w.xml, spans[k], `${d.name}="${w.rng.pick(URIS)}"`);
    return;
  }
  w.xml = splice(w.xml, d.from, d.to, r === 1 ? '' : w.rng.pick(URIS));
};

const attrAdd: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans);
  if (k < 0) return;
  const r = w.rng;
  const attr = r.pick([
    () => `${r.string(r.range(1, 10))}="${r.string(r.range(0, 20))}"`,
    () => `wsu:Id="${r.pick(['id-1', 'TS-x', '', 'dup', 'a b'])}"`,
    () => `xmlns:wsu="${NS.wsu}" wsu:Id="evil-${r.int(3)}"`,
    () => `Id="x${r.int(3)}"`,
    () => `ID="x"`,
    () => `xml:id="x"`,
    () => `xsi:nil="true" xmlns:xsi="${NS.xsi}"`,
    () => `xsi:type="xs:int" xmlns:xsi="${NS.xsi}"`,
    () => `soapenv:mustUnderstand="${r.pick(['1', '0', 'true', 'x'])}"`,
    () => `soapenv:actor="http://schemas.xmlsoap.org/soap/actor/next"`,
    () => `id:objectType="${r.pick(['SUBSYSTEM', 'MEMBER', 'SERVICE', 'CENTRALSERVICE', 'x', ''])}"`,
    () => `xmlns="${r.pick(URIS)}"`,
    () => `xmlns:${r.pick(PREFIXES.filter(Boolean))}="${r.pick(URIS)}"`,
    () => `undeclared:a="1"`,
    () => `a="${'v'.repeat(w.limits.maxAttributeLength + r.range(-1, 1))}"`,
    () => `a="&lt;&#x0;"`,
    () => `a="x" a="y"`,
    () => `a=x`,
    () => `a="unterminated`,
  ])();
  w.xml = insertAttr(w.xml, spans[k], attr);
};

const attrRemove: XmlMutator = (w) => {
  const spans = spansOf(w);
  const attrs = spans.flatMap((s) => attrsOf(w.xml, s));
  if (!attrs.length) return;
  const a = w.rng.pick(attrs);
  w.xml = splice(w.xml, a.start, a.end);
};

const attrDuplicate: XmlMutator = (w) => {
  const spans = spansOf(w);
  const withAttrs = spans.filter((s) => attrsOf(w.xml, s).length);
  if (!withAttrs.length) return;
  const s = w.rng.pick(withAttrs);
  const a = w.rng.pick(attrsOf(w.xml, s));
  const r = w.rng.int(3);
  // Exact repeat; the same expanded name under another prefix; the same value under another name.
  const text = r === 0 ? w.xml.slice(a.start, a.end) : r === 1 && a.name.includes(':') ? ` xmlns:alias="${NS.wsu}" alias:${localOf(a.name)}="${a.value}"` : ` ${localOf(a.name)}="${a.value}"`;
  w.xml = splice(w.xml, a.end, a.end, text);
};

const manyAttributes: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans);
  if (k < 0) return;
  const n = w.rng.pick([w.limits.maxAttributes - 1, w.limits.maxAttributes, w.limits.maxAttributes + 1, 1000]);
  const decl = w.rng.chance(0.3);
  let attrs = '';
  for (let i = 0; i < n; i++) attrs += decl ? ` xmlns:p${i}="urn:p${i}"` : ` a${i}="${i}"`;
  w.xml = insertAttr(w.xml, spans[k], attrs.slice(1));
};

// ---------------------------------------------------------------------------------------------
// wsu:Id games and signature wrapping

function idAttr(w: Work, spans: Span[], k: number): { value: string; start: number; end: number } | undefined {
  const a = attrsOf(w.xml, spans[k]).find((x) => localOf(x.name) === 'Id');
  return a ? { value: a.value, start: a.start, end: a.end } : undefined;
}

const duplicateWsuId: XmlMutator = (w) => {
  const spans = spansOf(w);
  const ids = spans.map((_, k) => idAttr(w, spans, k)).filter((x): x is NonNullable<typeof x> => !!x);
  if (!ids.length) return;
  const id = w.rng.pick(ids);
  const k = pickSpan(w, spans, (s) => !attrsOf(w.xml, s).some((a) => localOf(a.name) === 'Id'));
  if (k < 0) return;
  w.xml = insertAttr(w.xml, spans[k], `xmlns:wsu="${NS.wsu}" wsu:Id="${id.value}"`);
};

const moveWsuId: XmlMutator = (w) => {
  const spans = spansOf(w);
  const owners = spans.map((_, k) => k).filter((k) => idAttr(w, spans, k));
  if (!owners.length) return;
  const from = w.rng.pick(owners);
  const id = idAttr(w, spans, from);
  const to = pickSpan(w, spans, (_, k) => k !== from && !idAttr(w, spans, k));
  if (!id || to < 0) return;
  const moved = splice(w.xml, id.start, id.end);
  const shift = spans[to].start > id.start ? id.end - id.start : 0;
  const target = { ...spans[to], start: spans[to].start - shift };
  w.xml = insertAttr(moved, target, `xmlns:wsu="${NS.wsu}" wsu:Id="${id.value}"`);
  // Moving an Id no Reference names (e.g. one an earlier mutation added) changes nothing signed:
  // only a referenced Id taken from its signed part must make the request fail.
  w.mustFail = w.xml.includes(`URI="#${id.value}"`);
};

/** A new text for the body wrapper's first text leaf that certainly differs from the signed one. */
function evilBody(w: Work, bodyXml: string): string {
  const spans = scanElements(bodyXml);
  const leaves = textLeaves(bodyXml, spans);
  if (!leaves.length) return bodyXml.replace(/>/, '><evil/>');
  const [, from, to] = w.rng.pick(leaves);
  return splice(bodyXml, from, to, `EVIL${bodyXml.slice(from, to)}`);
}

const signatureWrapping: XmlMutator = (w) => {
  const spans = spansOf(w);
  const b = findSpan(spans, 'Body');
  const sec = findSpan(spans, 'Security');
  const hdr = findSpan(spans, 'Header');
  if (b < 0 || hdr < 0) return;
  const body = spans[b];
  const original = w.xml.slice(body.start, body.end);
  const content = w.xml.slice(body.openEnd, body.closeStart);
  const openTag = w.xml.slice(body.start, body.openEnd);
  const variant = w.rng.int(6);
  const wrapped = variant % 2 === 0 ? `<w:Wrapper xmlns:w="urn:evil" xmlns:soapenv="${NS.soapenv}">${original}</w:Wrapper>` : original;
  // Where the signed original goes: a header of its own, inside wsse:Security, or a ds:Object of the signature.
  const sig = findSpan(spans, 'Signature');
  let host: number;
  if (variant < 2) host = hdr;
  else if (variant < 4) host = sec >= 0 ? sec : hdr;
  else host = sig >= 0 ? sig : hdr;
  const at = spans[host].closeStart;
  const evilContent = evilBody(w, content);
  // The evil Body keeps the Id (classic XSW), or loses it (the verifier must still find no signed Body).
  const evilOpen = w.rng.chance(0.5) ? openTag : openTag.replace(/\s+wsu:Id="[^"]*"/, '');
  const hosted = host === sig ? `<ds:Object xmlns:ds="${NS.ds}">${wrapped}</ds:Object>` : wrapped;
  let xml = splice(w.xml, body.start, body.end, `${evilOpen}${evilContent}</${body.name}>`);
  xml = splice(xml, at, at, hosted);
  w.xml = xml;
  w.mustFail = true;
};

const headerWrapping: XmlMutator = (w) => {
  const spans = spansOf(w);
  const hdr = findSpan(spans, 'Header');
  if (hdr < 0) return;
  const heads = childrenOf(spans, hdr).filter((k) => localOf(spans[k].name) !== 'Security');
  if (!heads.length) return;
  const s = spans[w.rng.pick(heads)];
  const original = w.xml.slice(s.start, s.end);
  const leaves = textLeaves(original, scanElements(original));
  if (!leaves.length) return;
  const [, from, to] = w.rng.pick(leaves);
  const forged = splice(original, from, to, `${original.slice(from, to)}9`);
  const sec = findSpan(spans, 'Security');
  // The signed original hides in a wrapper in wsse:Security (or after the forged one); the forged header takes its place.
  const hide = `<w:Wrapper xmlns:w="urn:evil">${original}</w:Wrapper>`;
  let xml = splice(w.xml, s.start, s.end, forged);
  const refreshed = scanElements(xml);
  const sec2 = sec >= 0 ? findSpan(refreshed, 'Security') : -1;
  const at = sec2 >= 0 ? refreshed[sec2].closeStart : s.start + forged.length;
  xml = splice(xml, at, at, hide);
  w.xml = xml;
  w.mustFail = true;
};

const referenceUri: XmlMutator = (w) => {
  const spans = spansOf(w);
  const refs = spans.filter((s) => localOf(s.name) === 'Reference');
  if (!refs.length) return;
  const s = w.rng.pick(refs);
  const a = attrsOf(w.xml, s).find((x) => x.name === 'URI');
  if (!a) return;
  const value = w.rng.pick(['', '#', '#nope', `#${a.value.slice(1)}x`, "#xpointer(/)", `#xpointer(id('${a.value.slice(1)}'))`, 'http://127.0.0.1:1/x', 'file:///etc/passwd', 'cid:', 'cid:doc1@fuzz', a.value + a.value]);
  w.xml = splice(w.xml, a.valueStart, a.valueEnd, value);
};

const securityGames: XmlMutator = (w) => {
  const spans = spansOf(w);
  const sec = findSpan(spans, 'Security');
  if (sec < 0) return;
  const s = spans[sec];
  const text = w.xml.slice(s.start, s.end);
  const r = w.rng.int(4);
  if (r === 0) w.xml = splice(w.xml, s.end, s.end, text); // two Security headers
  else if (r === 1) w.xml = splice(w.xml, s.start, s.end); // no Security
  else if (r === 2) {
    // Two signatures in one Security.
    const sig = findSpan(spans, 'Signature');
    if (sig >= 0) w.xml = splice(w.xml, spans[sig].end, spans[sig].end, w.xml.slice(spans[sig].start, spans[sig].end));
  } else {
    // Algorithms off the allow-list.
    const algs = spans.flatMap((x) => attrsOf(w.xml, x).filter((a) => a.name === 'Algorithm'));
    if (!algs.length) return;
    const a = w.rng.pick(algs);
    w.xml = splice(
      w.xml,
      a.valueStart,
      a.valueEnd,
      w.rng.pick([
        'http://www.w3.org/2000/09/xmldsig#sha1',
        'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
        'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
        'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
        'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
        'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
        'http://www.w3.org/TR/1999/REC-xslt-19991116',
        'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
        'http://www.w3.org/2001/04/xmlenc#sha512',
        '',
      ]),
    );
  }
};

// ---------------------------------------------------------------------------------------------
// DTDs, entities, comments, processing instructions

const doctype: XmlMutator = (w) => {
  const r = w.rng;
  const dtd = r.pick([
    '<!DOCTYPE soapenv:Envelope>',
    '<!DOCTYPE x [<!ENTITY e "entity">]>',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "http://fuzz.invalid/xxe">]>',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/xxe">]>',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE x SYSTEM "http://fuzz.invalid/dtd">',
    '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://fuzz.invalid/p"> %p;]>',
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY e "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    '<!DOCTYPE x [<!ATTLIST soapenv:Body wsu:Id ID #IMPLIED>]>',
    '<!DOCTYPE x [',
  ]);
  const where = r.int(3);
  if (where === 0) w.xml = dtd + w.xml;
  else {
    const spans = spansOf(w);
    const k = pickSpan(w, spans);
    const at = k >= 0 ? (where === 1 ? spans[k].openEnd : spans[k].start) : 0;
    w.xml = splice(w.xml, at, at, dtd);
  }
  if (r.chance(0.6)) setText(w, () => true, (old) => `${old}&e;`);
};

const entityReference: XmlMutator = (w) => {
  const ref = w.rng.pick(['&e;', '&nbsp;', '&#0;', '&#x0;', '&#xD800;', '&#xFFFE;', '&#1114112;', '&#x110000;', '&#;', '&#x;', '&#99999999999999999999;', '&amp', '&', '&lt;&gt;&amp;&quot;&apos;', '&#x41;', '&#65;']);
  if (w.rng.chance(0.7)) setText(w, () => true, (old) => old + ref);
  else {
    const spans = spansOf(w);
    const attrs = spans.flatMap((s) => attrsOf(w.xml, s));
    if (attrs.length) {
      const a = w.rng.pick(attrs);
      w.xml = splice(w.xml, a.valueEnd, a.valueEnd, ref);
    }
  }
};

const commentOrPi: XmlMutator = (w) => {
  const r = w.rng;
  const node = r.pick(['<!---->', '<!-- c -->', '<!-- -- -->', '<!--->', '<!-- unterminated', '<?pi data?>', '<?xml version="1.0"?>', '<?xml-stylesheet href="http://fuzz.invalid/x.xsl"?>', '<?pi', '<![CDATA[x]]>', '<![CDATA[unterminated']);
  const spans = spansOf(w);
  const r2 = r.int(4);
  if (r2 === 0) {
    // Inside a text value (a DigestValue, a memberCode…): splits it in two.
    const leaves = textLeaves(w.xml, spans);
    if (!leaves.length) return;
    const [, from, to] = r.pick(leaves);
    const at = from + r.int(to - from + 1);
    w.xml = splice(w.xml, at, at, node);
  } else if (r2 === 1) w.xml = r.chance(0.5) ? node + w.xml : w.xml + node;
  else {
    const k = pickSpan(w, spans);
    if (k < 0) return;
    const at = r2 === 2 ? spans[k].openEnd : spans[k].closeStart;
    w.xml = splice(w.xml, at, at, node);
  }
};

const whitespace: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans);
  if (k < 0) return;
  const ws = w.rng.pick([' ', '\n', '\r\n', '\t', '\u00a0', '\u2028', '   \n  ']);
  const s = spans[k];
  const r = w.rng.int(3);
  const at = r === 0 ? s.openEnd : r === 1 ? s.closeStart : s.end;
  w.xml = splice(w.xml, at, at, ws);
};

// ---------------------------------------------------------------------------------------------
// sizes and limits

const deepNest: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans, (s) => !s.selfClosing);
  if (k < 0) return;
  const s = spans[k];
  const free = w.limits.maxDepth - s.depth - 1;
  const n = Math.max(1, w.rng.pick([free - 1, free, free + 1, free + 2, 200, 5000, 20_000]));
  const open = w.rng.chance(0.5) ? '<d>' : '<d:d xmlns:d="urn:d">';
  const close = open === '<d>' ? '</d>' : '</d:d>';
  const inner = w.xml.slice(s.openEnd, s.closeStart);
  const unbalanced = w.rng.chance(0.1);
  w.xml = splice(w.xml, s.openEnd, s.closeStart, open.repeat(n) + inner + (unbalanced ? '' : close.repeat(n)));
};

const wideSiblings: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = pickSpan(w, spans, (s) => !s.selfClosing);
  if (k < 0) return;
  const n = w.rng.pick([w.limits.maxElements - spans.length - 1, w.limits.maxElements - spans.length + 1, 1000, 10]);
  w.xml = splice(w.xml, spans[k].openEnd, spans[k].openEnd, '<e/>'.repeat(Math.max(0, n)));
};

const hugeText: XmlMutator = (w) => {
  const room = w.limits.maxBytes - Buffer.byteLength(w.xml);
  const n = Math.max(0, w.rng.pick([room - 10, room, room + 1, 100_000, w.limits.maxBytes * 2]));
  setText(w, () => true, (old) => old + w.rng.pick(['x', 'я', '&amp;']).repeat(Math.ceil(n / 2)));
};

const longValue: XmlMutator = (w) => {
  const spans = spansOf(w);
  const attrs = spans.flatMap((s) => attrsOf(w.xml, s));
  if (!attrs.length) return;
  const a = w.rng.pick(attrs);
  const n = w.rng.pick([w.limits.maxAttributeLength - 1, w.limits.maxAttributeLength, w.limits.maxAttributeLength + 1, 100_000]);
  w.xml = splice(w.xml, a.valueStart, a.valueEnd, w.rng.pick(['a', 'я', '&amp;']).repeat(n));
};

const textEdge: XmlMutator = (w) => {
  const numeric = w.rng.chance(0.5);
  setText(w, (s) => !SIGNED_VALUE(s), () => xmlEscape(w.rng.pick(numeric ? NUMERIC_EDGES : STRING_EDGES)));
};

const truncate: XmlMutator = (w) => {
  const spans = spansOf(w);
  const r = w.rng.int(3);
  const at = r === 0 || !spans.length ? w.rng.int(w.xml.length) : r === 1 ? w.rng.pick(spans).openEnd : w.rng.pick(spans).start;
  w.xml = w.xml.slice(0, at);
};

const byteNoise: XmlMutator = (w) => {
  const n = w.rng.range(1, 4);
  let xml = w.xml;
  for (let i = 0; i < n && xml.length; i++) {
    const at = w.rng.int(xml.length);
    const c = w.rng.pick(['<', '>', '"', "'", '&', '/', '=', ':', ' ', '\u0000', 'x', '\uffff', '\ud800']);
    xml = w.rng.chance(0.5) ? splice(xml, at, at + 1, c) : splice(xml, at, at, c);
  }
  w.xml = xml;
};

const spliceSeeds: XmlMutator = (w) => {
  // Headers of this seed, Body of another (both signed, by different signatures).
  const other = w.rng.pick(w.corpus.seeds);
  const a = spansOf(w);
  const b = scanElements(other.xml);
  const ab = findSpan(a, 'Body');
  const bb = findSpan(b, 'Body');
  if (ab < 0 || bb < 0) return;
  w.xml = splice(w.xml, a[ab].start, a[ab].end, other.xml.slice(b[bb].start, b[bb].end));
  w.mustFail = other.xml.slice(b[bb].openEnd, b[bb].closeStart) !== w.xml.slice(a[ab].openEnd, a[ab].closeStart) && other.name !== w.seed.name;
};

// ---------------------------------------------------------------------------------------------
// signature values, certificates, timestamps

const base64Damage: XmlMutator = (w) => {
  const spans = spansOf(w);
  const leaves = textLeaves(w.xml, spans).filter(([k]) => SIGNED_VALUE(spans[k]));
  if (!leaves.length) return;
  const [k, from, to] = w.rng.pick(leaves);
  const old = w.xml.slice(from, to);
  const r = w.rng.int(6);
  let next: string;
  if (r <= 2) {
    // A bit flip in the decoded bytes: always a different value.
    const bytes = Buffer.from(old.replace(/\s+/g, ''), 'base64');
    if (!bytes.length) return;
    const i = w.rng.int(bytes.length);
    bytes[i] ^= 1 << w.rng.int(8);
    next = bytes.toString('base64');
    w.mustFail = true;
  } else if (r === 3) next = w.rng.pick(['', '====', '!!!!', 'AAAA', old + old, old.slice(0, -4), old.replace(/=+$/, '')]);
  else if (r === 4) next = old.replace(/(.{64})/g, '$1\n');
  else next = `${old.slice(0, 10)}\u00e9${old.slice(10)}`;
  w.xml = splice(w.xml, from, to, next);
  void k;
};

/** The certificate the request was signed with: the seed's, or the one of the identity that signed it again. */
function signingCert(w: Work): string | undefined {
  return w.signedWith ?? /BinarySecurityToken[^>]*>([^<]*)</.exec(w.seed.xml)?.[1];
}

const certificateSwap: XmlMutator = (w) => {
  const spans = spansOf(w);
  const k = findSpan(spans, 'BinarySecurityToken');
  if (k < 0) return;
  const s = spans[k];
  const old = w.xml.slice(s.openEnd, s.closeStart);
  const others = w.corpus.identities.map((i) => i.certBase64).filter((c) => c !== old);
  const r = w.rng.int(4);
  let next: string;
  if (r <= 1 && others.length) {
    next = w.rng.pick(others);
    // Another member's certificate cannot verify the signature (unless it puts back the one that signed).
    w.mustFail = next !== signingCert(w);
  } else if (r === 2) next = crypto.randomBytes(w.rng.range(1, 2000)).toString('base64');
  else next = old.slice(0, w.rng.int(old.length));
  w.xml = splice(w.xml, s.openEnd, s.closeStart, next);
  if (w.rng.chance(0.2)) {
    const a = attrsOf(w.xml, scanElements(w.xml)[k]).find((x) => x.name === 'ValueType' || x.name === 'EncodingType');
    if (a) w.xml = splice(w.xml, a.valueStart, a.valueEnd, w.rng.pick(['', 'urn:x', 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1']));
  }
};

const timestampEdit: XmlMutator = (w) => {
  const spans = spansOf(w);
  const leaves = textLeaves(w.xml, spans).filter(([k]) => ['Created', 'Expires'].includes(localOf(spans[k].name)));
  if (!leaves.length) return;
  const [, from, to] = w.rng.pick(leaves);
  const old = w.xml.slice(from, to);
  const t = Date.parse(old);
  const shift = w.rng.pick([-301, -299, 59, 61, 3600, -86_400 * 365, 1]) * 1000;
  const next = w.rng.chance(0.6) && !Number.isNaN(t)
    ? new Date(t + shift).toISOString()
    : w.rng.pick(['', '2026-13-01T00:00:00Z', '2026-11-23T04:00:00', '2026-11-23T04:00:00+06:00', '2026-11-23T04:00:00.123456789Z', 'yesterday', '99999-01-01T00:00:00Z', '1970-01-01T00:00:00Z', ' ' + old]);
  w.xml = splice(w.xml, from, to, next);
  w.mustFail = next !== old;
};

const signedTextChange: XmlMutator = (w) => {
  // A changed value inside a signed part (a header or the Body), not signed again.
  const spans = spansOf(w);
  const changed = setText(w, (s) => !SIGNED_VALUE(s) && !['Created', 'Expires'].includes(localOf(s.name)) && spans.some((x) => localOf(x.name) !== 'Security' && x.start <= s.start && x.end >= s.end && x.depth === 1), (old) => (old.length ? old.slice(0, -1) + (old.endsWith('1') ? '2' : '1') : 'x'));
  if (changed) w.mustFail = true;
};

// ---------------------------------------------------------------------------------------------
// encodings (text → bytes)

const encodings: Array<[string, (w: Work) => Buffer]> = [
  ['utf16le-bom', (w) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(w.xml, 'utf16le')])],
  ['utf16be-bom', (w) => swap16(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(w.xml, 'utf16le')]))],
  ['utf16le-nobom', (w) => Buffer.from(w.xml, 'utf16le')],
  ['utf16-declared', (w) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${w.xml}`, 'utf16le')])],
  ['utf8-bom', (w) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(w.xml, 'utf8')])],
  ['utf8-bom-twice', (w) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from(w.xml, 'utf8')])],
  ['declared-latin1', (w) => Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${w.xml}`, 'utf8')],
  ['declared-utf16-in-utf8', (w) => Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${w.xml}`, 'utf8')],
  ['declared-ebcdic', (w) => Buffer.from(`<?xml version="1.0" encoding="IBM037"?>${w.xml}`, 'utf8')],
  ['declared-utf8', (w) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${w.xml}`, 'utf8')],
  ['xml11', (w) => Buffer.from(`<?xml version="1.1"?>${w.xml}`, 'utf8')],
  ['latin1-bytes', (w) => Buffer.from(w.xml, 'latin1')],
  ['ucs4', (w) => Buffer.concat([Buffer.from([0x00, 0x00, 0xfe, 0xff]), Buffer.from(w.xml, 'utf8')])],
  [
    'invalid-utf8',
    (w) => {
      const bad = w.rng.pick([[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf0, 0x9f, 0x98]]);
      const bytes = Buffer.from(w.xml, 'utf8');
      const at = w.rng.int(bytes.length);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
    },
  ],
  [
    'nul-byte',
    (w) => {
      const bytes = Buffer.from(w.xml, 'utf8');
      const at = w.rng.int(bytes.length);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]);
    },
  ],
];

function swap16(b: Buffer): Buffer {
  const out = Buffer.from(b);
  out.swap16();
  return out;
}

// ---------------------------------------------------------------------------------------------
// signed again: the request is valid as far as the signature goes, so these reach the handlers

type SpecMutator = (w: Work, spec: RequestSpec) => void;

/** Applies a text mutation to the body wrapper before signing. */
function mutateBodyXml(w: Work, spec: RequestSpec, m: XmlMutator): void {
  const saved = w.xml;
  w.xml = spec.bodyXml;
  m(w);
  spec.bodyXml = w.xml;
  w.xml = saved;
}

const specMutators: Array<[number, string, SpecMutator]> = [
  [6, 'value-edge', (w, s) => mutateBodyXml(w, s, textEdge)],
  [2, 'value-huge', (w, s) => mutateBodyXml(w, s, (x) => setText(x, () => true, () => 'я'.repeat(x.rng.pick([255, 256, 257, 1000, 4001, 20_000]))))],
  [2, 'body-drop', (w, s) => mutateBodyXml(w, s, dropElement)],
  [2, 'body-duplicate', (w, s) => mutateBodyXml(w, s, duplicateElement)],
  [1, 'body-swap', (w, s) => mutateBodyXml(w, s, swapSiblings)],
  [1, 'body-rename', (w, s) => mutateBodyXml(w, s, renameElement)],
  [1, 'body-prefix', (w, s) => mutateBodyXml(w, s, prefixSwap)],
  [1, 'body-namespace', (w, s) => mutateBodyXml(w, s, namespaceSwap)],
  [1, 'body-attr', (w, s) => mutateBodyXml(w, s, attrAdd)],
  [1, 'body-deep', (w, s) => mutateBodyXml(w, s, deepNest)],
  [1, 'body-comment', (w, s) => mutateBodyXml(w, s, commentOrPi)],
  [1, 'body-entity', (w, s) => mutateBodyXml(w, s, entityReference)],
  [1, 'body-move', (w, s) => mutateBodyXml(w, s, moveElement)],
  [1, 'body-nil', (w, s) => mutateBodyXml(w, s, (x) => setText(x, () => true, () => ''))],
  [1, 'body-empty', (w, s) => void (s.bodyXml = w.rng.pick(['', ' ', '<x/>', '<x/><y/>', 'text', s.bodyXml + s.bodyXml]))],
  [2, 'client', (w, s) => void (s.client = w.rng.pick(w.corpus.clients))],
  [2, 'service', (w, s) => void (s.service = w.rng.pick(w.corpus.services))],
  [1, 'service-code', (w, s) => void (s.service = { ...(s.service as XRoadIdentifier), serviceCode: w.rng.pick([...w.corpus.serviceCodes, '', 'x'.repeat(300), 'ping ', 'PING']) })],
  [1, 'service-version', (w, s) => void (s.service = { ...(s.service as XRoadIdentifier), serviceVersion: w.rng.pick(['v2', 'V1', '', 'v1 ', undefined]) })],
  [2, 'user-id', (w, s) => void (s.userId = w.rng.pick(['', '21503199000017', '12506198800031', SAMPLE_PIN_OTHER, 'KG1', 'x'.repeat(300), '2150319900001', '<', 'я']))],
  [1, 'issue', (w, s) => void (s.issue = w.rng.pick(['', 'x'.repeat(5000), 'issue&lt;1&gt;', ' ']))],
  [1, 'represented-party', (w, s) => void (s.representedParty = w.rng.pick([{ partyCode: '' }, { partyClass: 'GOV', partyCode: 'x'.repeat(300) }, { partyCode: '70000030' }]))],
  [
    2,
    'extra-header',
    (w, s) => {
      s.extraHeaders = [
        w.rng.pick([
          '<x:trace xmlns:x="urn:example:trace">t</x:trace>',
          `<xrd:client xmlns:xrd="${NS.xrd}" xmlns:id="${NS.id}" id:objectType="SUBSYSTEM"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>70000099</id:memberCode><id:subsystemCode>dpa-backoffice</id:subsystemCode></xrd:client>`,
          `<xrd:requestHash xmlns:xrd="${NS.xrd}" algorithmId="http://www.w3.org/2001/04/xmlenc#sha512">AAAA</xrd:requestHash>`,
          `<xrd:protocolVersion xmlns:xrd="${NS.xrd}">4.0</xrd:protocolVersion>`,
          `<xrd:id xmlns:xrd="${NS.xrd}">second</xrd:id>`,
          '<x:deep xmlns:x="urn:x">' + '<x:d>'.repeat(60) + '</x:d>'.repeat(60) + '</x:deep>',
          `<x:h xmlns:x="urn:x" xmlns:wsu="${NS.wsu}" wsu:Id="preset">t</x:h>`,
          `<x:h xmlns:x="urn:x" xmlns:wsu="urn:not-wsu">t</x:h>`,
          `<soapenv:Header xmlns:soapenv="${NS.soapenv}"/>`,
          '<x:h xmlns:x="urn:x">&#x1F600;&amp;<![CDATA[c]]><!--c--></x:h>',
          'not xml',
        ]),
      ];
    },
  ],
  [2, 'signer', (w, s) => void (s.signer = w.rng.pick(w.corpus.identities))],
  [2, 'clock', (w, s) => void (s.now = new Date(w.corpus.now.getTime() + w.rng.pick([-301, -300, -299, 59, 60, 61, 3600, -3600, 1e6, -1e9]) * 1000))],
  [2, 'xrd-id', (w, s) => void (s.id = w.rng.pick(['fuzz-shared-id', `fuzz-seed-${w.seed.name}`, '', ' ', 'x'.repeat(1000), 'id\u0301', `fuzz-${w.rng.int(50)}`]))],
  [
    1,
    'attachments',
    (w, s) => {
      const atts = s.attachments ?? [];
      const r = w.rng.int(3);
      if (r === 0 && atts.length) s.attachments = atts.slice(1); // a sent part the signature does not cover
      else if (r === 1) w.attachments = [...w.attachments, { contentId: `extra${w.rng.int(9)}@fuzz`, contentType: 'application/pdf', bytes: w.rng.bytes(w.rng.int(64)) }];
      else s.attachments = [...atts, { contentId: 'ghost@fuzz', contentType: 'application/pdf', bytes: Buffer.from('ghost') }];
    },
  ],
];
const SAMPLE_PIN_OTHER = '11203199000456';

// ---------------------------------------------------------------------------------------------
// the catalogue

const xmlMutators: Array<[number, string, XmlMutator]> = [
  [4, 'drop', dropElement],
  [3, 'duplicate', duplicateElement],
  [2, 'swap', swapSiblings],
  [2, 'move', moveElement],
  [3, 'rename', renameElement],
  [2, 'prefix', prefixSwap],
  [2, 'namespace', namespaceSwap],
  [2, 'attr-add', attrAdd],
  [2, 'attr-remove', attrRemove],
  [2, 'attr-duplicate', attrDuplicate],
  [1, 'attr-many', manyAttributes],
  [2, 'wsu-id-duplicate', duplicateWsuId],
  [2, 'wsu-id-move', moveWsuId],
  [3, 'xsw-body', signatureWrapping],
  [2, 'xsw-header', headerWrapping],
  [2, 'reference-uri', referenceUri],
  [2, 'security', securityGames],
  [2, 'doctype', doctype],
  [2, 'entity', entityReference],
  [3, 'comment-pi', commentOrPi],
  [2, 'whitespace', whitespace],
  [1, 'deep', deepNest],
  [0.2, 'wide', wideSiblings],
  [0.2, 'huge-text', hugeText],
  [1, 'long-attr', longValue],
  [2, 'text-edge', textEdge],
  [2, 'truncate', truncate],
  [2, 'noise', byteNoise],
  [1, 'splice-seeds', spliceSeeds],
  [4, 'base64', base64Damage],
  [3, 'certificate', certificateSwap],
  [3, 'timestamp', timestampEdit],
  [3, 'signed-text', signedTextChange],
];

// ---------------------------------------------------------------------------------------------
// packaging: multipart, Content-Type, SOAPAction

interface Multipart {
  boundary: string;
  typeParams: string;
  preamble: string;
  parts: Array<{ headers: string[]; body: Buffer }>;
  epilogue: string;
  closing: boolean;
  eol: string;
}

function multipartOf(w: Work, envelope: Buffer): Multipart {
  const mtom = w.packaging === 'mtom';
  const root = [mtom ? 'Content-Type: application/xop+xml; charset=UTF-8; type="text/xml"' : 'Content-Type: text/xml; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', 'Content-ID: <root.fuzz>'];
  return {
    boundary: 'MIME_fuzz_boundary',
    typeParams: mtom ? 'type="application/xop+xml"; start-info="text/xml"; start="<root.fuzz>"' : 'type="text/xml"; start="<root.fuzz>"',
    preamble: '',
    parts: [{ headers: root, body: envelope }, ...w.attachments.map((a) => ({ headers: [`Content-Type: ${a.contentType}`, 'Content-Transfer-Encoding: binary', `Content-ID: <${a.contentId}>`], body: a.bytes }))],
    epilogue: '',
    closing: true,
    eol: '\r\n',
  };
}

function serializeMultipart(m: Multipart): WireRequest {
  const chunks: Buffer[] = [Buffer.from(m.preamble)];
  for (const p of m.parts) chunks.push(Buffer.from(`--${m.boundary}${m.eol}${p.headers.join(m.eol)}${m.eol}${m.eol}`, 'latin1'), p.body, Buffer.from(m.eol));
  if (m.closing) chunks.push(Buffer.from(`--${m.boundary}--${m.eol}`));
  chunks.push(Buffer.from(m.epilogue));
  return { body: Buffer.concat(chunks), contentType: `multipart/related; ${m.typeParams}; boundary="${m.boundary}"` };
}

const multipartMutators: Array<[string, (w: Work, m: Multipart) => void]> = [
  ['mp-no-closing', (_w, m) => void (m.closing = false)],
  ['mp-boundary-mismatch', (w, m) => void (m.typeParams += `; boundary="${w.rng.pick(['other', '', 'MIME_fuzz_boundar', 'x'.repeat(71)])}"`)],
  ['mp-boundary-long', (w, m) => void (m.boundary = 'b'.repeat(w.rng.pick([69, 70, 71, 200])))],
  ['mp-boundary-chars', (w, m) => void (m.boundary = w.rng.pick(['a b', 'a;b', 'a"b', 'ä', '--', ' lead', 'trail ']))],
  ['mp-lf-only', (_w, m) => void (m.eol = '\n')],
  ['mp-preamble', (w, m) => void (m.preamble = w.rng.pick(['preamble\r\n', '\r\n', 'x'.repeat(10_000) + '\r\n', `--${m.boundary}x\r\n`]))],
  ['mp-epilogue', (w, m) => void (m.epilogue = w.rng.pick(['epilogue', `--${m.boundary}\r\nContent-ID: <late>\r\n\r\nx\r\n`]))],
  ['mp-duplicate-cid', (_w, m) => void m.parts.push({ headers: [...(m.parts[m.parts.length - 1]?.headers ?? [])], body: Buffer.from('dup') })],
  ['mp-no-cid', (_w, m) => void m.parts.push({ headers: ['Content-Type: application/pdf'], body: Buffer.from('x') })],
  ['mp-root-cid-collision', (_w, m) => void m.parts.push({ headers: ['Content-ID: <root.fuzz>'], body: Buffer.from('x') })],
  ['mp-start-missing', (_w, m) => void (m.typeParams = m.typeParams.replace('start="<root.fuzz>"', 'start="<nowhere>"'))],
  ['mp-root-type', (w, m) => void (m.parts[0].headers[0] = `Content-Type: ${w.rng.pick(['application/octet-stream', 'application/xop+xml; type="application/soap+xml"', 'text/xml; charset=iso-8859-1', 'text/xml; charset=utf-16', ''])}`)],
  ['mp-cte-base64', (w, m) => {
    const p = w.rng.pick(m.parts);
    p.headers = p.headers.map((h) => (h.startsWith('Content-Transfer-Encoding') ? 'Content-Transfer-Encoding: base64' : h));
    p.body = w.rng.chance(0.5) ? Buffer.from(p.body.toString('base64').replace(/(.{76})/g, '$1\r\n')) : Buffer.from('!!!not base64!!!');
  }],
  ['mp-cte-other', (w, m) => {
    const p = w.rng.pick(m.parts);
    p.headers.push(`Content-Transfer-Encoding: ${w.rng.pick(['quoted-printable', 'x-uuencode', 'BINARY', ''])}`);
  }],
  ['mp-many-parts', (w, m) => {
    for (let i = 0; i < w.rng.pick([3, 4, 5, 50]); i++) m.parts.push({ headers: [`Content-ID: <p${i}>`], body: Buffer.from(String(i)) });
  }],
  ['mp-huge-headers', (w, m) => void m.parts[w.rng.int(m.parts.length)].headers.push(`X-Pad: ${'p'.repeat(w.rng.pick([8000, 9000]))}`, ...(w.rng.chance(0.3) ? Array.from({ length: 40 }, (_, i) => `X-H${i}: v`) : []))],
  ['mp-bad-header', (w, m) => void m.parts[w.rng.int(m.parts.length)].headers.push(w.rng.pick(['no colon', ': empty name', 'Bad Name: x', ' folded continuation', 'Content-Type: a/b; x="unterminated']))],
  ['mp-attachment-flip', (w, m) => {
    if (m.parts.length < 2) return;
    const p = m.parts[w.rng.range(1, m.parts.length - 1)];
    if (!p.body.length) return;
    p.body = Buffer.from(p.body);
    p.body[w.rng.int(p.body.length)] ^= 0x01;
    w.mustFail = true;
  }],
  ['mp-attachment-big', (w, m) => void m.parts.push({ headers: ['Content-ID: <big>'], body: Buffer.alloc(w.rng.pick([128 * 1024, 128 * 1024 + 1, 200_000]), 0x41) })],
  ['mp-reorder', (w, m) => void (m.parts = w.rng.chance(0.5) ? [...m.parts].reverse() : [m.parts[m.parts.length - 1], ...m.parts.slice(0, -1)])],
  ['mp-truncate', (w, m) => {
    const p = w.rng.pick(m.parts);
    p.body = p.body.subarray(0, w.rng.int(p.body.length + 1));
    m.closing = w.rng.chance(0.5);
  }],
];

const CONTENT_TYPES = [
  'text/xml', 'text/xml; charset=utf-8', 'text/xml; charset=UTF-8', 'text/xml;charset="utf-8"', 'TEXT/XML; CHARSET=UTF-8', 'text/xml; charset=utf8', 'text/xml; charset=iso-8859-1', 'text/xml; charset=utf-16',
  'text/xml; charset=', 'text/xml; charset="', 'application/soap+xml; charset=utf-8', 'application/xml', 'text/plain', '', undefined, 'multipart/related', 'multipart/related; boundary=', 'multipart/related; boundary="MIME_fuzz_boundary"',
  'multipart/form-data; boundary=x', 'multipart/mixed; boundary=MIME_fuzz_boundary', 'text/xml; charset=utf-8; charset=latin1', 'text/xml; boundary="x"', `text/xml; ${'a=b;'.repeat(500)}`, 'application/json', 'application/x-www-form-urlencoded', '*/*', 'text/xml; q=0.5; charset="utf\\-8"',
];

const SOAP_ACTIONS = (w: Work): Array<string | undefined> => {
  const code = w.seed.spec?.service?.serviceCode ?? 'ping';
  return [undefined, '', '""', `"${code}"`, code, `urn:x#${code}`, `urn:kg:${code}`, `http://x/${code}`, `"${w.rng.pick(w.corpus.serviceCodes)}"`, 'x'.repeat(8000), '"unterminated', ' ', `"${code}" "${code}"`];
};

// ---------------------------------------------------------------------------------------------
// one iteration

export const MUTATION_NAMES = [...xmlMutators.map(([, n]) => n), ...specMutators.map(([, n]) => `resign:${n}`), ...encodings.map(([n]) => `encoding:${n}`), ...multipartMutators.map(([n]) => n), 'content-type', 'soap-action', 'wrap-multipart', 'unmodified', 'resign'];

/**
 * Builds the input of one iteration. Roughly: 5 % unmodified seeds, 25 % signed again after
 * changes to headers, signer, clock or body, 70 % text mutations of the signed envelope; then
 * now and again an encoding, a multipart defect, a Content-Type or SOAPAction variation.
 */
export function makeInput(rng: Rng, corpus: Corpus, limits: XmlLimits): FuzzInput {
  const seed = rng.weighted(corpus.seeds.map((s) => [s.weight, s] as const));
  const w: Work = { rng, corpus, limits, seed, xml: seed.xml, attachments: [...seed.attachments], packaging: seed.packaging, applied: [], mustFail: false };
  const mode = rng.weighted([
    [5, 'unmodified'],
    [25, 'resign'],
    [70, 'mutate'],
  ] as const);
  if (mode === 'unmodified') w.applied.push('unmodified');
  else if (mode === 'resign' && seed.spec) {
    const spec: RequestSpec = { ...seed.spec, now: corpus.now };
    if (rng.chance(0.7)) spec.id = `fuzz-${rng.u32().toString(16)}-${rng.u32().toString(16)}`;
    const n = rng.chance(0.7) ? 1 : 2;
    for (let i = 0; i < n; i++) {
      const [, name, m] = rng.weighted(specMutators.map((e) => [e[0], e] as const));
      m(w, spec);
      w.applied.push(`resign:${name}`);
    }
    try {
      w.xml = signedRequest(spec);
      w.signedWith = (spec.signer ?? w.corpus.signers.portal).certBase64;
    } catch {
      // The signer refuses what it cannot sign (a preset wsu:Id, a malformed header): send the body unsigned in the seed.
      w.applied.push('resign-refused');
      const spans = scanElements(w.xml);
      const b = findSpan(spans, 'Body');
      if (b >= 0) w.xml = splice(w.xml, spans[b].openEnd, spans[b].closeStart, spec.bodyXml);
    }
    // The signed attachments follow the spec; extra parts stay.
    if (spec.attachments) w.attachments = [...spec.attachments, ...w.attachments.filter((a) => !spec.attachments?.some((b) => b.contentId === a.contentId))];
    if (rng.chance(0.15)) applyXml(w, 1);
  } else applyXml(w, rng.chance(0.6) ? 1 : rng.range(2, 3));

  if (rng.chance(0.06)) {
    const [name, enc] = rng.pick(encodings);
    w.bytes = enc(w);
    w.applied.push(`encoding:${name}`);
  }
  const envelope = w.bytes ?? Buffer.from(w.xml, 'utf8');
  let wire: WireRequest;
  if (w.packaging !== 'xml' || rng.chance(0.02)) {
    if (w.packaging === 'xml') w.applied.push('wrap-multipart');
    const m = multipartOf(w, envelope);
    if (rng.chance(0.3)) {
      const [name, mm] = rng.pick(multipartMutators);
      mm(w, m);
      w.applied.push(name);
    }
    wire = serializeMultipart(m);
  } else wire = { body: envelope, contentType: 'text/xml; charset=utf-8' };
  if (rng.chance(0.06)) {
    wire.contentType = rng.pick(CONTENT_TYPES);
    w.applied.push('content-type');
  }
  if (rng.chance(0.08)) {
    wire.soapAction = rng.pick(SOAP_ACTIONS(w));
    w.applied.push('soap-action');
  }
  return { wire, seed: seed.name, mutations: w.applied, mustFail: w.mustFail };
}

function applyXml(w: Work, n: number): void {
  for (let i = 0; i < n; i++) {
    const [, name, m] = w.rng.weighted(xmlMutators.map((e) => [e[0], e] as const));
    // Later mutations may undo an earlier one's certain change (e.g. truncate after a flip): only the last flag counts.
    if (i > 0 && w.mustFail) w.mustFail = false;
    m(w);
    w.applied.push(name);
  }
}
