import type { XmlAttribute, XmlElement } from './types.js';
import { inScopeNamespaces } from './dom.js';

/**
 * Characters XML 1.0 (§2.2 Char) cannot carry at all, escaped or not, and UTF-16 surrogates that
 * do not pair up (a string that cannot have come from valid UTF-8). Matching control characters
 * is the point here.
 */
// eslint-disable-next-line no-control-regex
export const NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"\t\n\r]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };

function check(s: string): void {
  if (NOT_XML_CHAR.test(s)) throw new RangeError('the value contains a character that XML 1.0 cannot carry');
}

/**
 * Every character either escaping or the check above has to look at (surrogates paired or not):
 * a value with none of them, nearly every value, is written as it is after one scan.
 */
// eslint-disable-next-line no-control-regex
const TEXT_PLAIN = /^[^&<>\r\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]*$/;
// eslint-disable-next-line no-control-regex
const ATTR_PLAIN = /^[^&<>"\t\n\r\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]*$/;

/**
 * Escapes character data. `\r` is written as a reference so that it survives line-end
 * normalisation on the reader's side; characters XML cannot carry throw RangeError rather than
 * producing a document nobody can parse.
 */
export function escapeText(s: string): string {
  if (TEXT_PLAIN.test(s)) return s;
  check(s);
  return s.replace(TEXT_SPECIAL, (c) => ENTITY[c]);
}

/** Escapes a double-quoted attribute value; whitespace other than space is kept by reference (XML 1.0 §3.3.3). */
export function escapeAttr(s: string): string {
  if (ATTR_PLAIN.test(s)) return s;
  check(s);
  return s.replace(ATTR_SPECIAL, (c) => ENTITY[c]);
}

/**
 * Writes a parsed element back out as a standalone fragment: every namespace in scope at the
 * element is declared on it (so prefixes used in content, like xsi:type values, keep their
 * meaning), attributes keep their order, text is escaped. `dropRootAttr` leaves out attributes
 * of the top element only (e.g. a wsu:Id that belonged to the old signature).
 */
export function serializeElement(el: XmlElement, opts: { dropRootAttr?: (a: XmlAttribute) => boolean } = {}): string {
  return write(el, inScopeNamespaces(el), opts.dropRootAttr);
}

function write(el: XmlElement, decls: Map<string, string>, drop?: (a: XmlAttribute) => boolean): string {
  let s = '<' + el.name;
  for (const [p, uri] of decls) s += p === '' ? ` xmlns="${escapeAttr(uri)}"` : ` xmlns:${p}="${escapeAttr(uri)}"`;
  for (const a of el.attrs) if (!drop || !drop(a)) s += ` ${a.name}="${escapeAttr(a.value)}"`;
  if (el.children.length === 0) return s + '/>';
  s += '>';
  for (const c of el.children) s += c.kind === 'text' ? escapeText(c.value) : write(c, c.nsDecls);
  return s + '</' + el.name + '>';
}
