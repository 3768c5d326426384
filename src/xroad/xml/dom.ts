import type { XmlElement } from './types.js';

/** A value was expected to be plain text (or a single element) but the tree says otherwise. */
export class XmlShapeError extends Error {
  constructor(
    /** Qualified name of the element whose content was unexpected. */
    readonly element: string,
    message: string,
  ) {
    super(message);
    this.name = 'XmlShapeError';
  }
}

/** Element children in document order (text dropped). */
export function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === 'element') out.push(c);
  return out;
}

/** First element child with this namespace and local name. */
export function firstChild(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.kind === 'element' && c.local === local && c.ns === ns) return c;
  return undefined;
}

/** Every element child with this namespace and local name. */
export function childrenNamed(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === 'element' && c.local === local && c.ns === ns) out.push(c);
  return out;
}

/**
 * The element's text: every text child concatenated, which is exactly what exclusive c14n
 * without comments signs. A value split by a comment ("ad<!---->min") therefore reads as the
 * whole signed text, never as its first piece. Throws when the element has element children.
 */
export function textOf(el: XmlElement): string {
  let out = '';
  for (const c of el.children) {
    if (c.kind === 'element') throw new XmlShapeError(el.name, `<${el.name}> must contain text only, found <${c.name}>`);
    out += c.value;
  }
  return out;
}

/** True when the element has no text children other than whitespace. */
export function onlyWhitespaceText(el: XmlElement): boolean {
  for (const c of el.children) if (c.kind === 'text' && !/^[ \t\r\n]*$/.test(c.value)) return false;
  return true;
}

/** Attribute value by namespace ('' for unqualified) and local name. */
export function attrNs(el: XmlElement, ns: string, local: string): string | undefined {
  for (const a of el.attrs) if (a.local === local && a.ns === ns) return a.value;
  return undefined;
}

/** The namespace URI a prefix ('' for the default) is bound to at this element, walking up the tree. */
export function lookupNamespace(el: XmlElement, prefix: string): string | undefined {
  if (prefix === 'xml') return 'http://www.w3.org/XML/1998/namespace';
  for (let e: XmlElement | null = el; e; e = e.parent) {
    const uri = e.nsDecls.get(prefix);
    if (uri !== undefined) return uri;
  }
  return prefix === '' ? '' : undefined;
}

/** Every namespace binding in scope at this element (innermost wins), the xml prefix excluded. */
export function inScopeNamespaces(el: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  for (let e: XmlElement | null = el; e; e = e.parent) for (const [p, uri] of e.nsDecls) if (!out.has(p)) out.set(p, uri);
  return out;
}

/** Visits the element and its descendants in document order. */
export function walk(el: XmlElement, visit: (e: XmlElement) => void): void {
  visit(el);
  for (const c of el.children) if (c.kind === 'element') walk(c, visit);
}
