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
 * Escapes character data. `\r` is written as a reference so that it survives line-end
 * normalisation on the reader's side; characters XML cannot carry throw RangeError rather than
 * producing a document nobody can parse.
 */
export function escapeText(s: string): string {
  check(s);
  return s.replace(TEXT_SPECIAL, (c) => ENTITY[c]);
}

/** Escapes a double-quoted attribute value; whitespace other than space is kept by reference (XML 1.0 §3.3.3). */
export function escapeAttr(s: string): string {
  check(s);
  return s.replace(ATTR_SPECIAL, (c) => ENTITY[c]);
}
