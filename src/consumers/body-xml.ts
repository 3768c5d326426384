import type { XmlElement } from '../xroad/xml/types.js';
import { childElements, textOf } from '../xroad/xml/dom.js';
import { escapeAttr, escapeText } from '../xroad/xml/writer.js';

/**
 * Small helpers for the document/literal bodies of consumed services: writing a request wrapper
 * and reading the flat fields of a response wrapper. The envelope, headers and signature are the
 * XML security core's; these only touch what lies inside soapenv:Body.
 */

/** Simple text elements with the prefix `t` (declared by the enclosing wrapper); undefined values are left out. */
export function textFieldsXml(fields: Array<[string, string | undefined]>): string {
  return fields
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([k, v]) => `<t:${k}>${escapeText(v)}</t:${k}>`)
    .join('');
}

/**
 * A wrapper element in `ns` around already serialised children using the prefix `t`, all
 * namespace-qualified (elementFormDefault="qualified" in the consumed WSDLs).
 */
export function wrapperAround(ns: string, name: string, innerXml: string): string {
  return `<t:${name} xmlns:t="${escapeAttr(ns)}">${innerXml}</t:${name}>`;
}

/** A wrapper element in `ns` with simple text children. */
export function wrapperXml(ns: string, name: string, fields: Array<[string, string | undefined]>): string {
  return wrapperAround(ns, name, textFieldsXml(fields));
}

/**
 * Children of a response element accepted as fields: in the body namespace (qualified) or in no
 * namespace (unqualified, as many Tunduk providers send).
 */
function isFieldNs(child: XmlElement, ns: string): boolean {
  return child.ns === ns || child.ns === '';
}

/**
 * Reads the flat text fields of `el`: known names only, each at most once; unknown elements are
 * ignored (forward compatibility), repeated or nested known ones are refused (throws).
 * Values are trimmed; empty values are absent.
 */
export function readFlatFields<K extends string>(el: XmlElement, ns: string, known: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  const seen = new Set<string>();
  for (const child of childElements(el)) {
    if (!isFieldNs(child, ns) || !(known as readonly string[]).includes(child.local)) continue;
    if (seen.has(child.local)) throw new TypeError(`field ${child.local} appears more than once`);
    seen.add(child.local);
    const value = textOf(child).trim();
    if (value !== '') out[child.local as K] = value;
  }
  return out;
}

/** Children of `el` with the given local name in the body namespace (or unqualified). */
export function fieldElements(el: XmlElement, ns: string, local: string): XmlElement[] {
  return childElements(el).filter((c) => c.local === local && isFieldNs(c, ns));
}
