import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OperationDef, ServiceGroup } from '../operations/types.js';
import { LANGS, type Text } from '../i18n/messages.js';
import { NS } from './namespaces.js';
import { ARRAY_ITEM, objectShapeOf, type ObjectShape, type ScalarShape, type Shape } from './schema-xml.js';
import { escapeAttr, escapeText } from './xml/writer.js';

/**
 * WSDL 1.1 per provider subsystem (CONTRACT §2; X-Road message protocol 4.0 §3 and Annex C),
 * generated from the operation table: document/literal wrapped, one body part per message,
 * X-Road headers bound with `soap:header`, `xrd:title` in ky/ru/en in each operation's
 * documentation, `xrd:version` in each binding operation.
 *
 * The X-Road header and identifier schemas are inlined instead of imported by URL: a toolkit
 * reading this WSDL never has to fetch anything from the network.
 */

const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
const SOAP = 'http://schemas.xmlsoap.org/wsdl/soap/';
const HTTP_TRANSPORT = 'http://schemas.xmlsoap.org/soap/http';

/** The X-Road headers the WSDL binds, in X-Road's order. `requestHash` is never described (§2.2). */
export const BOUND_HEADERS = ['client', 'service', 'userId', 'id', 'issue', 'protocolVersion'] as const;

export interface WsdlOptions {
  /** Endpoint for soap:address, e.g. `https://adapter.example/xroad`. */
  address: string;
}

/** The soap:address for a public base URL. */
export function xroadAddress(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/xroad`;
}

class Out {
  private readonly lines: string[] = [];
  private depth = 0;
  line(s: string): this {
    this.lines.push('  '.repeat(this.depth) + s);
    return this;
  }
  open(s: string): this {
    this.line(s);
    this.depth += 1;
    return this;
  }
  close(s: string): this {
    this.depth -= 1;
    return this.line(s);
  }
  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const titles = (o: Out, t: Text): void => {
  for (const l of LANGS) o.line(`<xrd:title xml:lang="${l}">${escapeText(t[l])}</xrd:title>`);
};

/** Generates the WSDL of one group. Deterministic: the same table and address give the same bytes. */
export function generateWsdl(group: ServiceGroup, opts: WsdlOptions): string {
  const o = new Out();
  const name = group.subsystem;
  const xroadOps = group.operations.filter((op) => !op.restOnly);
  o.line('<?xml version="1.0" encoding="UTF-8"?>');
  o.open(
    `<wsdl:definitions xmlns:wsdl="${WSDL}" xmlns:soap="${SOAP}" xmlns:xs="${NS.xsd}" xmlns:xrd="${NS.xrd}" xmlns:id="${NS.id}" xmlns:tns="${escapeAttr(group.namespace)}" name="${escapeAttr(name)}" targetNamespace="${escapeAttr(group.namespace)}">`,
  );
  o.open('<wsdl:documentation>');
  titles(o, group.title);
  o.close('</wsdl:documentation>');
  o.open('<wsdl:types>');
  identifierSchema(o);
  headerSchema(o);
  o.open(`<xs:schema targetNamespace="${escapeAttr(group.namespace)}" elementFormDefault="qualified">`);
  for (const op of xroadOps) {
    wrapperElement(o, op.serviceCode, objectShapeOf(op.input, 'input'), new Set(op.attachmentFields ?? []));
    wrapperElement(o, `${op.serviceCode}Response`, objectShapeOf(op.output, 'output'), new Set());
  }
  o.close('</xs:schema>');
  o.close('</wsdl:types>');

  o.open('<wsdl:message name="requestHeader">');
  for (const h of BOUND_HEADERS) o.line(`<wsdl:part name="${h}" element="xrd:${h}"/>`);
  o.close('</wsdl:message>');
  for (const op of xroadOps) {
    for (const m of [op.serviceCode, `${op.serviceCode}Response`]) {
      o.open(`<wsdl:message name="${m}">`).line(`<wsdl:part name="body" element="tns:${m}"/>`).close('</wsdl:message>');
    }
  }

  o.open(`<wsdl:portType name="${escapeAttr(name)}PortType">`);
  for (const op of xroadOps) {
    o.open(`<wsdl:operation name="${op.serviceCode}">`);
    o.open('<wsdl:documentation>');
    titles(o, op.title);
    o.close('</wsdl:documentation>');
    o.line(`<wsdl:input name="${op.serviceCode}" message="tns:${op.serviceCode}"/>`);
    o.line(`<wsdl:output name="${op.serviceCode}Response" message="tns:${op.serviceCode}Response"/>`);
    o.close('</wsdl:operation>');
  }
  o.close('</wsdl:portType>');

  o.open(`<wsdl:binding name="${escapeAttr(name)}Binding" type="tns:${escapeAttr(name)}PortType">`);
  o.line(`<soap:binding style="document" transport="${HTTP_TRANSPORT}"/>`);
  for (const op of xroadOps) bindingOperation(o, op);
  o.close('</wsdl:binding>');

  o.open(`<wsdl:service name="${escapeAttr(name)}">`);
  o.open(`<wsdl:port name="${escapeAttr(name)}Port" binding="tns:${escapeAttr(name)}Binding">`);
  o.line(`<soap:address location="${escapeAttr(opts.address)}"/>`);
  o.close('</wsdl:port>');
  o.close('</wsdl:service>');
  o.close('</wsdl:definitions>');
  return o.toString();
}

function bindingOperation(o: Out, op: OperationDef): void {
  o.open(`<wsdl:operation name="${op.serviceCode}">`);
  // An empty soapAction: routing is on xrd:service and the body (CONTRACT §2), never on SOAPAction.
  o.line('<soap:operation soapAction="" style="document"/>');
  o.line(`<xrd:version>${escapeText(op.version)}</xrd:version>`);
  for (const [dir, msg] of [
    ['input', op.serviceCode],
    ['output', `${op.serviceCode}Response`],
  ] as const) {
    o.open(`<wsdl:${dir} name="${msg}">`);
    o.line('<soap:body parts="body" use="literal"/>');
    for (const h of BOUND_HEADERS) o.line(`<soap:header message="tns:requestHeader" part="${h}" use="literal"/>`);
    o.close(`</wsdl:${dir}>`);
  }
  o.close('</wsdl:operation>');
}

/** X-Road identifiers (message protocol 4.0 §2.1), as a flat schema without derivation by restriction. */
function identifierSchema(o: Out): void {
  o.open(`<xs:schema targetNamespace="${NS.id}" elementFormDefault="qualified">`);
  o.open('<xs:simpleType name="XRoadObjectType">').open('<xs:restriction base="xs:string">');
  for (const v of ['MEMBER', 'SUBSYSTEM', 'SERVICE', 'CENTRALSERVICE']) o.line(`<xs:enumeration value="${v}"/>`);
  o.close('</xs:restriction>').close('</xs:simpleType>');
  for (const e of ['xRoadInstance', 'memberClass', 'memberCode', 'subsystemCode', 'serviceCode', 'serviceVersion']) o.line(`<xs:element name="${e}" type="xs:string"/>`);
  o.line('<xs:attribute name="objectType" type="id:XRoadObjectType"/>');
  const idType = (typeName: string, parts: Array<[string, boolean]>): void => {
    o.open(`<xs:complexType name="${typeName}">`).open('<xs:sequence>');
    for (const [e, optional] of parts) o.line(`<xs:element ref="id:${e}"${optional ? ' minOccurs="0"' : ''}/>`);
    o.close('</xs:sequence>').line('<xs:attribute ref="id:objectType" use="required"/>').close('</xs:complexType>');
  };
  idType('XRoadClientIdentifierType', [
    ['xRoadInstance', false],
    ['memberClass', false],
    ['memberCode', false],
    ['subsystemCode', true],
  ]);
  idType('XRoadServiceIdentifierType', [
    ['xRoadInstance', false],
    ['memberClass', false],
    ['memberCode', false],
    ['subsystemCode', true],
    ['serviceCode', false],
    ['serviceVersion', true],
  ]);
  o.close('</xs:schema>');
}

function headerSchema(o: Out): void {
  o.open(`<xs:schema targetNamespace="${NS.xrd}" elementFormDefault="qualified">`);
  o.line(`<xs:import namespace="${NS.id}"/>`);
  o.line('<xs:element name="client" type="id:XRoadClientIdentifierType"/>');
  o.line('<xs:element name="service" type="id:XRoadServiceIdentifierType"/>');
  for (const h of ['id', 'userId', 'issue', 'protocolVersion']) o.line(`<xs:element name="${h}" type="xs:string"/>`);
  o.close('</xs:schema>');
}

function wrapperElement(o: Out, name: string, shape: ObjectShape, attachmentFields: Set<string>): void {
  o.open(`<xs:element name="${name}">`);
  complexType(o, shape, attachmentFields);
  o.close('</xs:element>');
}

function complexType(o: Out, shape: ObjectShape, attachmentFields: Set<string>): void {
  if (shape.props.length === 0) {
    o.line('<xs:complexType><xs:sequence/></xs:complexType>');
    return;
  }
  o.open('<xs:complexType>').open('<xs:sequence>');
  for (const p of shape.props) element(o, p.name, p.shape, { minOccurs: p.required ? undefined : 0 }, attachmentFields.has(p.name), attachmentFields);
  o.close('</xs:sequence>').close('</xs:complexType>');
}

function element(o: Out, name: string, shape: Shape, occurs: { minOccurs?: number; maxOccurs?: number | 'unbounded' }, attachment: boolean, attachmentFields: Set<string>): void {
  let attrs = `name="${name}"`;
  if (occurs.minOccurs !== undefined) attrs += ` minOccurs="${occurs.minOccurs}"`;
  if (occurs.maxOccurs !== undefined) attrs += ` maxOccurs="${occurs.maxOccurs}"`;
  if (shape.nullable) attrs += ' nillable="true"';
  const doc = shape.description ? `<xs:annotation><xs:documentation>${escapeText(shape.description)}</xs:documentation></xs:annotation>` : '';
  if (shape.kind === 'object') {
    o.open(`<xs:element ${attrs}>`);
    if (doc) o.line(doc);
    complexType(o, shape, attachmentFields);
    o.close('</xs:element>');
    return;
  }
  if (shape.kind === 'array') {
    o.open(`<xs:element ${attrs}>`);
    if (doc) o.line(doc);
    o.open('<xs:complexType>').open('<xs:sequence>');
    element(o, ARRAY_ITEM, shape.item, { minOccurs: shape.minItems ?? 0, maxOccurs: shape.maxItems ?? 'unbounded' }, attachment, attachmentFields);
    o.close('</xs:sequence>').close('</xs:complexType>');
    o.close('</xs:element>');
    return;
  }
  if (attachment) {
    // swaRef (WS-I AP 1.0): a cid: URI naming a MIME part; an MTOM xop:Include in its place is accepted too.
    o.open(`<xs:element ${attrs} type="xs:anyURI">`);
    o.line('<xs:annotation><xs:documentation>Attachment reference: cid:Content-ID of a multipart/related part (swaRef), or an MTOM xop:Include.</xs:documentation></xs:annotation>');
    o.close('</xs:element>');
    return;
  }
  const { base, facets } = simpleType(shape);
  if (facets.length === 0) {
    if (doc) o.open(`<xs:element ${attrs} type="${base}">`).line(doc).close('</xs:element>');
    else o.line(`<xs:element ${attrs} type="${base}"/>`);
    return;
  }
  o.open(`<xs:element ${attrs}>`);
  if (doc) o.line(doc);
  o.open('<xs:simpleType>').open(`<xs:restriction base="${base}">`);
  for (const f of facets) o.line(f);
  o.close('</xs:restriction>').close('</xs:simpleType>');
  o.close('</xs:element>');
}

const SAFE = Number.MAX_SAFE_INTEGER;

function simpleType(s: ScalarShape): { base: string; facets: string[] } {
  const facets: string[] = [];
  const enumeration = (): void => {
    for (const v of s.enum ?? []) facets.push(`<xs:enumeration value="${escapeAttr(String(v))}"/>`);
  };
  switch (s.kind) {
    case 'boolean':
      return { base: 'xs:boolean', facets };
    case 'integer':
    case 'number': {
      enumeration();
      if (s.minimum !== undefined && !(s.kind === 'integer' && s.minimum <= -SAFE)) facets.push(`<xs:minInclusive value="${s.minimum}"/>`);
      if (s.maximum !== undefined && !(s.kind === 'integer' && s.maximum >= SAFE)) facets.push(`<xs:maxInclusive value="${s.maximum}"/>`);
      if (s.exclusiveMinimum !== undefined) facets.push(`<xs:minExclusive value="${s.exclusiveMinimum}"/>`);
      if (s.exclusiveMaximum !== undefined) facets.push(`<xs:maxExclusive value="${s.exclusiveMaximum}"/>`);
      return { base: s.kind === 'integer' ? 'xs:long' : 'xs:double', facets };
    }
    case 'string': {
      const dated = s.format === 'date' ? 'xs:date' : s.format === 'date-time' ? 'xs:dateTime' : s.format === 'time' ? 'xs:time' : undefined;
      if (dated) return { base: dated, facets };
      enumeration();
      if (s.enum === undefined) {
        if (s.minLength !== undefined) facets.push(`<xs:minLength value="${s.minLength}"/>`);
        if (s.maxLength !== undefined) facets.push(`<xs:maxLength value="${s.maxLength}"/>`);
        const pattern = s.pattern !== undefined ? xsdPattern(s.pattern) : undefined;
        if (pattern !== undefined) facets.push(`<xs:pattern value="${escapeAttr(pattern)}"/>`);
      }
      return { base: 'xs:string', facets };
    }
    default:
      return { base: 'xs:string', facets };
  }
}

/**
 * An ECMAScript pattern as an XSD pattern (XML Schema 2 Appendix F), or undefined when it uses
 * what XSD regular expressions lack (lookaround, non-capturing groups with flags, backreferences,
 * lazy quantifiers, word boundaries, \u escapes). XSD patterns are implicitly anchored.
 * A pattern left out of the WSDL is still enforced by the adapter.
 */
export function xsdPattern(js: string): string | undefined {
  if (/\(\?[=!<]|\\[bBkux0-9]|[*+?}]\?|\\c/.test(js)) return undefined;
  let p = js.replace(/\(\?:/g, '(').replace(/\\\//g, '/');
  const anchoredStart = p.startsWith('^');
  const anchoredEnd = p.endsWith('$') && !p.endsWith('\\$');
  if (anchoredStart) p = p.slice(1);
  if (anchoredEnd) p = p.slice(0, -1);
  if (/(^|[^\\])[\^$]/.test(p.replace(/\[\^/g, '['))) return undefined; // anchors inside: not expressible
  if (!anchoredStart) p = `.*${p}`;
  if (!anchoredEnd) p = `${p}.*`;
  return p;
}

/** Writes `<subsystem>.wsdl` for every group into `dir`; returns the files written. */
export function writeWsdlFiles(groups: ServiceGroup[], publicUrl: string, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return groups.map((g) => {
    const file = path.join(dir, `${g.subsystem}.wsdl`);
    fs.writeFileSync(file, generateWsdl(g, { address: xroadAddress(publicUrl) }));
    return file;
  });
}

/** `npm run wsdl`: regenerates wsdl/ from the groups `src/operations/service-groups.ts` lists, with the default config's public URL. */
async function main(): Promise<void> {
  const { loadConfig } = await import('../config/loader.js');
  const { describedServiceGroups } = await import('../operations/service-groups.js');
  const config = loadConfig({ env: { NODE_ENV: 'development' } });
  const files = writeWsdlFiles(describedServiceGroups(), config.server.publicUrl, path.resolve('wsdl'));
  for (const f of files) process.stdout.write(`${path.relative(process.cwd(), f)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`wsdl: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
