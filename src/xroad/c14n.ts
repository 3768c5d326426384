import type { XmlElement } from './xml/types.js';
import { lookupNamespace } from './xml/dom.js';

/**
 * Exclusive XML Canonicalization 1.0 without comments
 * (http://www.w3.org/2001/10/xml-exc-c14n#), over the parser's tree, for a whole element subtree
 * — the node-set a same-document `URI="#id"` reference or SignedInfo selects.
 *
 * What the spec asks and how it is met here:
 * - A namespace declaration is output on an element when the element or one of its attributes
 *   visibly uses the prefix and the nearest output ancestor did not already output the same
 *   binding (exc-c14n §3). Declarations that are merely present are not output.
 * - Prefixes in the InclusiveNamespaces PrefixList ('#default' for the default namespace) are
 *   handled as Canonical XML does: output wherever in scope and not already output with the same
 *   value by an ancestor — for a full subtree this is the same as treating them as utilized.
 * - `xmlns=""` only when the element is unqualified and an output ancestor set a default.
 * - xml:* attributes are not inherited from ancestors (unlike inclusive c14n).
 * - Declarations sorted by prefix (default first), attributes by namespace URI then local name
 *   (unqualified first); empty elements as start-end pairs; text and attribute escaping per
 *   Canonical XML 1.0 §2.3. Comments are not in the tree, which is "without comments".
 */
export interface C14nOptions {
  /** InclusiveNamespaces PrefixList tokens; '#default' stands for the default namespace. */
  inclusivePrefixes?: readonly string[];
}

const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<"\t\n\r]/;

function escText(s: string): string {
  if (!TEXT_SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function escAttr(s: string): string {
  if (!ATTR_SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}

/** Ordering of Canonical XML: by code unit, which equals code point order for the names used here. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class Canonicalizer {
  out = '';
  /** Bindings output so far on the current path, [prefix, uri] pairs innermost last, up to top. */
  private readonly rendered: string[] = [];
  private top = 0;
  private readonly inclusive: readonly string[];

  constructor(inclusive: readonly string[]) {
    this.inclusive = inclusive.map((p) => (p === '#default' ? '' : p));
  }

  private renderedUri(prefix: string): string | undefined {
    const r = this.rendered;
    for (let i = this.top - 2; i >= 0; i -= 2) if (r[i] === prefix) return r[i + 1];
    // With nothing output, the default namespace is empty: no xmlns="" needed.
    return prefix === '' ? '' : undefined;
  }

  /** Adds a binding the current element must output unless already listed or output by an ancestor. */
  private need(decls: string[], prefix: string, uri: string): void {
    if (prefix === 'xml') return;
    for (let i = 0; i < decls.length; i += 2) if (decls[i] === prefix) return;
    if (this.renderedUri(prefix) === uri) return;
    decls.push(prefix, uri);
  }

  element(el: XmlElement): void {
    const mark = this.top;
    // Namespace bindings this element must output: [prefix, uri] pairs, at most one per prefix.
    const decls: string[] = [];
    this.need(decls, el.prefix, el.ns);
    for (const a of el.attrs) if (a.prefix !== '') this.need(decls, a.prefix, a.ns);
    for (const p of this.inclusive) {
      const uri = lookupNamespace(el, p);
      if (uri !== undefined) this.need(decls, p, uri);
    }
    let s = '<' + el.name;
    if (decls.length > 0) {
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < decls.length; i += 2) pairs.push([decls[i], decls[i + 1]]);
      if (pairs.length > 1) pairs.sort((x, y) => cmp(x[0], y[0]));
      for (const [p, uri] of pairs) {
        s += p === '' ? ` xmlns="${escAttr(uri)}"` : ` xmlns:${p}="${escAttr(uri)}"`;
        this.rendered[this.top++] = p;
        this.rendered[this.top++] = uri;
      }
    }
    const attrs = el.attrs;
    if (attrs.length === 1) {
      s += ` ${attrs[0].name}="${escAttr(attrs[0].value)}"`;
    } else if (attrs.length > 1) {
      const sorted = attrs.slice().sort((x, y) => cmp(x.ns, y.ns) || cmp(x.local, y.local));
      for (const a of sorted) s += ` ${a.name}="${escAttr(a.value)}"`;
    }
    this.out += s + '>';
    for (const c of el.children) {
      if (c.kind === 'text') this.out += escText(c.value);
      else this.element(c);
    }
    this.out += '</' + el.name + '>';
    this.top = mark;
  }
}

/** The exclusive canonical form of `el` and its descendants, comments omitted. */
export function excC14n(el: XmlElement, opts: C14nOptions = {}): string {
  const c = new Canonicalizer(opts.inclusivePrefixes ?? []);
  c.element(el);
  return c.out;
}
