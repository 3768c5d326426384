import { expect } from 'chai';
import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { excC14n } from '../../../src/xroad/c14n.js';
import { parseXml } from '../../../src/xroad/xml/parser.js';
import type { XmlElement } from '../../../src/xroad/xml/types.js';

/** Finds the first element with this qualified name, depth first. */
function find(el: XmlElement, name: string): XmlElement {
  if (el.name === name) return el;
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    try {
      return find(c, name);
    } catch {
      // keep looking in the next sibling
    }
  }
  throw new Error(`no <${name}>`);
}

/** The few xmldom node members the reference walk reads. */
interface DomNode {
  nodeType: number;
  parentNode: DomNode | null;
  attributes?: { length: number; item(i: number): { prefix: string | null; localName: string | null; value: string } | null };
}

/** xml-crypto's canonicalizer over xmldom: an independent implementation to compare with. */
function reference(xml: string, name: string, inclusive: string[]): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const el = doc.getElementsByTagName(name)[0];
  const ancestorNamespaces: Array<{ prefix: string; namespaceURI: string }> = [];
  const seen = new Set<string>();
  for (let p = (el as unknown as DomNode).parentNode; p && p.nodeType === 1; p = p.parentNode) {
    const attrs = p.attributes;
    for (let i = 0; attrs && i < attrs.length; i++) {
      const a = attrs.item(i);
      if (a && a.prefix === 'xmlns' && !seen.has(a.localName ?? '')) {
        seen.add(a.localName ?? '');
        ancestorNamespaces.push({ prefix: a.localName ?? '', namespaceURI: a.value });
      }
    }
  }
  const c14n = new ExclusiveCanonicalization();
  // xml-crypto types its input as the DOM lib's Element, which this project does not load.
  return c14n.process(el as unknown as Parameters<typeof c14n.process>[0], { inclusiveNamespacesPrefixList: inclusive, ancestorNamespaces }).toString();
}

describe('xroad exclusive c14n', () => {
  it('matches the exc-c14n specification example (§2.2)', () => {
    const doc = parseXml('<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>');
    expect(excC14n(find(doc, 'n1:elem2'))).to.equal('<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>');
  });

  it('imports no xml:* attributes from ancestors and drops unused declarations', () => {
    const doc = parseXml('<a xml:lang="ky" xmlns:u="urn:unused" xmlns:p="urn:p"><p:b><c/></p:b></a>');
    expect(excC14n(find(doc, 'p:b'))).to.equal('<p:b xmlns:p="urn:p"><c></c></p:b>');
  });

  it('sorts declarations by prefix and attributes by namespace then local name', () => {
    const doc = parseXml('<r xmlns:z="urn:a" xmlns:a="urn:z" z:x="1" a:x="2" b="3" a="4" z:a="5"/>');
    expect(excC14n(doc)).to.equal('<r xmlns:a="urn:z" xmlns:z="urn:a" a="4" b="3" z:a="5" z:x="1" a:x="2"></r>');
  });

  it('escapes text and attributes per Canonical XML §2.3', () => {
    const doc = parseXml('<r a="&lt;&amp;&gt;&quot;&#9;&#10;&#13;\'">&lt;&amp;&gt;"\'&#13;<![CDATA[<]]></r>');
    expect(excC14n(doc)).to.equal('<r a="&lt;&amp;>&quot;&#x9;&#xA;&#xD;\'">&lt;&amp;&gt;"\'&#xD;&lt;</r>');
  });

  it('outputs xmlns="" only when an output ancestor set a default namespace', () => {
    const doc = parseXml('<r xmlns="urn:d"><a><b xmlns=""><c/></b></a></r>');
    expect(excC14n(find(doc, 'b'))).to.equal('<b><c></c></b>');
    expect(excC14n(find(doc, 'a'))).to.equal('<a xmlns="urn:d"><b xmlns=""><c></c></b></a>');
  });

  it('adds InclusiveNamespaces prefixes in scope, including from ancestors', () => {
    const doc = parseXml('<r xmlns:xs="urn:xs" xmlns="urn:d" xmlns:u="urn:u"><p:a xmlns:p="urn:p" t="xs:string"><b/></p:a></r>');
    expect(excC14n(find(doc, 'p:a'), { inclusivePrefixes: ['xs', '#default', 'missing'] })).to.equal(
      '<p:a xmlns="urn:d" xmlns:p="urn:p" xmlns:xs="urn:xs" t="xs:string"><b></b></p:a>',
    );
  });

  it('outputs a redeclared prefix again where its value changes', () => {
    const doc = parseXml('<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c xmlns:p="urn:2"/></p:b><p:d/></p:a>');
    expect(excC14n(doc)).to.equal('<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c></p:c></p:b><p:d></p:d></p:a>');
  });

  describe('agrees with xml-crypto on SOAP-shaped documents', () => {
    const cases: Array<{ xml: string; el: string; inclusive?: string[] }> = [
      {
        xml: '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers"><soapenv:Header><xrd:client id:objectType="SUBSYSTEM"><id:xRoadInstance>central-server</id:xRoadInstance><id:memberClass>GOV</id:memberClass></xrd:client></soapenv:Header><soapenv:Body/></soapenv:Envelope>',
        el: 'xrd:client',
      },
      {
        xml: '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsu="urn:wsu"><s:Body wsu:Id="b1" xmlns:h="urn:h"><h:getHolder xmlns="urn:d">\n  <inn>  01234567890123 </inn>\r\n  <note a="x\ty">a &amp; b &lt; c</note><!-- c --><empty/></h:getHolder></s:Body></s:Envelope>',
        el: 's:Body',
      },
      {
        xml: '<a xmlns="urn:d" xmlns:x="urn:x"><b x:attr="1" attr="2" xmlns:y="urn:y"><y:c xmlns="">text</y:c></b></a>',
        el: 'b',
        inclusive: ['x'],
      },
      {
        xml: '<Timestamp xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" Id="_1"><Created>2025-01-01T00:00:00Z</Created></Timestamp>',
        el: 'Timestamp',
      },
      {
        xml: '<r><ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:ec="urn:ec"><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:Reference URI="#a"><ds:DigestValue>q+/=</ds:DigestValue></ds:Reference></ds:SignedInfo></r>',
        el: 'ds:SignedInfo',
      },
    ];
    for (const [i, c] of cases.entries()) {
      it(`case ${i + 1}: <${c.el}>`, () => {
        expect(excC14n(find(parseXml(c.xml), c.el), { inclusivePrefixes: c.inclusive })).to.equal(reference(c.xml, c.el, c.inclusive ?? []));
      });
    }
  });
});
