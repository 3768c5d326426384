import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { AccessControl } from '../acl/access-control.js';
import type { Config } from '../config/schema.js';
import { AppError, toAppError } from '../errors/app-error.js';
import type { ExchangeLogWriter } from '../exchange-log/types.js';
import { pickLang, type Text } from '../i18n/messages.js';
import type { Logger } from '../log/logger.js';
import { checkAttachmentRefs, errInfo, failedOutcome, finishExchange, invokeOperation, type ExchangeBase, type Outcome, type PendingClaim, type Rendered } from '../operations/invoke-operation.js';
import { assertDecoded, fieldError, FIELD_REASONS, type OperationTable } from '../operations/operation-table.js';
import { clientKey, type Attachment, type OperationDef, type SubjectRef } from '../operations/types.js';
import type { KeyStore } from '../pki/key-store.js';
import type { TrustStore } from '../pki/trust-store.js';
import { excC14n } from './c14n.js';
import { buildSignedEnvelope, buildSignedEnvelopeAsync, echoHeaders, EnvelopeError, parseEnvelope, SecurityError, verifyEnvelope, type ReceivedEnvelope, type SignEnvelopeOptions } from './envelope.js';
import { faultBodyXml } from './faults.js';
import { HeaderError, type XRoadHeaders } from './headers.js';
import type { MessageIds } from './message-ids.js';
import { splitSoapMessage } from './mime.js';
import { decodeBodyCollecting, encodeWrapper, objectShapeOf } from './schema-xml.js';
import { decodeUtf8, XmlParseError } from './xml/parser.js';

export interface SoapEndpointDeps {
  config: Config;
  table: OperationTable;
  trust: TrustStore;
  keys: KeyStore;
  exchangeLog: ExchangeLogWriter;
  logger: Logger;
  now: () => Date;
  acl: AccessControl;
  messageIds: MessageIds;
}

const SOAP_CONTENT_TYPE = 'text/xml; charset=utf-8';

const txt = (en: string, ru: string, ky: string): Text => ({ en, ru, ky });
const BODY_MISMATCH = txt('The body element does not match the service named in xrd:service.', 'Элемент тела не соответствует услуге, указанной в xrd:service.', 'Негизги элемент xrd:service көрсөткөн кызматка дал келбейт.');
const ACTION_MISMATCH = txt('SOAPAction names another operation than the body.', 'SOAPAction указывает другую операцию, чем тело сообщения.', 'SOAPAction билдирүүнүн негизинен башка операцияны көрсөтөт.');
const NOT_PROVIDED = txt('xrd:service does not name a subsystem, operation and version provided here.', 'xrd:service не указывает подсистему, операцию и версию, предоставляемые здесь.', 'xrd:service бул жерде көрсөтүлгөн подсистеманы, операцияны жана версияны атабайт.');

/** A SOAPAction that is absent, empty, or names the body's operation (as `op`, `ns/op`, `ns#op` or `ns:op`). */
export function soapActionAgrees(header: string | undefined, serviceCode: string): boolean {
  if (header === undefined) return true;
  const action = header.trim().replace(/^"(.*)"$/, '$1').trim();
  if (action === '' || action === serviceCode) return true;
  return ['/', '#', ':'].some((sep) => action.endsWith(`${sep}${serviceCode}`));
}

/** instance/class/code/subsystem of the service header, or undefined when it names no subsystem. */
function serviceSubsystemKey(h: XRoadHeaders): string | undefined {
  const s = h.service;
  return s.subsystemCode ? clientKey(s) : undefined;
}

const serviceLogId = (h: XRoadHeaders): string => [clientKey(h.service), h.service.serviceCode, h.service.serviceVersion].filter((x) => x !== undefined).join('/');

/** Anything thrown before or around an operation, as the catalogue error a fault reports. */
function transportError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof EnvelopeError) return new AppError(e.code, { fields: e.code === 'INVALID_HEADER' ? [fieldError('soapenv:Header', 'invalid')] : [], cause: e });
  if (e instanceof XmlParseError) return new AppError('INVALID_XML', { cause: e });
  if (e instanceof HeaderError) return new AppError('INVALID_HEADER', { fields: [{ field: e.field, reason: e.reason, message: { ...FIELD_REASONS.invalid } }], cause: e });
  if (e instanceof SecurityError) return new AppError(e.code, { fields: [{ field: e.part ?? 'wsse:Security', reason: e.reason, message: { ...FIELD_REASONS.invalid } }], cause: e });
  return toAppError(e);
}

/** One SOAP request as the transport read it; the exchange needs nothing else from HTTP. */
export interface SoapCall {
  /** The request body as received (empty when it could not be read). */
  raw: Buffer;
  /** Why the body could not be read (too large, aborted): answered as a fault and logged like any exchange. */
  bodyError?: AppError;
  contentType?: string;
  soapAction?: string;
  acceptLanguage?: string;
  requestId?: string;
  log?: Logger;
}

/**
 * POST /xroad (CONTRACT §2–4): split MIME, parse with limits, verify the WS-Security signature and
 * bind it to xrd:client, route on xrd:service and the body wrapper (SOAPAction only checked not to
 * contradict), then the shared pipeline (ACL, xrd:id idempotency, validation, handler), and answer
 * with a signed response or fault echoing every request header in order. Nothing from the request
 * reaches a handler unless the signature covered it. Resolves to the answer; it does not reject.
 */
export function soapExchange(deps: SoapEndpointDeps): (call: SoapCall) => Promise<Rendered> {
  const { config, table } = deps;
  const subsystemByProviderId = new Map(Object.entries(config.xroad.providers).map(([sub, id]) => [id, sub]));
  const fallbackSigner = config.xroad.client.split('/')[2];
  const xmlLimits = config.xroad.limits;
  /** Exchanges begun and not yet answered: while others wait, a signature is made off the event loop. */
  let inFlight = 0;

  const exchange = async (call: SoapCall): Promise<Rendered> => {
    const requestInTs = Date.now();
    const now = deps.now();
    const requestId = call.requestId ?? crypto.randomUUID();
    const log = call.log ?? deps.logger.child({ requestId });
    const raw = call.raw;
    const base: ExchangeBase = { transport: 'soap', requestInTs, client: '', service: '', serviceCode: '', messageId: '', requestSize: raw.length, requestAttachmentCount: 0, requestBody: raw, requestId };
    let echoed: string[] = [];
    let signer = fallbackSigner;
    let op: OperationDef | undefined;

    const responseXml = (output: unknown, def: OperationDef): string => encodeWrapper(`${def.serviceCode}Response`, def.namespace, output, objectShapeOf(def.output, 'output'));
    const answer = (envelope: string): Rendered => ({ status: 200, contentType: SOAP_CONTENT_TYPE, body: Buffer.from(envelope) });
    const render = (outcome: Outcome): Rendered => {
      if (outcome.ok && op) return answer(sign(echoed, responseXml(outcome.output, op)));
      const err = outcome.ok ? new AppError('INTERNAL') : outcome.error;
      return { status: 500, contentType: SOAP_CONTENT_TYPE, body: Buffer.from(signedFault(err)), faultCode: err.faultCode, faultString: err.text.en };
    };
    // With other exchanges in progress an operation's answer is signed on the thread pool, so that
    // the event loop serves them meanwhile (a fifth of its time per signed read); alone, the hop to
    // the pool would only add latency. Faults, rare, are signed in place.
    const renderOperation = async (outcome: Outcome): Promise<Rendered> => {
      if (!outcome.ok || !op || inFlight < 2) return render(outcome);
      return answer(await buildSignedEnvelopeAsync(signOptions(echoed, responseXml(outcome.output, op))));
    };
    const signOptions = (headers: string[], bodyXml: string): SignEnvelopeOptions => ({ headers, bodyXml, bodyCanonical: true, identity: deps.keys.identity(signer), now, ttlSeconds: config.xroad.timestamp.ttlSeconds });
    const sign = (headers: string[], bodyXml: string): string => buildSignedEnvelope(signOptions(headers, bodyXml));
    // Faults are signed too; should an echoed header defeat signing, the fault goes without headers rather than not at all.
    const signedFault = (err: AppError): string => {
      const body = faultBodyXml(err, requestId);
      try {
        return sign(echoed, body);
      } catch (e) {
        log.error('could not sign a fault with the echoed headers', { err: errInfo(e) });
        return sign([], body);
      }
    };

    let rendered: Rendered;
    let subjects: SubjectRef[] = [];
    let claim: PendingClaim | undefined;
    try {
      if (call.bodyError) throw call.bodyError;
      const msg = splitSoapMessage(call.contentType, raw, xmlLimits);
      base.requestAttachmentCount = msg.attachments.length;
      const env = parseEnvelope(decodeUtf8(msg.envelope), xmlLimits);
      try {
        echoed = echoHeaders(env);
      } catch (e) {
        log.warn('request headers could not be echoed', { err: errInfo(e) });
      }
      if (!env.headers) throw env.headersError ?? new AppError('INVALID_HEADER');
      const h = env.headers;
      Object.assign(base, {
        client: clientKey(h.client),
        service: serviceLogId(h),
        serviceCode: h.service.serviceCode ?? '',
        serviceVersion: h.service.serviceVersion,
        messageId: h.id,
        userId: h.userId,
        issue: h.issue,
        protocolVersion: h.protocolVersion,
        representedParty: h.representedParty ? [h.representedParty.partyClass, h.representedParty.partyCode].filter(Boolean).join('/') : undefined,
      });
      const providerKey = serviceSubsystemKey(h);
      const subsystem = providerKey ? subsystemByProviderId.get(providerKey) : undefined;
      if (subsystem) signer = h.service.memberCode;

      verifyEnvelope(env, { trust: deps.trust, now, maxAgeSeconds: config.xroad.timestamp.maxAgeSeconds, futureSkewSeconds: config.xroad.timestamp.futureSkewSeconds, attachments: msg.attachments });

      op = subsystem ? table.find(subsystem, h.service.serviceCode ?? '', h.service.serviceVersion) : undefined;
      if (!op) throw new AppError('UNKNOWN_SERVICE', { detail: NOT_PROVIDED });
      const found = op;
      base.operationKind = found.kind;
      const wrapper = env.bodyWrapper;
      if (!wrapper || wrapper.ns !== found.namespace || wrapper.local !== found.serviceCode) throw new AppError('UNKNOWN_SERVICE', { detail: BODY_MISMATCH });
      if (!soapActionAgrees(call.soapAction, found.serviceCode)) throw new AppError('UNKNOWN_SERVICE', { detail: ACTION_MISMATCH });

      const result = await invokeOperation(
        { table, acl: deps.acl, messageIds: deps.messageIds },
        {
          op: found,
          // Only verified values: every X-Road header was covered by the signature just checked.
          ctx: {
            transport: 'soap',
            client: clientKey(h.client),
            clientId: h.client,
            userId: h.userId,
            messageId: h.id,
            issue: h.issue,
            representedParty: h.representedParty,
            requestId,
            lang: pickLang(call.acceptLanguage),
            attachments: msg.attachments,
            now,
          },
          idempotency: { messageId: h.id, requestHash: requestHash(found, wrapper, msg.attachments) },
          decode: () => {
            const { value, errors } = decodeBodyCollecting(wrapper, objectShapeOf(found.input, 'input'), { namespace: found.namespace, attachmentFields: found.attachmentFields });
            assertDecoded(found.input, value, errors);
            checkAttachmentRefs(found, value, msg.attachments);
            return value;
          },
          render: renderOperation,
          log,
        },
      );
      rendered = result.rendered;
      subjects = result.subjects;
      claim = result.claim;
    } catch (e) {
      rendered = render(failedOutcome(transportError(e), e, log, 'SOAP'));
    }
    return finishExchange(deps.exchangeLog, { base, rendered, subjects, durable: op?.kind === 'write', claim }, log, render);
  };

  return async (call: SoapCall): Promise<Rendered> => {
    inFlight += 1;
    try {
      return await exchange(call);
    } finally {
      inFlight -= 1;
    }
  };
}

/** The exchange behind express (`res.locals` from the request context and the raw-body reader). */
export function soapEndpoint(exchange: (call: SoapCall) => Promise<Rendered>): RequestHandler {
  return async (req: Request, res: Response) => {
    const rendered = await exchange({
      raw: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      bodyError: res.locals.bodyError as AppError | undefined,
      contentType: req.get('content-type'),
      soapAction: req.get('soapaction'),
      acceptLanguage: req.get('accept-language'),
      requestId: res.locals.requestId as string | undefined,
      log: res.locals.log as Logger | undefined,
    });
    res.locals.outcome = rendered.faultCode ?? 'ok';
    res.status(rendered.status).type(rendered.contentType).send(rendered.body);
  };
}

/**
 * What "the same body" means for xrd:id replays: the operation, the exclusive canonical form of
 * the signed body wrapper (independent of the Body's wsu:Id, which differs between retries), and
 * each attachment's content id and digest.
 */
function requestHash(op: OperationDef, wrapper: NonNullable<ReceivedEnvelope['bodyWrapper']>, attachments: Attachment[]): string {
  const h = crypto.createHash('sha256').update(`soap\n${op.subsystem}/${op.serviceCode}/${op.version}\n`).update(excC14n(wrapper));
  for (const a of attachments) h.update(`\n${a.contentId}:${a.sha256}`);
  return h.digest('hex');
}
