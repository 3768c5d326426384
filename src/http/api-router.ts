import crypto from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { AccessControl } from '../acl/access-control.js';
import type { Config } from '../config/schema.js';
import { AppError, toAppError, type FieldError } from '../errors/app-error.js';
import type { ExchangeLogWriter } from '../exchange-log/types.js';
import { pickLang } from '../i18n/messages.js';
import type { Logger } from '../log/logger.js';
import { checkAttachmentRefs, failedOutcome, finishExchange, invokeOperation, type ExchangeBase, type Outcome, type PendingClaim, type Rendered } from '../operations/invoke-operation.js';
import { assertDecoded, fieldError, type OperationTable } from '../operations/operation-table.js';
import type { Attachment, OperationDef, SubjectRef } from '../operations/types.js';
import type { Store } from '../store/store.js';
import { MessageIds } from '../xroad/message-ids.js';
import { parseContentType, parseMultipart, toAttachment } from '../xroad/mime.js';
import { objectShapeOf, scalarFromText, type ObjectShape, type Shape } from '../xroad/schema-xml.js';
import { ApiClients, apiAuth, type ApiAuthLocals, type IdTokenVerifier } from './api-auth.js';
import { generateOpenApi, type OpenApiPaths } from './openapi.js';
import { errorHandler, problemBody } from './problem.js';

export interface ApiRouterDeps {
  config: Config;
  table: OperationTable;
  store: Store;
  exchangeLog: ExchangeLogWriter;
  logger: Logger;
  idTokens: IdTokenVerifier;
  now?: () => Date;
  /** Further routes served behind the same authentication (e.g. legal-entities), with their OpenAPI paths. */
  routes?: Array<{ router: Router; openApiPaths?: OpenApiPaths }>;
}

/** `Idempotency-Key` on /api/v1 plays the role of `xrd:id`: a repeat returns the stored response. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,255}$/;

/**
 * `/api/v1` for the registry's web UI (CONTRACT §6): every operation with a `rest` binding, JSON in
 * and out, path params + query + body merged into the operation's input, files as multipart/form-data;
 * the same table, ACL, message-id idempotency and exchange log as SOAP. Errors are problem documents
 * with the message in the Accept-Language and all three languages. `GET /openapi.json` describes it.
 */
export function createApiRouter(deps: ApiRouterDeps): Router {
  const { config, table } = deps;
  const acl = new AccessControl(config.acl);
  const messageIds = new MessageIds(deps.store, config.xroad.messageIds);
  const now = deps.now ?? (() => new Date());
  const router = Router();
  const extraPaths = Object.assign({}, ...(deps.routes ?? []).map((r) => r.openApiPaths ?? {})) as OpenApiPaths;
  let openApi: unknown;
  router.get('/openapi.json', (_req, res) => {
    openApi ??= generateOpenApi(table, { publicUrl: config.server.publicUrl, extraPaths });
    res.json(openApi);
  });
  router.use(apiAuth({ clients: new ApiClients(config.api.clients), idTokens: deps.idTokens }));
  const body = express.raw({ type: () => true, limit: config.server.bodyLimitBytes });
  for (const op of table.operations()) {
    if (!op.rest) continue;
    const method = op.rest.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    router[method](op.rest.path, body, operationHandler(op));
  }
  for (const r of deps.routes ?? []) router.use(r.router);
  router.use(errorHandler(deps.logger));
  return router;

  function operationHandler(op: OperationDef): RequestHandler {
    const shape = objectShapeOf(op.input, 'input');
    const provider = config.xroad.providers[op.subsystem] ?? op.subsystem;
    return async (req: Request, res: Response) => {
      const requestInTs = Date.now();
      const locals = res.locals as ApiAuthLocals & { requestId?: string; log?: Logger };
      const requestId = locals.requestId ?? crypto.randomUUID();
      const log = locals.log ?? deps.logger.child({ requestId });
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const acceptLanguage = req.get('accept-language');
      const idemKey = req.get('idempotency-key');
      const messageId = idemKey ?? `api-${crypto.randomUUID()}`;
      const base: ExchangeBase = {
        transport: 'rest',
        requestInTs,
        client: locals.apiClient.client,
        service: `${provider}/${op.serviceCode}/${op.version}`,
        serviceCode: op.serviceCode,
        serviceVersion: op.version,
        messageId,
        userId: locals.userId,
        requestSize: raw.length,
        requestAttachmentCount: 0,
        requestBody: raw,
        requestId,
        operationKind: op.kind,
      };
      const render = (outcome: Outcome): Rendered => renderJson(outcome, acceptLanguage);
      let rendered: Rendered;
      let subjects: SubjectRef[] = [];
      let claim: PendingClaim | undefined;
      try {
        if (idemKey !== undefined && !IDEMPOTENCY_KEY.test(idemKey)) throw new AppError('VALIDATION_FAILED', { fields: [fieldError('Idempotency-Key', 'pattern')] });
        const { input, attachments, errors } = readApiInput(req, raw, shape, op, config.xroad.limits);
        base.requestAttachmentCount = attachments.length;
        const result = await invokeOperation(
          { table, acl, messageIds },
          {
            op,
            ctx: { transport: 'rest', client: locals.apiClient.client, clientId: locals.apiClient.clientId, userId: locals.userId, messageId, requestId, lang: pickLang(acceptLanguage), attachments, now: now() },
            idempotency: idemKey !== undefined ? { messageId, requestHash: requestHash(op, input, attachments) } : undefined,
            decode: () => {
              assertDecoded(op.input, input, errors);
              checkAttachmentRefs(op, input, attachments);
              return input;
            },
            render,
            log,
          },
        );
        rendered = result.rendered;
        subjects = result.subjects;
        claim = result.claim;
        if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
      } catch (e) {
        rendered = render(failedOutcome(toAppError(e), e, log, '/api/v1'));
      }
      rendered = await finishExchange(deps.exchangeLog, { base, rendered, subjects, durable: op.kind === 'write', claim }, log, render);
      res.locals.outcome = rendered.faultCode;
      res.setHeader('Cache-Control', 'no-store');
      res.status(rendered.status).type(rendered.contentType).send(rendered.body);
    };
  }
}

/** The outcome as JSON: the output with 200, or a problem document with the catalogue's status. */
export function renderJson(outcome: Outcome, acceptLanguage: string | undefined): Rendered {
  if (outcome.ok) return { status: 200, contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(outcome.output)) };
  const err = outcome.error;
  return {
    status: err.httpStatus,
    contentType: 'application/problem+json; charset=utf-8',
    body: Buffer.from(JSON.stringify(problemBody(err, acceptLanguage))),
    faultCode: err.faultCode,
    faultString: err.text.en,
  };
}

function requestHash(op: OperationDef, input: unknown, attachments: Attachment[]): string {
  const h = crypto.createHash('sha256').update(`${op.subsystem}/${op.serviceCode}/${op.version}\n`).update(JSON.stringify(input));
  for (const a of attachments) h.update(`\n${a.contentId}:${a.sha256}`);
  return h.digest('hex');
}

const BAD_JSON = { ky: 'JSON туура эмес.', ru: 'Неверный JSON.', en: 'Malformed JSON.' };

/**
 * Reads the input of a JSON-transport call: path params, query and body (JSON, or multipart/form-data
 * with an `input` JSON part, text fields and files) merged into one object. Only property names the
 * input schema declares are taken (others are reported, as SOAP reports unknown elements); text values
 * are typed by the schema; a name given twice with different values is refused. Such problems are
 * returned for `assertDecoded`, which reports them with the schema's own issues.
 */
export function readApiInput(
  req: Pick<Request, 'params' | 'query' | 'get'>,
  raw: Buffer,
  shape: ObjectShape,
  op: Pick<OperationDef, 'attachmentFields'>,
  limits: Pick<Config['xroad']['limits'], 'maxAttachments' | 'maxAttachmentBytes'>,
): { input: Record<string, unknown>; attachments: Attachment[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const input = Object.create(null) as Record<string, unknown>;
  const props = new Map(shape.props.map((p) => [p.name, p.shape]));
  const put = (name: string, value: unknown): void => {
    const s = props.get(name);
    if (!s) {
      errors.push(fieldError([name.slice(0, 64)], 'unknown'));
      return;
    }
    if (Object.prototype.hasOwnProperty.call(input, name) && JSON.stringify(input[name]) !== JSON.stringify(value)) {
      errors.push(fieldError([name], 'repeated'));
      return;
    }
    input[name] = value;
  };
  const putText = (name: string, value: unknown): void => {
    const s = props.get(name);
    if (s) put(name, fromText(value, s, name, errors));
    else put(name, value);
  };
  const attachments: Attachment[] = [];
  const ct = parseContentType(req.get('content-type'));
  if (raw.length > 0) {
    if (ct.type === 'application/json' || ct.type.endsWith('+json')) {
      for (const [k, v] of Object.entries(parseJsonObject(raw))) put(k, v);
    } else if (ct.type === 'multipart/form-data') {
      const boundary = ct.params.get('boundary') ?? '';
      const parts = parseMultipart(raw, boundary, { maxParts: limits.maxAttachments + 16, maxPartBytes: Math.max(limits.maxAttachmentBytes, 1024) });
      for (const part of parts) {
        const name = part.disposition?.get('name');
        if (!name) throw new AppError('VALIDATION_FAILED', { detail: BAD_JSON });
        // Browsers send a Blob part with a filename: `input` is the JSON whatever it comes as.
        if (name === 'input') {
          for (const [k, v] of Object.entries(parseJsonObject(part.body))) put(k, v);
        } else if (part.disposition?.has('filename')) {
          if (attachments.length >= limits.maxAttachments) throw new AppError('PAYLOAD_TOO_LARGE');
          if (attachments.some((a) => a.contentId === name)) errors.push(fieldError([name], 'repeated'));
          else attachments.push(toAttachment(name, part));
        } else putText(name, part.body.toString('utf8'));
      }
      // A file part stands for its field unless the JSON names it otherwise.
      for (const a of attachments) if (op.attachmentFields?.includes(a.contentId) && !Object.prototype.hasOwnProperty.call(input, a.contentId)) put(a.contentId, a.contentId);
    } else throw new AppError('UNSUPPORTED_MEDIA_TYPE');
  }
  for (const [k, v] of Object.entries(req.query ?? {})) putText(k, v);
  for (const [k, v] of Object.entries(req.params ?? {})) putText(k, v);
  for (const [name, s] of props) if (Object.prototype.hasOwnProperty.call(input, name)) unknownKeys(input[name], s, [name], errors);
  return { input, attachments, errors };
}

function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AppError('VALIDATION_FAILED', { detail: BAD_JSON });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new AppError('VALIDATION_FAILED', { detail: BAD_JSON });
  return v as Record<string, unknown>;
}

/** Text (query, path, form field) typed by the shape; repeated query values only where an array is expected. */
function fromText(v: unknown, s: Shape, name: string, errors: FieldError[]): unknown {
  if (s.kind === 'array') return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? scalarFromText(x, s.item) : x));
  if (Array.isArray(v)) {
    errors.push(fieldError([name], 'repeated'));
    return v[0];
  }
  return typeof v === 'string' ? scalarFromText(v, s) : v;
}

/** Object keys the schema does not declare, at any depth, as "unknown" field errors (zod would drop them silently). */
function unknownKeys(v: unknown, s: Shape, path: Array<string | number>, errors: FieldError[]): void {
  if (v === null || typeof v !== 'object' || path.length > 32) return;
  if (s.kind === 'array' && Array.isArray(v)) v.forEach((x, i) => unknownKeys(x, s.item, [...path, i], errors));
  else if (s.kind === 'object' && !Array.isArray(v)) {
    const props = new Map(s.props.map((p) => [p.name, p.shape]));
    for (const [k, x] of Object.entries(v)) {
      const ps = props.get(k);
      if (ps) unknownKeys(x, ps, [...path, k], errors);
      else errors.push(fieldError([...path, k.slice(0, 64)], 'unknown'));
    }
  }
}
