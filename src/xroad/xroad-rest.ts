import crypto from 'node:crypto';
import net from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import type { AccessControl } from '../acl/access-control.js';
import type { Config } from '../config/schema.js';
import { AppError, toAppError } from '../errors/app-error.js';
import type { ExchangeLogWriter } from '../exchange-log/types.js';
import { LANGS, pickLang, type Text } from '../i18n/messages.js';
import type { Logger } from '../log/logger.js';
import { readApiInput } from '../http/api-router.js';
import { failedOutcome, finishExchange, invokeOperation, type ExchangeBase, type Outcome, type PendingClaim, type Rendered } from '../operations/invoke-operation.js';
import { assertDecoded, fieldError, type OperationTable } from '../operations/operation-table.js';
import { clientKey, type SubjectRef, type XRoadIdentifier } from '../operations/types.js';
import { IDENTIFIER, isFreeValue, MAX_USER_ID } from './headers.js';
import type { MessageIds } from './message-ids.js';
import { objectShapeOf } from './schema-xml.js';

export interface XRoadRestDeps {
  config: Config;
  table: OperationTable;
  exchangeLog: ExchangeLogWriter;
  logger: Logger;
  now: () => Date;
  acl: AccessControl;
  messageIds: MessageIds;
}

const txt = (en: string, ru: string, ky: string): Text => ({ en, ru, ky });
const UNTRUSTED_PEER = txt(
  'X-Road REST requests are accepted only from the security server.',
  'Запросы X-Road REST принимаются только от сервера безопасности.',
  'X-Road REST суроо-талаптары коопсуздук серверинен гана кабыл алынат.',
);

/** Peers allowed to speak for an X-Road client: the security server's addresses (IPs or CIDRs). */
export function peerAllowlist(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const e of entries) {
    const [addr, bits] = e.split('/');
    const type = net.isIPv6(addr) ? 'ipv6' : 'ipv4';
    if (!net.isIP(addr)) throw new Error(`xroad.rest.trustedClientAddresses: "${e}" is not an IP address or CIDR`);
    if (bits !== undefined) list.addSubnet(addr, Number(bits), type);
    else list.addAddress(addr, type);
    // IPv4 peers may appear as IPv4-mapped IPv6 addresses on a dual-stack socket.
    if (type === 'ipv4') {
      if (bits !== undefined) list.addSubnet(`::ffff:${addr}`, 96 + Number(bits), 'ipv6');
      else list.addAddress(`::ffff:${addr}`, 'ipv6');
    }
  }
  return list;
}

function isTrustedPeer(list: net.BlockList, address: string | undefined): boolean {
  if (!address) return false;
  return list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** Every value of a request header as sent (Node joins repeats; the raw list keeps them apart). */
function headerValues(req: Request, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === name) out.push(req.rawHeaders[i + 1]);
  return out;
}

function oneHeader(req: Request, name: string, required: boolean, max?: number): string | undefined {
  const values = headerValues(req, name.toLowerCase());
  if (values.length > 1) throw new AppError('INVALID_HEADER', { fields: [fieldError(name, 'repeated')] });
  if (values.length === 0) {
    if (required) throw new AppError('INVALID_HEADER', { fields: [fieldError(name, 'required')] });
    return undefined;
  }
  if (!isFreeValue(values[0], max)) throw new AppError('INVALID_HEADER', { fields: [fieldError(name, 'pattern')] });
  return values[0];
}

/** `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]` (X-Road message protocol for REST §4.3). */
export function parseRestClient(value: string): XRoadIdentifier | undefined {
  const parts = value.split('/');
  if ((parts.length !== 3 && parts.length !== 4) || !parts.every((p) => IDENTIFIER.test(p))) return undefined;
  const [xRoadInstance, memberClass, memberCode, subsystemCode] = parts;
  return subsystemCode ? { objectType: 'SUBSYSTEM', xRoadInstance, memberClass, memberCode, subsystemCode } : { objectType: 'MEMBER', xRoadInstance, memberClass, memberCode };
}

/**
 * X-Road message protocol for REST 1.0 on the provider side: `/r1/{instance}/{class}/{member}/{subsystem}/{serviceCode}`
 * with `X-Road-Client` (exactly one), `X-Road-Id`, `X-Road-UserId`, `X-Road-Issue`; JSON in (query for GET,
 * body otherwise) and out; errors as `{ type, message, detail }` with `X-Road-Error`. The same table, ACL,
 * idempotency and exchange log as SOAP.
 *
 * REST messages carry no signature the adapter could check: the security server authenticates the
 * caller and sets `X-Road-Client`. So the header is believed only from peers in
 * `xroad.rest.trustedClientAddresses` (default loopback: the security server on the same host or a
 * proxy in front of it); anyone else gets Client.AccessDenied.
 */
export function xroadRestEndpoint(deps: XRoadRestDeps): RequestHandler {
  const { config, table } = deps;
  const peers = peerAllowlist(config.xroad.rest.trustedClientAddresses);
  const subsystemByProviderId = new Map(Object.entries(config.xroad.providers).map(([sub, id]) => [id, sub]));

  return async (req: Request, res: Response) => {
    const requestInTs = Date.now();
    const requestId = (res.locals.requestId as string | undefined) ?? crypto.randomUUID();
    const log = (res.locals.log as Logger | undefined) ?? deps.logger.child({ requestId });
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const p = req.params as Record<string, string>;
    const serviceId = [p.instance, p.memberClass, p.memberCode, p.subsystem, p.serviceCode].join('/');
    const base: ExchangeBase = { transport: 'xroad-rest', requestInTs, client: '', service: serviceId, serviceCode: p.serviceCode ?? '', messageId: '', requestSize: raw.length, requestAttachmentCount: 0, requestBody: raw, requestId };
    const echo: Record<string, string> = { 'X-Road-Service': serviceId, 'X-Road-Request-Id': requestId };
    const acceptLanguage = req.get('accept-language');
    const render = (outcome: Outcome): Rendered => renderRest(outcome);
    let rendered: Rendered;
    let subjects: SubjectRef[] = [];
    let claim: PendingClaim | undefined;
    let kind: 'read' | 'write' | undefined;
    try {
      const bodyError = res.locals.bodyError as AppError | undefined;
      if (bodyError) throw bodyError;
      if (!isTrustedPeer(peers, req.socket.remoteAddress)) throw new AppError('ACCESS_DENIED', { detail: UNTRUSTED_PEER });
      const clientHeader = oneHeader(req, 'X-Road-Client', true) as string;
      const clientId = parseRestClient(clientHeader);
      if (!clientId) throw new AppError('INVALID_HEADER', { fields: [fieldError('X-Road-Client', 'pattern')] });
      echo['X-Road-Client'] = clientHeader;
      const messageId = oneHeader(req, 'X-Road-Id', true) as string;
      echo['X-Road-Id'] = messageId;
      const userId = oneHeader(req, 'X-Road-UserId', false, MAX_USER_ID);
      const issue = oneHeader(req, 'X-Road-Issue', false);
      if (userId !== undefined) echo['X-Road-UserId'] = userId;
      if (issue !== undefined) echo['X-Road-Issue'] = issue;
      const client = clientKey(clientId);
      Object.assign(base, { client, messageId, userId, issue });

      const subsystem = subsystemByProviderId.get([p.instance, p.memberClass, p.memberCode, p.subsystem].join('/'));
      const op = subsystem ? table.findByCode(subsystem, p.serviceCode) : undefined;
      if (!op) throw new AppError('UNKNOWN_SERVICE');
      kind = op.kind;
      Object.assign(base, { serviceVersion: op.version, operationKind: op.kind });
      const shape = objectShapeOf(op.input, 'input');
      const { input, errors } = readApiInput({ params: {}, query: req.method === 'GET' ? req.query : {}, get: req.get.bind(req) } as Pick<Request, 'params' | 'query' | 'get'>, req.method === 'GET' ? Buffer.alloc(0) : raw, shape, { attachmentFields: [] }, config.xroad.limits);
      const hash = crypto.createHash('sha256').update(`xroad-rest\n${serviceId}\n${req.method}\n`).update(JSON.stringify(input)).digest('hex');
      const result = await invokeOperation(
        { table, acl: deps.acl, messageIds: deps.messageIds },
        {
          op,
          ctx: { transport: 'xroad-rest', client, clientId, userId, messageId, issue, requestId, lang: pickLang(acceptLanguage), attachments: [], now: deps.now() },
          idempotency: { messageId, requestHash: hash },
          decode: () => {
            assertDecoded(op.input, input, errors);
            return input;
          },
          render,
          log,
        },
      );
      rendered = result.rendered;
      subjects = result.subjects;
      claim = result.claim;
    } catch (e) {
      rendered = render(failedOutcome(toAppError(e), e, log, 'X-Road REST'));
    }
    rendered = await finishExchange(deps.exchangeLog, { base, rendered, subjects, durable: kind === 'write', claim }, log, render);
    for (const [k, v] of Object.entries(echo)) res.setHeader(k, v);
    if (rendered.faultCode) res.setHeader('X-Road-Error', rendered.faultCode);
    res.locals.outcome = rendered.faultCode ?? 'ok';
    res.status(rendered.status).type(rendered.contentType).send(rendered.body);
  };
}

/** Output as JSON, or the X-Road REST error body: `type` = fault code, `message` in English, `detail` with the stable code, texts and fields. */
export function renderRest(outcome: Outcome): Rendered {
  if (outcome.ok) return { status: 200, contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(outcome.output)) };
  const err = outcome.error;
  const messages = Object.fromEntries(LANGS.map((l) => [l, err.text[l]]));
  const body = {
    type: err.faultCode,
    message: err.text.en,
    detail: { code: err.code, messages, fields: err.fields.map((f) => ({ field: f.field, reason: f.reason, messages: f.message })) },
  };
  return { status: err.httpStatus, contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(body)), faultCode: err.faultCode, faultString: err.text.en };
}
