/**
 * The tree the hardened XML parser builds. It keeps source offsets so that signed content
 * can be canonicalised from exactly what was received, and so that transports act only on
 * elements the signature verification has resolved by position.
 */
export interface XmlAttribute {
  /** Qualified name as written, e.g. "wsu:Id". */
  name: string;
  prefix: string;
  local: string;
  /** Namespace URI ('' for unprefixed attributes). */
  ns: string;
  /** Decoded value (entities &lt; &gt; &amp; &quot; &apos; and character references resolved). */
  value: string;
}

export interface XmlText {
  kind: 'text';
  /** Decoded text (CDATA included as text). */
  value: string;
}

export interface XmlElement {
  kind: 'element';
  /** Qualified name as written, e.g. "soapenv:Body". */
  name: string;
  prefix: string;
  local: string;
  /** Resolved namespace URI ('' when none). */
  ns: string;
  /** Attributes other than namespace declarations, in document order. */
  attrs: XmlAttribute[];
  /** Namespace declarations made on this element: prefix ('' for default) → URI. */
  nsDecls: Map<string, string>;
  children: XmlNode[];
  parent: XmlElement | null;
  /** Offsets into the source string: start of '<', end after the closing '>'. */
  start: number;
  end: number;
  /**
   * Set when a comment sat directly inside this element. Comments are not in the tree (c14n
   * without comments drops them); values that must be plain text (DigestValue) refuse them.
   */
  hasComment?: boolean;
}

export type XmlNode = XmlElement | XmlText;

/** Limits enforced while parsing, before any tree gets deep or wide (CONTRACT §3). */
export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxAttributes: number;
  maxAttributeLength: number;
  maxNameLength: number;
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxDepth: 64,
  maxAttributes: 32,
  maxAttributeLength: 8192,
  maxNameLength: 128,
  maxElements: 50_000,
};
