import { expect } from 'chai';
import { z } from 'zod';
import { parseXml } from '../../../src/xroad/xml/parser.js';
import { decodeBody, encodeWrapper, objectShapeOf, shapeOf, SchemaMappingError } from '../../../src/xroad/schema-xml.js';
import { AppError } from '../../../src/errors/app-error.js';
import { localizedIssue, parseInput } from '../../../src/operations/operation-table.js';

const NS = 'urn:test:v1';
const input = z.object({
  inn: z.string().regex(/^\d{14}$/),
  count: z.number().int().min(1).optional(),
  ratio: z.number().optional(),
  active: z.boolean(),
  since: z.iso.date().optional(),
  tags: z.array(z.string().max(5)).optional(),
  address: z.object({ city: z.string(), street: z.string().optional() }).optional(),
  kind: z.enum(['A', 'B']).optional(),
  note: z.string().nullable().optional(),
  file: z.string().optional(),
});

function decode(inner: string, opts: { attachmentFields?: string[] } = {}): Record<string, unknown> {
  const root = parseXml(`<t:op xmlns:t="${NS}">${inner}</t:op>`);
  return decodeBody(root, objectShapeOf(input, 'input'), { namespace: NS, ...opts });
}

function fieldsOf(fn: () => unknown): Array<{ field: string; reason: string }> {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.fields.map((f) => ({ field: f.field, reason: f.reason }));
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('schema-xml: zod schema ↔ XML body', () => {
  it('decodes objects, arrays of item, numbers, booleans, dates and nil into what zod accepts', () => {
    const raw = decode(
      '<t:inn>01001202210023</t:inn><t:count>3</t:count><t:ratio>2.5e1</t:ratio><t:active>1</t:active><t:since>2026-01-05</t:since>' +
        '<t:tags><t:item>a</t:item><t:item>b</t:item></t:tags><t:address><t:city>Bishkek</t:city></t:address><t:kind>B</t:kind>' +
        '<t:note xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>',
    );
    expect(parseInput(input, raw)).to.deep.equal({
      inn: '01001202210023', count: 3, ratio: 25, active: true, since: '2026-01-05', tags: ['a', 'b'], address: { city: 'Bishkek' }, kind: 'B', note: null,
    });
  });

  it('refuses unknown, repeated and foreign-namespace elements with the field path', () => {
    expect(fieldsOf(() => decode('<t:inn>1</t:inn><t:extra/>'))).to.deep.equal([{ field: 'extra', reason: 'unknown' }]);
    expect(fieldsOf(() => decode('<t:inn>1</t:inn><t:inn>2</t:inn>'))).to.deep.equal([{ field: 'inn', reason: 'repeated' }]);
    expect(fieldsOf(() => decode('<inn xmlns="urn:other">1</inn>'))).to.deep.equal([{ field: 'inn', reason: 'unknown' }]);
    expect(fieldsOf(() => decode('<t:tags><t:x>1</t:x></t:tags>'))).to.deep.equal([{ field: 'tags.x', reason: 'unknown' }]);
    expect(fieldsOf(() => decode('<t:address>text</t:address>'))).to.deep.include({ field: 'address', reason: 'type' });
    expect(fieldsOf(() => decode('<t:inn><t:x/></t:inn>'))).to.deep.equal([{ field: 'inn', reason: 'type' }]);
  });

  it('treats __proto__ and constructor element names as unknown and never touches prototypes', () => {
    const fields = fieldsOf(() => decode('<t:__proto__><t:polluted>1</t:polluted></t:__proto__><t:constructor><t:prototype>x</t:prototype></t:constructor>'));
    expect(fields).to.deep.equal([{ field: '__proto__', reason: 'unknown' }, { field: 'constructor', reason: 'unknown' }]);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    const raw = decode('<t:inn>01001202210023</t:inn><t:active>true</t:active>');
    expect(Object.getPrototypeOf(raw)).to.equal(null);
    expect(parseInput(input, raw)).to.deep.equal({ inn: '01001202210023', active: true });
  });

  it('hands unparseable numbers and booleans to zod, which names the field and the reason', () => {
    const raw = decode('<t:inn>123</t:inn><t:count>3x</t:count><t:active>yes</t:active><t:kind>C</t:kind><t:tags><t:item>toolong</t:item></t:tags>');
    const fields = fieldsOf(() => parseInput(input, raw));
    expect(fields).to.deep.equal([
      { field: 'inn', reason: 'pattern' },
      { field: 'count', reason: 'type' },
      { field: 'active', reason: 'type' },
      { field: 'tags[0]', reason: 'tooLong' },
      { field: 'kind', reason: 'enum' },
    ]);
    expect(fieldsOf(() => parseInput(input, decode('')))).to.deep.equal([
      { field: 'inn', reason: 'required' },
      { field: 'active', reason: 'required' },
    ]);
  });

  it('gives every field error a message in ky, ru and en; schemas may bring their own', () => {
    const s = z.object({ inn: z.string().regex(/^\d{14}$/, { error: localizedIssue({ ky: 'ИНН 14 сан', ru: 'ИНН из 14 цифр', en: 'INN is 14 digits' }) }) });
    try {
      parseInput(s, { inn: '1' });
      expect.fail('should throw');
    } catch (e) {
      const f = (e as AppError).fields[0];
      expect(f.message).to.deep.equal({ ky: 'ИНН 14 сан', ru: 'ИНН из 14 цифр', en: 'INN is 14 digits' });
    }
    try {
      parseInput(input, {});
      expect.fail('should throw');
    } catch (e) {
      for (const f of (e as AppError).fields) expect(f.message.ky && f.message.ru && f.message.en).to.be.a('string').and.not.equal('');
    }
  });

  it('reads attachment references from swaRef text and MTOM xop:Include only in attachment fields', () => {
    expect(decode('<t:file>cid:doc%401</t:file>', { attachmentFields: ['file'] }).file).to.equal('doc@1');
    expect(decode('<t:file><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:part2"/></t:file>', { attachmentFields: ['file'] }).file).to.equal('part2');
    expect(fieldsOf(() => decode('<t:note><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:p"/></t:note>'))).to.deep.equal([{ field: 'note', reason: 'type' }]);
  });

  it('encodes output in schema order with XSD lexical forms, items, nil and escaping', () => {
    const out = z.object({ b: z.boolean(), a: z.string(), n: z.number(), list: z.array(z.object({ x: z.number().int() })), gone: z.string().optional(), nul: z.string().nullable() });
    const xml = encodeWrapper('opResponse', NS, { a: '<&>', b: false, n: 1.5, list: [{ x: 1 }, { x: 2 }], nul: null }, objectShapeOf(out, 'output'));
    expect(xml).to.equal(
      `<tns:opResponse xmlns:tns="${NS}"><tns:b>false</tns:b><tns:a>&lt;&amp;&gt;</tns:a><tns:n>1.5</tns:n>` +
        '<tns:list><tns:item><tns:x>1</tns:x></tns:item><tns:item><tns:x>2</tns:x></tns:item></tns:list>' +
        '<tns:nul xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"></tns:nul></tns:opResponse>',
    );
    const back = decodeBody(parseXml(xml), objectShapeOf(out, 'output'), { namespace: NS });
    expect(out.parse(back)).to.deep.equal({ a: '<&>', b: false, n: 1.5, list: [{ x: 1 }, { x: 2 }], nul: null });
  });

  it('refuses to encode a value its shape cannot carry, naming the field path', () => {
    const out = objectShapeOf(z.object({ list: z.array(z.object({ x: z.number(), when: z.string() })), inner: z.object({ tags: z.array(z.string()) }) }), 'output');
    const fails = (value: unknown) => {
      try {
        encodeWrapper('opResponse', NS, value, out);
      } catch (e) {
        expect(e).to.be.instanceOf(SchemaMappingError);
        return (e as Error).message;
      }
      throw new Error('encoded');
    };
    expect(fails({ list: [{ x: 1, when: 'a' }, { x: Number.NaN, when: 'b' }] })).to.equal('list[1].x: non-finite number');
    expect(fails({ list: [{ x: 1, when: {} }] })).to.equal('list[0].when: cannot encode a object as text');
    expect(fails({ inner: { tags: 'one' } })).to.equal('inner.tags: expected an array to encode');
    expect(fails({ inner: [] })).to.equal('inner: expected an object to encode');
  });

  it('maps unions of objects to one optional sequence and refuses what XML cannot say', () => {
    const u = z.union([z.object({ status: z.literal('OK') }), z.object({ status: z.literal('REFUSED'), reason: z.string() })]);
    const shape = shapeOf(u, 'input');
    expect(shape.kind).to.equal('object');
    if (shape.kind === 'object') expect(shape.props.map((p) => [p.name, p.required])).to.deep.equal([['status', true], ['reason', false]]);
    expect(() => shapeOf(z.record(z.string(), z.string()), 'input')).to.throw(SchemaMappingError);
    expect(() => shapeOf(z.tuple([z.string(), z.number()]), 'input')).to.throw(SchemaMappingError);
  });
});
