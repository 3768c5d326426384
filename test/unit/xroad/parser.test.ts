import { expect } from 'chai';
import net from 'node:net';
import { parseXml, XmlParseError, decodeUtf8, type XmlParseFailure } from '../../../src/xroad/xml/parser.js';
import { childElements, firstChild, textOf, attrNs, XmlShapeError } from '../../../src/xroad/xml/dom.js';
import { escapeAttr, escapeText } from '../../../src/xroad/xml/writer.js';
import type { XmlElement, XmlLimits } from '../../../src/xroad/xml/types.js';
import { expectRefusal } from './helpers.js';

function refused(xml: string, reason: XmlParseFailure, limits?: Partial<XmlLimits>): XmlParseError {
  return expectRefusal(() => parseXml(xml, limits), XmlParseError, (e) => [e.reason], [reason]);
}

describe('xroad/xml parser', () => {
  describe('accepted documents', () => {
    it('resolves namespaces, attributes and offsets', () => {
      const src = '<?xml version="1.0" encoding="UTF-8"?>\n<a:root xmlns:a="urn:a" xmlns="urn:d" x="1" a:y="2"><child/><a:b>t</a:b></a:root>';
      const root = parseXml(src);
      expect(root.ns).to.equal('urn:a');
      expect(root.local).to.equal('root');
      expect(root.nsDecls.get('a')).to.equal('urn:a');
      expect(root.attrs.map((a) => [a.name, a.ns, a.value])).to.deep.equal([
        ['x', '', '1'],
        ['a:y', 'urn:a', '2'],
      ]);
      const [child, b] = childElements(root);
      expect(child.ns).to.equal('urn:d');
      expect(child.parent).to.equal(root);
      expect(src.slice(b.start, b.end)).to.equal('<a:b>t</a:b>');
      expect(src.slice(root.start, root.end)).to.equal(src.slice(src.indexOf('<a:root')));
      expect(firstChild(root, 'urn:a', 'b')).to.equal(b);
      expect(attrNs(root, 'urn:a', 'y')).to.equal('2');
    });

    it('decodes the predefined entities, character references and CDATA', () => {
      const root = parseXml('<r a="&lt;&#x41;&#66;&quot;">&amp;&apos;&gt;<![CDATA[<x>&amp;]]>&#x1F600;</r>');
      expect(root.attrs[0].value).to.equal('<AB"');
      expect(textOf(root)).to.equal("&'><x>&amp;\u{1F600}");
    });

    it('normalises line ends in text and whitespace in attributes (XML 1.0 §2.11, §3.3.3)', () => {
      const root = parseXml('<r a="x\r\ny\tz&#xA;">1\r\n2\r3&#13;</r>');
      expect(root.attrs[0].value).to.equal('x y z\n');
      expect(textOf(root)).to.equal('1\n2\n3\r');
    });

    it('keeps comments out of the tree but marks their parent', () => {
      const root = parseXml('<!-- before --><r><v>ad<!-- split -->min</v></r><!-- after -->');
      const v = childElements(root)[0];
      expect(v.children).to.have.length(2);
      expect(v.hasComment).to.equal(true);
      expect(root.hasComment).to.equal(undefined);
      expect(textOf(v)).to.equal('admin');
    });

    it('treats __proto__ and constructor as ordinary names', () => {
      const root = parseXml('<__proto__ constructor="1" xmlns:toString="urn:t"><constructor><toString:hasOwnProperty/></constructor></__proto__>');
      expect(root.name).to.equal('__proto__');
      expect(root.attrs[0].name).to.equal('constructor');
      const c = childElements(root)[0];
      expect(c.name).to.equal('constructor');
      expect(childElements(c)[0].ns).to.equal('urn:t');
      expect(Object.prototype).to.not.have.property('polluted');
      expect(({} as Record<string, unknown>).constructor).to.equal(Object);
    });

    it('accepts a BOM, the xml prefix, and whitespace/comments around the root', () => {
      const root = parseXml('\uFEFF<?xml version="1.0"?>\n<r xml:lang="ky"/>\n<!--c-->\n');
      expect(root.attrs[0].ns).to.equal('http://www.w3.org/XML/1998/namespace');
    });

    it('accepts one byte-order mark from the wire, not two', () => {
      const bom = Buffer.from([0xef, 0xbb, 0xbf]);
      expect(parseXml(decodeUtf8(Buffer.concat([bom, Buffer.from('<r/>')]))).local).to.equal('r');
      expect(() => parseXml(decodeUtf8(Buffer.concat([bom, bom, Buffer.from('<r/>')])))).to.throw(XmlParseError);
    });

    it('undeclares the default namespace with xmlns=""', () => {
      const root = parseXml('<r xmlns="urn:d"><c xmlns=""/></r>');
      expect(childElements(root)[0].ns).to.equal('');
    });
  });

  describe('dom helpers', () => {
    it('textOf refuses element content', () => {
      expect(() => textOf(parseXml('<r>a<b/>c</r>'))).to.throw(XmlShapeError);
    });
    it('escapes text and attributes so they read back unchanged', () => {
      const value = 'a&b<c>d"e\'\tf\ng\rh';
      const root = parseXml(`<r a="${escapeAttr(value)}">${escapeText(value)}</r>`);
      expect(root.attrs[0].value).to.equal(value);
      expect(textOf(root)).to.equal(value);
      expect(() => escapeText('a\u0000b')).to.throw(RangeError);
    });

    it('writes plain values as they are, and still refuses what XML cannot carry in any of them', () => {
      for (const plain of ['', '01001202210023', 'Государственное агентство', 'tab\tin text', "it's"]) expect(escapeText(plain)).to.equal(plain);
      expect(escapeAttr('Бишкек 96')).to.equal('Бишкек 96');
      expect(escapeAttr('a\tb')).to.equal('a&#x9;b');
      // Paired surrogates are text; a lone one, a control character or U+FFFE is not, in text or attribute.
      expect(escapeText('emoji \uD83D\uDE00 & more')).to.equal('emoji \uD83D\uDE00 &amp; more');
      for (const bad of ['lone \uD83D high', 'lone \uDE00 low', 'bell \u0007', 'nonchar \uFFFE', 'esc \u001B']) {
        expect(() => escapeText(bad), JSON.stringify(bad)).to.throw(RangeError);
        expect(() => escapeAttr(bad), JSON.stringify(bad)).to.throw(RangeError);
      }
    });
  });

  describe('refused documents', () => {
    it('DOCTYPE (XXE with a file)', () => {
      refused('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', 'DOCTYPE');
    });
    it('DOCTYPE (XXE with a loopback URL) without any connection attempt', async () => {
      let connections = 0;
      const server = net.createServer((s) => {
        connections++;
        s.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      try {
        refused(`<!DOCTYPE r SYSTEM "http://127.0.0.1:${port}/evil.dtd"><r/>`, 'DOCTYPE');
        refused(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:${port}/x">]><r>&x;</r>`, 'DOCTYPE');
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect(connections).to.equal(0);
    });
    it('billion laughs', () => {
      const lol = ['<!DOCTYPE lolz [<!ENTITY lol "lol">'];
      for (let i = 1; i < 10; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
      refused(`${lol.join('')}]><lolz>&lol9;</lolz>`, 'DOCTYPE');
    });
    it('an entity declaration outside a DOCTYPE', () => {
      refused('<r><!ENTITY x "y"></r>', 'ENTITY');
    });
    it('a reference to an undeclared entity', () => {
      refused('<r>&xxe;</r>', 'ENTITY');
      refused('<r a="&nbsp;"/>', 'ENTITY');
    });
    it('processing instructions, and an XML declaration not at the start', () => {
      refused('<r><?php echo 1 ?></r>', 'PI');
      refused(' <?xml version="1.0"?><r/>', 'PI');
      refused('<?xml-stylesheet href="x"?><r/>', 'PI');
    });
    it('an encoding other than UTF-8, and unpaired surrogates', () => {
      refused('<?xml version="1.0" encoding="ISO-8859-1"?><r/>', 'ENCODING');
      refused('<r>\uD800</r>', 'ENCODING');
      expect(() => decodeUtf8(Buffer.from([0x3c, 0x72, 0xff, 0x2f, 0x3e]))).to.throw(XmlParseError);
      expect(decodeUtf8(Buffer.from('<r>ё</r>'))).to.equal('<r>ё</r>');
    });
    it('multiple roots', () => {
      refused('<a/><b/>', 'MULTIPLE_ROOTS');
    });
    it('trailing garbage', () => {
      refused('<a/>garbage', 'TRAILING_CONTENT');
      refused('<a></a></a>', 'TRAILING_CONTENT');
      refused('<a/><![CDATA[x]]>', 'TRAILING_CONTENT');
    });
    it('10^5 nested elements, refused at the depth limit without recursion', () => {
      const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
      const e = refused(deep, 'LIMIT_DEPTH');
      expect(e.offset).to.equal(64 * 3);
    });
    it('a 1 MB attribute', () => {
      refused(`<r a="${'x'.repeat(1024 * 1024)}"/>`, 'LIMIT_ATTRIBUTE_LENGTH');
    });
    it('too many attributes, elements, bytes, a long name', () => {
      refused(`<r ${Array.from({ length: 33 }, (_, i) => `a${i}="1"`).join(' ')}/>`, 'LIMIT_ATTRIBUTES');
      refused(`<r>${'<e/>'.repeat(20)}</r>`, 'LIMIT_ELEMENTS', { maxElements: 10 });
      refused(`<r>${'x'.repeat(2000)}</r>`, 'LIMIT_SIZE', { maxBytes: 1000 });
      refused(`<r>${'ж'.repeat(400)}</r>`, 'LIMIT_SIZE', { maxBytes: 800 });
      refused(`<${'n'.repeat(129)}/>`, 'LIMIT_NAME_LENGTH');
    });
    it('keeps a default limit when a caller passes it as undefined', () => {
      refused('<a>'.repeat(100) + '</a>'.repeat(100), 'LIMIT_DEPTH', { maxDepth: undefined });
    });
    it('unbound prefixes on elements and attributes', () => {
      refused('<x:r/>', 'UNBOUND_PREFIX');
      refused('<r x:a="1"/>', 'UNBOUND_PREFIX');
      refused('<r><a xmlns:x="urn:x"/><x:b/></r>', 'UNBOUND_PREFIX');
    });
    it('duplicate attributes, by name and by expanded name', () => {
      refused('<r a="1" a="2"/>', 'DUPLICATE_ATTRIBUTE');
      refused('<r xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2"/>', 'DUPLICATE_ATTRIBUTE');
      refused('<r xmlns:p="urn:x" xmlns:p="urn:y"/>', 'DUPLICATE_ATTRIBUTE');
    });
    it('malformed markup', () => {
      for (const bad of [
        '',
        '<r>',
        '<r></s>',
        '<r a=1/>',
        '<r a="1"b="2"/>',
        '<r a="<"/>',
        '<r a="1" b="x<y"/>',
        "<r a='1' b='2' c='<'>t</r>",
        '<r>a & b</r>',
        '<r>]]></r>',
        '<r><!-- a -- b --></r>',
        '<r>&#0;</r>',
        '<r>\u0001</r>',
        'text<r/>',
        '<r xmlns:p=""/>',
        '<r xmlns:xml="urn:other"/>',
        '<:r/>',
        '<a:b:c xmlns:a="urn:a"/>',
        '<r><![CDATA[x</r>',
      ]) {
        refused(bad, 'MALFORMED');
      }
    });
  });

  it('parses a 1 MB document in linear time', () => {
    const body = `<r>${'<e a="1">text &amp; more</e>'.repeat(30_000)}</r>`;
    const t0 = performance.now();
    const root: XmlElement = parseXml(body, { maxElements: 100_000 });
    const ms = performance.now() - t0;
    expect(root.children).to.have.length(30_000);
    expect(ms).to.be.below(2000);
  });
});
