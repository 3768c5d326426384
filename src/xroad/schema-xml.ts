import { z } from 'zod';
import { AppError, type FieldError } from '../errors/app-error.js';
import { fieldError, fieldPath } from '../operations/operation-table.js';
import { NS } from './namespaces.js';
import { attrNs, childElements, onlyWhitespaceText } from './xml/dom.js';
import type { XmlElement } from './xml/types.js';
import { escapeAttr, escapeText } from './xml/writer.js';

/**
 * The mapping between an operation's zod schemas and its SOAP body (document/literal wrapped):
 * an object is a sequence of child elements named after its properties, in schema order; an array
 * is an element holding repeated `<item>` children; numbers, booleans and dates use their XSD
 * lexical forms; an optional property is an absent element; null is `xsi:nil="true"`.
 *
 * The schema is read through `z.toJSONSchema` (zod 4's stable introspection format), once per
 * schema, into a small `Shape` tree that the decoder, the encoder, the WSDL generator and the
 * OpenAPI generator all share, so the descriptions can never disagree with what is accepted.
 */

export const XOP_NS = 'http://www.w3.org/2004/08/xop/include';
/** Name of the repeated child of an array element. */
export const ARRAY_ITEM = 'item';

interface ShapeBase {
  nullable: boolean;
  description?: string;
}
export interface PropShape {
  name: string;
  shape: Shape;
  required: boolean;
}
export interface ObjectShape extends ShapeBase {
  kind: 'object';
  props: PropShape[];
}
export interface ArrayShape extends ShapeBase {
  kind: 'array';
  item: Shape;
  minItems?: number;
  maxItems?: number;
}
export interface ScalarShape extends ShapeBase {
  kind: 'string' | 'integer' | 'number' | 'boolean' | 'any';
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: Array<string | number | boolean>;
}
export type Shape = ObjectShape | ArrayShape | ScalarShape;

/** A schema the XML mapping cannot express (records, tuples, recursion, unions of unlike shapes). */
export class SchemaMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaMappingError';
  }
}

type Io = 'input' | 'output';
type Json = Record<string, unknown>;

const cache: Record<Io, WeakMap<z.ZodType, Shape>> = { input: new WeakMap(), output: new WeakMap() };
const jsonCache: Record<Io, WeakMap<z.ZodType, Json>> = { input: new WeakMap(), output: new WeakMap() };

/** The JSON Schema of a zod schema (draft 2020-12, `$schema` removed), cached. */
export function jsonSchemaOf(schema: z.ZodType, io: Io): Json {
  let js = jsonCache[io].get(schema);
  if (!js) {
    try {
      js = z.toJSONSchema(schema, { io, unrepresentable: 'any', cycles: 'throw', reused: 'inline' }) as Json;
    } catch (e) {
      throw new SchemaMappingError(`schema cannot be described: ${(e as Error).message}`);
    }
    delete js.$schema;
    jsonCache[io].set(schema, js);
  }
  return js;
}

/** The Shape of a zod schema, for decoding requests (`input`) or encoding responses (`output`). */
export function shapeOf(schema: z.ZodType, io: Io): Shape {
  let s = cache[io].get(schema);
  if (!s) {
    const root = jsonSchemaOf(schema, io);
    s = toShape(root, root, 'root', 0);
    cache[io].set(schema, s);
  }
  return s;
}

/** The shape of an operation's input or output, which must be an object (the wrapper's children). */
export function objectShapeOf(schema: z.ZodType, io: Io): ObjectShape {
  const s = shapeOf(schema, io);
  if (s.kind !== 'object') throw new SchemaMappingError(`an operation's ${io} must be an object schema, not ${s.kind}`);
  return s;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function resolveRef(root: Json, ref: string, where: string): Json {
  const m = /^#\/\$defs\/(.+)$/.exec(ref);
  const defs = root.$defs as Record<string, Json> | undefined;
  const target = m && defs && Object.prototype.hasOwnProperty.call(defs, m[1]) ? defs[m[1]] : undefined;
  if (!target) throw new SchemaMappingError(`${where}: unsupported reference ${ref}`);
  return target;
}

function toShape(node: Json, root: Json, where: string, depth: number): Shape {
  if (depth > 32) throw new SchemaMappingError(`${where}: schema nests too deep`);
  if (typeof node.$ref === 'string') return toShape({ ...resolveRef(root, node.$ref, where), ...withoutKey(node, '$ref') }, root, where, depth + 1);
  const description = str(node.description);
  const alternatives = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  if (Array.isArray(alternatives)) {
    const nonNull = alternatives.filter((a) => a.type !== 'null');
    const nullable = nonNull.length < alternatives.length;
    const shapes = nonNull.map((a, i) => toShape(a, root, `${where}|${i}`, depth + 1));
    const merged = mergeAlternatives(shapes, where);
    return { ...merged, nullable: nullable || merged.nullable, description: description ?? merged.description };
  }
  if (Array.isArray(node.allOf)) {
    const shapes = (node.allOf as Json[]).map((a, i) => toShape(a, root, `${where}&${i}`, depth + 1));
    if (!shapes.every((s) => s.kind === 'object')) throw new SchemaMappingError(`${where}: intersections must be of objects`);
    const props = shapes.flatMap((s) => (s as ObjectShape).props);
    return { kind: 'object', props: dedupeProps(props, where), nullable: false, description };
  }
  let type = node.type;
  let nullable = false;
  if (Array.isArray(type)) {
    nullable = type.includes('null');
    const rest = type.filter((t) => t !== 'null');
    if (rest.length !== 1) throw new SchemaMappingError(`${where}: union of types ${rest.join(', ')} is not supported`);
    type = rest[0];
  }
  if (type === undefined && Array.isArray(node.enum)) type = typeof node.enum[0] === 'number' ? 'number' : 'string';
  if (type === undefined && node.const !== undefined) type = typeof node.const === 'number' ? 'number' : typeof node.const === 'boolean' ? 'boolean' : 'string';
  switch (type) {
    case 'object': {
      const properties = (node.properties ?? {}) as Record<string, Json>;
      if (Object.keys(properties).length === 0 && node.additionalProperties && node.additionalProperties !== false) {
        throw new SchemaMappingError(`${where}: records (free-form keys) cannot be mapped to XML elements`);
      }
      const required = new Set((node.required as string[] | undefined) ?? []);
      const props = Object.keys(properties).map((name) => {
        if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(name)) throw new SchemaMappingError(`${where}.${name}: property name is not an XML element name`);
        return { name, shape: toShape(properties[name], root, `${where}.${name}`, depth + 1), required: required.has(name) };
      });
      return { kind: 'object', props, nullable, description };
    }
    case 'array': {
      if (node.prefixItems) throw new SchemaMappingError(`${where}: tuples are not supported`);
      const items = (node.items ?? {}) as Json;
      return { kind: 'array', item: toShape(items, root, `${where}[]`, depth + 1), minItems: num(node.minItems), maxItems: num(node.maxItems), nullable, description };
    }
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean': {
      const values = Array.isArray(node.enum) ? (node.enum as Array<string | number | boolean>) : node.const !== undefined ? [node.const as string | number | boolean] : undefined;
      return {
        kind: type,
        format: str(node.format),
        pattern: str(node.pattern),
        minLength: num(node.minLength),
        maxLength: num(node.maxLength),
        minimum: num(node.minimum),
        maximum: num(node.maximum),
        exclusiveMinimum: num(node.exclusiveMinimum),
        exclusiveMaximum: num(node.exclusiveMaximum),
        enum: values,
        nullable,
        description,
      };
    }
    case 'null':
      return { kind: 'any', nullable: true, description };
    case undefined:
      // z.any(), z.unknown(), z.date() and other types JSON Schema cannot state: text in, String() out.
      return { kind: 'any', nullable: false, description };
    default:
      throw new SchemaMappingError(`${where}: type ${String(type)} is not supported`);
  }
}

function withoutKey(o: Json, key: string): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (k !== key) out[k] = v;
  return out;
}

/** A union becomes one shape: like scalars stay, objects merge (every member optional; zod checks the real union). */
function mergeAlternatives(shapes: Shape[], where: string): Shape {
  if (shapes.length === 0) return { kind: 'any', nullable: true };
  if (shapes.length === 1) return shapes[0];
  if (shapes.every((s) => s.kind === 'object')) {
    const all = shapes as ObjectShape[];
    const props = dedupeProps(
      all.flatMap((s) => s.props),
      where,
    ).map((p) => ({ ...p, required: all.every((s) => s.props.some((q) => q.name === p.name && q.required)) }));
    return { kind: 'object', props, nullable: false };
  }
  if (shapes.every((s) => s.kind !== 'object' && s.kind !== 'array')) {
    const kinds = new Set(shapes.map((s) => s.kind));
    if (kinds.size === 1) {
      const values = shapes.flatMap((s) => (s as ScalarShape).enum ?? []);
      const allEnum = shapes.every((s) => (s as ScalarShape).enum);
      return { kind: shapes[0].kind as ScalarShape['kind'], enum: allEnum ? [...new Set(values)] : undefined, nullable: false };
    }
    return { kind: 'any', nullable: false };
  }
  throw new SchemaMappingError(`${where}: a union of objects, arrays and scalars cannot be mapped to XML`);
}

function dedupeProps(props: PropShape[], where: string): PropShape[] {
  const byName = new Map<string, PropShape>();
  for (const p of props) {
    const seen = byName.get(p.name);
    if (!seen) byName.set(p.name, p);
    else if (JSON.stringify(seen.shape) !== JSON.stringify(p.shape)) {
      if (seen.shape.kind === 'object' || p.shape.kind === 'object' || seen.shape.kind === 'array' || p.shape.kind === 'array') {
        throw new SchemaMappingError(`${where}.${p.name}: alternatives give this property different structures`);
      }
      byName.set(p.name, { name: p.name, shape: { kind: 'any', nullable: seen.shape.nullable || p.shape.nullable }, required: seen.required && p.required });
    }
  }
  return [...byName.values()];
}

// ---------------------------------------------------------------------------------------------
// Decoding: body wrapper children → plain data for zod.

export interface DecodeOptions {
  /** Namespace every child element must be in (the group's target namespace; elementFormDefault="qualified"). */
  namespace: string;
  /** Property names whose values are attachment references (`cid:` swaRef text or an MTOM xop:Include). */
  attachmentFields?: readonly string[];
}

type Path = Array<string | number>;

function isNil(el: XmlElement): boolean {
  const v = attrNs(el, NS.xsi, 'nil')?.trim();
  return v === 'true' || v === '1';
}

/**
 * Decodes the children of a body wrapper into the object zod will validate. Objects are built
 * with a null prototype and filled only with property names the schema declares, so element
 * names such as `__proto__` or `constructor` are reported as unknown, never assigned.
 * Structural problems (unknown, repeated, misplaced elements) throw VALIDATION_FAILED with the fields.
 */
export function decodeBody(wrapper: XmlElement, shape: ObjectShape, opts: DecodeOptions): Record<string, unknown> {
  const { value, errors } = decodeBodyCollecting(wrapper, shape, opts);
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', { fields: errors.slice(0, 50) });
  return value;
}

/** As decodeBody, but hands back the structural problems with what could be decoded (see assertDecoded). */
export function decodeBodyCollecting(wrapper: XmlElement, shape: ObjectShape, opts: DecodeOptions): { value: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const value = decodeObject(wrapper, shape, [], opts, errors);
  return { value, errors };
}

function decodeObject(el: XmlElement, shape: ObjectShape, path: Path, opts: DecodeOptions, errors: FieldError[]): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  const props = new Map(shape.props.map((p) => [p.name, p]));
  if (hasText(el)) errors.push(fieldError(path, 'type'));
  for (const child of childElements(el)) {
    const prop = child.ns === opts.namespace ? props.get(child.local) : undefined;
    const childPath = [...path, truncate(child.local)];
    if (!prop) {
      errors.push(fieldError(childPath, 'unknown'));
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(out, prop.name)) {
      errors.push(fieldError(childPath, 'repeated'));
      continue;
    }
    out[prop.name] = decodeValue(child, prop.shape, childPath, opts, errors, opts.attachmentFields?.includes(prop.name) ?? false);
  }
  return out;
}

function decodeValue(el: XmlElement, shape: Shape, path: Path, opts: DecodeOptions, errors: FieldError[], attachment: boolean): unknown {
  if (isNil(el)) return null;
  switch (shape.kind) {
    case 'object':
      return decodeObject(el, shape, path, opts, errors);
    case 'array': {
      if (hasText(el)) errors.push(fieldError(path, 'type'));
      const items: unknown[] = [];
      for (const child of childElements(el)) {
        const itemPath = [...path, items.length];
        if (child.ns !== opts.namespace || child.local !== ARRAY_ITEM) {
          errors.push(fieldError([...path, truncate(child.local)], 'unknown'));
          continue;
        }
        items.push(decodeValue(child, shape.item, itemPath, opts, errors, attachment));
      }
      return items;
    }
    default:
      return decodeScalar(el, shape, path, errors, attachment);
  }
}

const hasText = (el: XmlElement): boolean => !onlyWhitespaceText(el);

function decodeScalar(el: XmlElement, shape: ScalarShape, path: Path, errors: FieldError[], attachment: boolean): unknown {
  const kids = childElements(el);
  if (kids.length > 0) {
    const inc = kids.length === 1 && kids[0].ns === XOP_NS && kids[0].local === 'Include' ? kids[0] : undefined;
    const href = inc ? attrNs(inc, '', 'href') : undefined;
    if (attachment && href?.startsWith('cid:') && !hasText(el)) return cidToContentId(href);
    errors.push(fieldError(path, 'type'));
    return undefined;
  }
  const text = el.children.map((c) => (c.kind === 'text' ? c.value : '')).join('');
  if (attachment) return text.trim().startsWith('cid:') ? cidToContentId(text.trim()) : text;
  return scalarFromText(text, shape);
}

/**
 * Text → typed value by the shape (XSD lexical forms; also used for query strings and form fields).
 * Unparseable text is handed on as the string, so zod reports "wrong type" at the right path.
 */
export function scalarFromText(text: string, shape: Shape): unknown {
  switch (shape.kind) {
    case 'integer':
    case 'number': {
      const t = text.trim();
      const ok = shape.kind === 'integer' ? /^[+-]?\d{1,16}$/.test(t) : /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$/.test(t) && t.length <= 64;
      return ok ? Number(t) : text;
    }
    case 'boolean': {
      const t = text.trim();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      return text;
    }
    default:
      return text;
  }
}

/** `cid:abc%40host` → `abc@host` (RFC 2392: the URL form of a Content-ID). */
export function cidToContentId(href: string): string {
  const raw = href.slice(4);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const truncate = (name: string): string => (name.length > 64 ? `${name.slice(0, 64)}…` : name);

// ---------------------------------------------------------------------------------------------
// Encoding: validated output → response wrapper.

/** `<p:name xmlns:p="ns">…children…</p:name>` for the operation's response wrapper. */
/**
 * The body wrapper of an operation's message. What it writes is its own exclusive canonical form
 * as a child of soapenv:Body (one declaration on the wrapper, xsi where used, no empty-element
 * tags, c14n escaping), so the signer digests it as written (`bodyCanonical`).
 */
export function encodeWrapper(localName: string, namespace: string, value: unknown, shape: ObjectShape, prefix = 'tns'): string {
  const inner = encodeObjectChildren(value, shape, prefix, []);
  return `<${prefix}:${localName} xmlns:${prefix}="${escapeAttr(namespace)}">${inner}</${prefix}:${localName}>`;
}

function encodeObjectChildren(value: unknown, shape: ObjectShape, prefix: string, path: Path): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SchemaMappingError(`${fieldPath(path)}: expected an object to encode`);
  const rec = value as Record<string, unknown>;
  let out = '';
  for (const p of shape.props) {
    if (!Object.prototype.hasOwnProperty.call(rec, p.name)) continue;
    const v = rec[p.name];
    if (v === undefined) continue;
    out += encodeElement(p.name, p.name, v, p.shape, prefix, path);
  }
  return out;
}

/**
 * One element: `name` is its tag, `key` its step in the field path (the name, or an array item's
 * index) under `parent`. The path is built only for an error or for children, not for every scalar.
 */
function encodeElement(name: string, key: string | number, v: unknown, shape: Shape, prefix: string, parent: Path): string {
  const tag = `${prefix}:${name}`;
  // Start-end pairs, declarations where used: the output is its own exclusive canonical form (see encodeWrapper).
  if (v === null) return `<${tag} xmlns:xsi="${NS.xsi}" xsi:nil="true"></${tag}>`;
  switch (shape.kind) {
    case 'object':
      return `<${tag}>${encodeObjectChildren(v, shape, prefix, [...parent, key])}</${tag}>`;
    case 'array': {
      const path = [...parent, key];
      if (!Array.isArray(v)) throw new SchemaMappingError(`${fieldPath(path)}: expected an array to encode`);
      let items = '';
      for (let i = 0; i < v.length; i++) items += encodeElement(ARRAY_ITEM, i, v[i], shape.item, prefix, path);
      return `<${tag}>${items}</${tag}>`;
    }
    default:
      return `<${tag}>${escapeText(typeof v === 'string' ? v : lexical(v, [...parent, key]))}</${tag}>`;
  }
}

/** The XSD lexical form of a scalar. */
export function lexical(v: unknown, path: Path = []): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new SchemaMappingError(`${fieldPath(path)}: non-finite number`);
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  throw new SchemaMappingError(`${fieldPath(path)}: cannot encode a ${typeof v} as text`);
}
