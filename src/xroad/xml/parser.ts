import { NOT_XML_CHAR } from './writer.js';
import { DEFAULT_XML_LIMITS, type XmlAttribute, type XmlElement, type XmlLimits, type XmlText } from './types.js';

/** Why a document was refused; stable values for faults, logs and tests. */
export type XmlParseFailure =
  | 'DOCTYPE'
  | 'ENTITY'
  | 'PI'
  | 'MALFORMED'
  | 'MULTIPLE_ROOTS'
  | 'TRAILING_CONTENT'
  | 'ENCODING'
  | 'LIMIT_SIZE'
  | 'LIMIT_DEPTH'
  | 'LIMIT_ATTRIBUTES'
  | 'LIMIT_ATTRIBUTE_LENGTH'
  | 'LIMIT_NAME_LENGTH'
  | 'LIMIT_ELEMENTS'
  | 'UNBOUND_PREFIX'
  | 'DUPLICATE_ATTRIBUTE';

export class XmlParseError extends Error {
  constructor(
    readonly reason: XmlParseFailure,
    message: string,
    /** Offset into the source where the problem was seen. */
    readonly offset: number,
  ) {
    super(`${message} (at ${offset})`);
    this.name = 'XmlParseError';
  }
}

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';


// XML 1.0 §2.8: version, then optional encoding and standalone, in this order.
const XML_DECL = /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/;

const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** XML 1.0 (5th ed.) NameStartChar; surrogate halves are let through as part of supplementary characters. */
function isNameStart(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xdfff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

function isNameChar(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x3a || c === 0x2d || c === 0x2e;
  return isNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

/** XML 1.0 §2.2 Char, for character references. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/**
 * Shared by every element that declares no namespace: most elements, and a Map each would be
 * most of the parser's garbage. It refuses changes so that sharing stays safe.
 */
class NoDeclarations extends Map<string, string> {
  override set(): this {
    throw new TypeError('nsDecls of a parsed element is read-only');
  }
  override delete(): boolean {
    throw new TypeError('nsDecls of a parsed element is read-only');
  }
  override clear(): void {
    throw new TypeError('nsDecls of a parsed element is read-only');
  }
}
const NO_DECLS: Map<string, string> = new NoDeclarations();

interface PendingAttr {
  name: string;
  prefix: string;
  local: string;
  value: string;
  at: number;
}

/**
 * A single-pass, non-validating parser for the SOAP messages this adapter accepts. It never
 * reads a DTD, never expands an entity other than the five predefined ones and character
 * references, never fetches anything, and checks every limit while scanning, so a hostile
 * document is refused before it can grow the tree (CONTRACT §3). It builds `XmlElement`s with
 * resolved namespaces and source offsets; comments are dropped from the tree (exclusive c14n
 * without comments drops them too), but an element that directly contained one is marked
 * `hasComment`, so that values which must be plain text (DigestValue, SignatureValue) can refuse it.
 */
class Parser {
  private p = 0;
  private readonly n: number;
  /** Open elements, innermost last. */
  private readonly stack: XmlElement[] = [];
  /** In-scope namespace bindings as [prefix, uri] pairs, innermost last, up to scopeTop. */
  private readonly scope: string[] = [];
  private scopeTop = 0;
  /** scopeTop when each open element was entered. */
  private readonly scopeMarks: number[] = [];
  private root: XmlElement | null = null;
  private elements = 0;
  /**
   * Next ']]>', '&' and CR at or after the current position. Text and attribute values are read
   * in document order, so caching the next hit keeps every check linear over the whole document.
   */
  private cdEnd = -1;
  private nextAmp = -1;
  private nextCr = -1;

  constructor(
    private readonly src: string,
    private readonly lim: XmlLimits,
  ) {
    this.n = src.length;
  }

  private fail(reason: XmlParseFailure, message: string, at = this.p): never {
    throw new XmlParseError(reason, message, at);
  }

  parse(): XmlElement {
    const { src, n } = this;
    if (src.charCodeAt(0) === 0xfeff) this.p = 1;
    if (src.startsWith('<?xml', this.p) && (isWs(src.charCodeAt(this.p + 5)) || src.charCodeAt(this.p + 5) === 0x3f)) this.xmlDecl();
    while (this.p < n) {
      const lt = src.indexOf('<', this.p);
      if (lt === -1) {
        this.text(this.p, n);
        this.p = n;
        break;
      }
      if (lt > this.p) this.text(this.p, lt);
      this.p = lt;
      const c = src.charCodeAt(lt + 1);
      if (c === 0x2f) this.endTag();
      else if (c === 0x21) this.bang();
      else if (c === 0x3f) this.fail('PI', 'processing instructions are not accepted');
      else this.startTag();
    }
    if (this.stack.length > 0) this.fail('MALFORMED', `element <${this.stack[this.stack.length - 1].name}> is not closed`, n);
    if (!this.root) this.fail('MALFORMED', 'no root element', n);
    return this.root;
  }

  private xmlDecl(): void {
    const head = this.src.slice(this.p, this.p + 256);
    const m = XML_DECL.exec(head);
    if (!m) this.fail('MALFORMED', 'malformed XML declaration');
    if (m[3] !== undefined && m[3].toLowerCase() !== 'utf-8') this.fail('ENCODING', `encoding ${m[3]} is not accepted; only UTF-8`);
    this.p += m[0].length;
  }

  /** Character data between markup: whitespace only outside the root, decoded text inside. */
  private text(from: number, to: number): void {
    const { src } = this;
    const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1] : null;
    if (!parent) {
      for (let i = from; i < to; i++) {
        if (!isWs(src.charCodeAt(i))) this.fail(this.root ? 'TRAILING_CONTENT' : 'MALFORMED', this.root ? 'content after the root element' : 'content before the root element', i);
      }
      return;
    }
    if (this.cdEnd !== Infinity && this.cdEnd < from) {
      const next = src.indexOf(']]>', from);
      this.cdEnd = next === -1 ? Infinity : next;
    }
    if (this.cdEnd + 3 <= to) this.fail('MALFORMED', "']]>' is not allowed in text", this.cdEnd);
    const node: XmlText = { kind: 'text', value: this.decode(from, to, false) };
    parent.children.push(node);
  }

  /**
   * Decodes character data or an attribute value: line ends normalised (XML 1.0 §2.11),
   * predefined entities and character references resolved, and for attributes literal
   * whitespace turned into spaces (§3.3.3, CDATA-type normalisation).
   */
  private decode(from: number, to: number, attr: boolean): string {
    const { src } = this;
    if (this.nextAmp !== Infinity && this.nextAmp < from) {
      const i = src.indexOf('&', from);
      this.nextAmp = i === -1 ? Infinity : i;
    }
    if (this.nextCr !== Infinity && this.nextCr < from) {
      const i = src.indexOf('\r', from);
      this.nextCr = i === -1 ? Infinity : i;
    }
    if (this.nextAmp >= to && this.nextCr >= to) {
      const raw = src.slice(from, to);
      // Attribute values turn literal tabs and newlines into spaces (§3.3.3); text keeps them.
      return attr && /[\t\n]/.test(raw) ? raw.replace(/[\t\n]/g, ' ') : raw;
    }
    let out = '';
    let seg = from;
    for (let i = from; i < to; i++) {
      const c = src.charCodeAt(i);
      if (c === 0x26) {
        out += src.slice(seg, i);
        const semi = src.indexOf(';', i + 1);
        if (semi === -1 || semi >= to || semi - i > this.lim.maxNameLength + 2) this.fail('MALFORMED', "'&' must start a reference ending in ';'", i);
        const ref = src.slice(i + 1, semi);
        if (ref.charCodeAt(0) === 0x23) {
          const hex = ref.charCodeAt(1) === 0x78;
          const digits = ref.slice(hex ? 2 : 1);
          if (digits.length === 0 || digits.length > 8 || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) this.fail('MALFORMED', `bad character reference &${ref};`, i);
          const cp = parseInt(digits, hex ? 16 : 10);
          if (!isXmlChar(cp)) this.fail('MALFORMED', `character reference &${ref}; is not an XML character`, i);
          out += String.fromCodePoint(cp);
        } else {
          const v = PREDEFINED.get(ref);
          if (v === undefined) {
            if (ref.length > 0 && isNameStart(ref.charCodeAt(0))) this.fail('ENTITY', `entity &${ref}; is not accepted; only the predefined ones`, i);
            this.fail('MALFORMED', "'&' must start a reference", i);
          }
          out += v;
        }
        i = semi;
        seg = semi + 1;
      } else if (c === 0x0d) {
        out += src.slice(seg, i) + (attr ? ' ' : '\n');
        if (src.charCodeAt(i + 1) === 0x0a && i + 1 < to) i++;
        seg = i + 1;
      } else if (attr && (c === 0x0a || c === 0x09)) {
        out += src.slice(seg, i) + ' ';
        seg = i + 1;
      }
    }
    return seg === from ? src.slice(from, to) : out + src.slice(seg, to);
  }

  /** Reads an XML Name starting at i; returns the index after it. */
  private name(i: number): number {
    const { src } = this;
    if (!isNameStart(src.charCodeAt(i)) || src.charCodeAt(i) === 0x3a) this.fail('MALFORMED', 'a name was expected', i);
    const start = i;
    const max = this.lim.maxNameLength;
    i++;
    while (i < this.n && isNameChar(src.charCodeAt(i))) {
      i++;
      if (i - start > max) this.fail('LIMIT_NAME_LENGTH', `a name is longer than ${max} characters`, start);
    }
    return i;
  }

  private splitQName(qname: string, at: number): [string, string] {
    const colon = qname.indexOf(':');
    if (colon === -1) return ['', qname];
    if (colon === qname.length - 1 || qname.indexOf(':', colon + 1) !== -1 || !isNameStart(qname.charCodeAt(colon + 1))) this.fail('MALFORMED', `'${qname}' is not a qualified name`, at);
    return [qname.slice(0, colon), qname.slice(colon + 1)];
  }

  private lookup(prefix: string, at: number): string {
    if (prefix === 'xml') return XML_NS;
    const { scope } = this;
    for (let i = this.scopeTop - 2; i >= 0; i -= 2) if (scope[i] === prefix) return scope[i + 1];
    if (prefix === '') return '';
    return this.fail('UNBOUND_PREFIX', `namespace prefix '${prefix}' is not declared`, at);
  }

  private skipWs(i: number): number {
    while (i < this.n && isWs(this.src.charCodeAt(i))) i++;
    return i;
  }

  private startTag(): void {
    const { src, lim } = this;
    const lt = this.p;
    if (this.root && this.stack.length === 0) this.fail('MULTIPLE_ROOTS', 'more than one root element');
    if (++this.elements > lim.maxElements) this.fail('LIMIT_ELEMENTS', `more than ${lim.maxElements} elements`);
    if (this.stack.length + 1 > lim.maxDepth) this.fail('LIMIT_DEPTH', `elements nested deeper than ${lim.maxDepth}`);
    let i = this.name(lt + 1);
    const qname = src.slice(lt + 1, i);
    const [prefix, local] = this.splitQName(qname, lt);
    let nsDecls: Map<string, string> = NO_DECLS;
    const pending: PendingAttr[] = [];
    let count = 0;
    let selfClosing = false;
    for (;;) {
      const before = i;
      i = this.skipWs(i);
      const c = src.charCodeAt(i);
      if (c === 0x3e) {
        i++;
        break;
      }
      if (c === 0x2f && src.charCodeAt(i + 1) === 0x3e) {
        i += 2;
        selfClosing = true;
        break;
      }
      if (i >= this.n) this.fail('MALFORMED', `start tag <${qname}> is not closed`, lt);
      if (i === before) this.fail('MALFORMED', 'whitespace is required between attributes', i);
      if (++count > lim.maxAttributes) this.fail('LIMIT_ATTRIBUTES', `more than ${lim.maxAttributes} attributes on <${qname}>`, i);
      const nameStart = i;
      i = this.name(i);
      const aname = src.slice(nameStart, i);
      i = this.skipWs(i);
      if (src.charCodeAt(i) !== 0x3d) this.fail('MALFORMED', `'=' expected after attribute ${aname}`, i);
      i = this.skipWs(i + 1);
      const q = src.charCodeAt(i);
      if (q !== 0x22 && q !== 0x27) this.fail('MALFORMED', `quoted value expected for attribute ${aname}`, i);
      const close = src.indexOf(q === 0x22 ? '"' : "'", i + 1);
      if (close === -1) this.fail('MALFORMED', `value of attribute ${aname} is not closed`, i);
      if (close - i - 1 > lim.maxAttributeLength) this.fail('LIMIT_ATTRIBUTE_LENGTH', `attribute ${aname} is longer than ${lim.maxAttributeLength} characters`, i);
      const ltIn = src.indexOf('<', i + 1);
      if (ltIn !== -1 && ltIn < close) this.fail('MALFORMED', `'<' in the value of attribute ${aname}`, ltIn);
      const value = this.decode(i + 1, close, true);
      i = close + 1;
      for (const a of pending) if (a.name === aname) this.fail('DUPLICATE_ATTRIBUTE', `attribute ${aname} appears twice`, nameStart);
      if (aname === 'xmlns' || aname.startsWith('xmlns:')) {
        const p = aname === 'xmlns' ? '' : aname.slice(6);
        if (p !== '') this.splitQName(aname, nameStart);
        if (nsDecls === NO_DECLS) nsDecls = new Map();
        else if (nsDecls.has(p)) this.fail('DUPLICATE_ATTRIBUTE', `namespace prefix '${p}' declared twice`, nameStart);
        // Namespaces in XML 1.0 §3: xml/xmlns are reserved, and a prefix cannot be undeclared.
        if (p === 'xmlns' || value === XMLNS_NS) this.fail('MALFORMED', 'the xmlns prefix and namespace are reserved', nameStart);
        if ((p === 'xml') !== (value === XML_NS)) this.fail('MALFORMED', 'the xml prefix is bound to its own namespace only', nameStart);
        if (p !== '' && value === '') this.fail('MALFORMED', `prefix '${p}' cannot be bound to an empty namespace`, nameStart);
        nsDecls.set(p, value);
      } else {
        const [ap, al] = this.splitQName(aname, nameStart);
        pending.push({ name: aname, prefix: ap, local: al, value, at: nameStart });
      }
    }
    this.scopeMarks.push(this.scopeTop);
    if (nsDecls !== NO_DECLS) {
      for (const [p, uri] of nsDecls) {
        if (p === 'xml') continue;
        this.scope[this.scopeTop++] = p;
        this.scope[this.scopeTop++] = uri;
      }
    }
    const attrs: XmlAttribute[] = [];
    for (const a of pending) {
      const ns = a.prefix === '' ? '' : this.lookup(a.prefix, a.at);
      // Namespaces in XML 1.0 §6.3: no two attributes with the same expanded name.
      for (const b of attrs) if (b.local === a.local && b.ns === ns) this.fail('DUPLICATE_ATTRIBUTE', `attributes ${b.name} and ${a.name} have the same expanded name`, a.at);
      attrs.push({ name: a.name, prefix: a.prefix, local: a.local, ns, value: a.value });
    }
    const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1] : null;
    const el: XmlElement = {
      kind: 'element',
      name: qname,
      prefix,
      local,
      ns: this.lookup(prefix, lt),
      attrs,
      nsDecls,
      children: [],
      parent,
      start: lt,
      end: i,
    };
    if (parent) parent.children.push(el);
    else this.root = el;
    this.p = i;
    if (selfClosing) this.scopeTop = this.scopeMarks.pop() ?? 0;
    else this.stack.push(el);
  }

  private endTag(): void {
    const { src } = this;
    const lt = this.p;
    const el = this.stack.pop();
    if (!el) this.fail(this.root ? 'TRAILING_CONTENT' : 'MALFORMED', 'end tag without a start tag');
    const nameEnd = lt + 2 + el.name.length;
    if (!src.startsWith(el.name, lt + 2) || (nameEnd < this.n && isNameChar(src.charCodeAt(nameEnd)))) this.fail('MALFORMED', `end tag does not match <${el.name}>`);
    const i = this.skipWs(nameEnd);
    if (src.charCodeAt(i) !== 0x3e) this.fail('MALFORMED', `end tag </${el.name}> is not closed`, i);
    el.end = i + 1;
    this.p = i + 1;
    this.scopeTop = this.scopeMarks.pop() ?? 0;
  }

  /** `<!`: comment, CDATA section, or a DTD construct (always refused). */
  private bang(): void {
    const { src } = this;
    const lt = this.p;
    if (src.startsWith('<!--', lt)) {
      const close = src.indexOf('-->', lt + 4);
      if (close === -1) this.fail('MALFORMED', 'comment is not closed');
      const dd = src.indexOf('--', lt + 4);
      // XML 1.0 §2.5: '--' must not occur inside a comment (this also refuses '--->').
      if (dd < close) this.fail('MALFORMED', "'--' inside a comment", dd);
      const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1] : null;
      if (parent) parent.hasComment = true;
      this.p = close + 3;
      return;
    }
    if (src.startsWith('<![CDATA[', lt)) {
      const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1] : null;
      if (!parent) this.fail(this.root ? 'TRAILING_CONTENT' : 'MALFORMED', 'CDATA outside the root element');
      const close = src.indexOf(']]>', lt + 9);
      if (close === -1) this.fail('MALFORMED', 'CDATA section is not closed');
      let value = src.slice(lt + 9, close);
      if (value.indexOf('\r') !== -1) value = value.replace(/\r\n?/g, '\n');
      parent.children.push({ kind: 'text', value });
      this.p = close + 3;
      return;
    }
    if (src.startsWith('<!ENTITY', lt)) this.fail('ENTITY', 'entity declarations are not accepted');
    // <!DOCTYPE and any other markup declaration (<!ELEMENT, <!ATTLIST, …) belong to a DTD.
    this.fail('DOCTYPE', 'document type declarations are not accepted');
  }
}

/**
 * Defaults overlaid with the given limits. An explicit `undefined` (e.g. an unset config field)
 * keeps the default: spreading it would make every comparison false and switch the limit off.
 */
function effectiveLimits(limits?: Partial<XmlLimits>): XmlLimits {
  if (!limits) return DEFAULT_XML_LIMITS;
  const lim: XmlLimits = { ...DEFAULT_XML_LIMITS };
  for (const k of Object.keys(DEFAULT_XML_LIMITS) as Array<keyof XmlLimits>) {
    const v = limits[k];
    if (v !== undefined) lim[k] = v;
  }
  return lim;
}

/**
 * Parses a whole document and returns its root element. Throws XmlParseError with a stable
 * reason on anything outside the accepted subset of XML 1.0 + Namespaces.
 */
export function parseXml(source: string, limits?: Partial<XmlLimits>): XmlElement {
  const lim = effectiveLimits(limits);
  // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap test first.
  if (source.length > lim.maxBytes || (source.length * 3 > lim.maxBytes && Buffer.byteLength(source, 'utf8') > lim.maxBytes)) {
    throw new XmlParseError('LIMIT_SIZE', `the document is larger than ${lim.maxBytes} bytes`, 0);
  }
  const bad = NOT_XML_CHAR.exec(source);
  if (bad) {
    const c = bad[0].charCodeAt(0);
    throw new XmlParseError(c >= 0xd800 && c <= 0xdfff ? 'ENCODING' : 'MALFORMED', `character U+${c.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`, bad.index);
  }
  return new Parser(source, lim).parse();
}

// The BOM is kept for the parser, which accepts exactly one at the start.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes received bytes as UTF-8, refusing invalid sequences instead of replacing them. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new XmlParseError('ENCODING', 'the message is not valid UTF-8', 0);
  }
}
