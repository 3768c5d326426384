import type { OperationTable } from '../operations/operation-table.js';
import type { OperationDef } from '../operations/types.js';
import { jsonSchemaOf } from '../xroad/schema-xml.js';

export type OpenApiPaths = Record<string, Record<string, unknown>>;

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['code', 'message', 'messages', 'fields'],
  properties: {
    code: { type: 'string', description: 'Stable error code from the catalogue, e.g. VALIDATION_FAILED.' },
    faultCode: { type: 'string', description: 'The SOAP faultcode of the same error, e.g. Client.ValidationFailed.' },
    message: { type: 'string', description: 'The message in the language chosen from Accept-Language (ky, ru, en).' },
    messages: { $ref: '#/components/schemas/Text' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'reason', 'message', 'messages'],
        properties: { field: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' }, messages: { $ref: '#/components/schemas/Text' } },
      },
    },
  },
};

const TEXT_SCHEMA = { type: 'object', required: ['ky', 'ru', 'en'], properties: { ky: { type: 'string' }, ru: { type: 'string' }, en: { type: 'string' } } };

/** `/holders/:inn` → `/holders/{inn}` and the names of the path parameters. */
export function openApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

type Json = Record<string, unknown>;

function operationObject(op: OperationDef): { path: string; method: string; body: Json } {
  const rest = op.rest as NonNullable<OperationDef['rest']>;
  const { path, params } = openApiPath(rest.path);
  const input = jsonSchemaOf(op.input, 'input');
  const props = (input.properties ?? {}) as Record<string, Json>;
  const required = new Set((input.required as string[] | undefined) ?? []);
  const parameters: Json[] = params.map((name) => ({ name, in: 'path', required: true, schema: props[name] ?? { type: 'string' } }));
  parameters.push({ name: 'Accept-Language', in: 'header', required: false, schema: { type: 'string' }, description: 'ky, ru or en: the language of `message` in errors.' });
  if (op.kind === 'write') parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,255}$' }, description: 'A repeat with the same key and body returns the stored response without running the operation again.' });
  const rest_ = Object.fromEntries(Object.entries(props).filter(([k]) => !params.includes(k)));
  const restRequired = [...required].filter((k) => !params.includes(k));
  const out: Json = {
    operationId: op.serviceCode,
    summary: op.title.en,
    description: `${op.title.ky} / ${op.title.ru} / ${op.title.en}. SOAP: ${op.subsystem} ${op.serviceCode} ${op.version}.`,
    tags: [op.subsystem],
    parameters,
    responses: {
      '200': { description: 'The operation output.', content: { 'application/json': { schema: jsonSchemaOf(op.output, 'output') } } },
      default: { description: 'An error (problem document).', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
    },
  };
  if (rest.method === 'GET' || rest.method === 'DELETE') {
    for (const [name, schema] of Object.entries(rest_)) {
      parameters.push({ name, in: 'query', required: required.has(name), schema, ...(schema.type === 'array' ? { style: 'form', explode: true } : {}) });
    }
  } else {
    const bodySchema: Json = { type: 'object', properties: rest_, ...(restRequired.length > 0 ? { required: restRequired } : {}), additionalProperties: false };
    const content: Json = { 'application/json': { schema: bodySchema } };
    if (op.attachmentFields?.length) {
      const files = Object.fromEntries(op.attachmentFields.map((f) => [f, { type: 'string', format: 'binary' }]));
      content['multipart/form-data'] = {
        schema: { type: 'object', properties: { input: bodySchema, ...files } },
        encoding: { input: { contentType: 'application/json' } },
      };
    }
    out.requestBody = { required: restRequired.length > 0, content };
  }
  return { path, method: rest.method.toLowerCase(), body: out };
}

/**
 * OpenAPI 3.1 for /api/v1, generated from the same operation table as the WSDL (schemas are the
 * operations' zod schemas as JSON Schema 2020-12, which OpenAPI 3.1 takes as is).
 */
export function generateOpenApi(table: OperationTable, opts: { publicUrl: string; extraPaths?: OpenApiPaths }): Json {
  const paths: OpenApiPaths = {};
  for (const op of table.operations()) {
    if (!op.rest) continue;
    const { path, method, body } = operationObject(op);
    paths[path] ??= {};
    paths[path][method] = body;
  }
  for (const [p, methods] of Object.entries(opts.extraPaths ?? {})) paths[p] = { ...(paths[p] ?? {}), ...methods };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tunduk registry adapter API',
      version: 'v1',
      description: 'JSON API of the registry of personal data holders and the registry of e-governance infrastructure elements, for the registries\' web UI.',
    },
    servers: [{ url: `${opts.publicUrl.replace(/\/+$/, '')}/api/v1` }],
    security: [{ clientToken: [], userToken: [] }, { clientToken: [] }],
    tags: table.groups().map((g) => ({ name: g.subsystem, description: g.title.en })),
    paths,
    components: {
      securitySchemes: {
        clientToken: { type: 'http', scheme: 'bearer', description: 'The web UI client token (configured by its SHA-256).' },
        userToken: { type: 'apiKey', in: 'header', name: 'X-User-Token', description: 'The end user\'s BIS ID token; its PIN acts as xrd:userId.' },
      },
      schemas: { Problem: PROBLEM_SCHEMA, Text: TEXT_SCHEMA },
    },
  };
}
