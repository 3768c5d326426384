import type { AccessControl } from '../acl/access-control.js';
import { AppError, storeUnavailableError, toAppError, type FieldError } from '../errors/app-error.js';
import type { ExchangeLogWriter, ExchangeRecordInput } from '../exchange-log/types.js';
import type { Logger } from '../log/logger.js';
import type { ClaimRef, MessageIds, StoredResponse } from '../xroad/message-ids.js';
import { fieldError, type OperationTable } from './operation-table.js';
import type { CallContext, OperationDef, SubjectRef } from './types.js';

/**
 * The part of a call every transport shares (SOAP/X-Road, X-Road REST, /api/v1): access control,
 * message-id idempotency, input validation, the handler, output validation, and rendering the
 * outcome once so that a replay returns exactly the same bytes. Transports do what is theirs
 * before (authenticate, route, decode) and after (send, log).
 */

export type Outcome = { ok: true; output: unknown } | { ok: false; error: AppError };

/** A response as bytes: what is sent, stored for replays, and logged. */
export interface Rendered extends StoredResponse {
  faultCode?: string;
  faultString?: string;
}

export interface InvokeDeps {
  table: OperationTable;
  acl: AccessControl;
  messageIds: MessageIds;
}

export interface InvokeArgs {
  op: OperationDef;
  /** Built by the transport from authenticated values only; `reportSubject` is provided here. */
  ctx: Omit<CallContext, 'reportSubject'>;
  /** Present when the call carries a client message id: a repeat gets the stored response. */
  idempotency?: { messageId: string; requestHash: string };
  /** Turns the transport's request into the raw input zod will check; may throw VALIDATION_FAILED. */
  decode(): unknown;
  /** Renders an outcome; throwing here makes the outcome INTERNAL. */
  render(outcome: Outcome): Promise<Rendered> | Rendered;
  log: Logger;
}

export interface InvokeResult {
  rendered: Rendered;
  /** The stored response of an earlier request with the same message id and body was returned. */
  replayed: boolean;
  outcome?: Outcome;
  subjects: SubjectRef[];
  /**
   * A read's claim left for the exchange log to complete (the transport hands it to finishExchange):
   * its response is stored once, as the logged response, in the log's group commit.
   */
  claim?: PendingClaim;
}

/** A claim to complete when the exchange is logged, and where to release it should logging fail. */
export interface PendingClaim {
  ref: ClaimRef;
  messageIds: MessageIds;
}

/**
 * Runs one call. Access denial, a duplicate message id and a message still in progress throw
 * (the transport renders them: they are not outcomes of this id). Everything after the claim is an
 * outcome: stored when it is a success or a Client.* fault (deterministic for the same body), released
 * when it is a Server.* fault, so that a retry after a transient failure runs again. A write's
 * response is stored here, before the answer; a read's is stored by the exchange log with its record
 * (`claim` in the result), so its bytes are written once.
 */
export async function invokeOperation(deps: InvokeDeps, args: InvokeArgs): Promise<InvokeResult> {
  const { op, ctx } = args;
  if (!deps.acl.isAllowed(ctx.client, op.subsystem, op.serviceCode)) throw new AppError('ACCESS_DENIED');
  op.authorize?.(ctx.client);
  const claim = args.idempotency ? await deps.messageIds.claim(ctx.client, args.idempotency.messageId, args.idempotency.requestHash, ctx.now.getTime(), op.kind) : undefined;
  if (claim?.kind === 'replay') return { rendered: claim.response, replayed: true, subjects: [] };
  const token = claim?.token;
  const subjects: SubjectRef[] = [];
  const fullCtx: CallContext = {
    ...ctx,
    reportSubject: (s) => {
      if ((s.kind === 'inn' || s.kind === 'pin') && typeof s.value === 'string' && subjects.length < 100 && !subjects.some((x) => x.kind === s.kind && x.value === s.value)) subjects.push({ kind: s.kind, value: s.value });
    },
  };
  let outcome: Outcome;
  try {
    outcome = { ok: true, output: await deps.table.call(op, args.decode(), fullCtx) };
  } catch (e) {
    outcome = { ok: false, error: toAppError(e) };
    if (outcome.error.code === 'INTERNAL') logInternal(args.log, e, op);
  }
  let rendered: Rendered;
  try {
    rendered = await args.render(outcome);
  } catch (e) {
    logInternal(args.log, e, op);
    outcome = { ok: false, error: new AppError('INTERNAL', { cause: e }) };
    try {
      rendered = await args.render(outcome);
    } catch (again) {
      if (token && args.idempotency) await deps.messageIds.release(ctx.client, args.idempotency.messageId, token).catch(() => undefined);
      throw again;
    }
  }
  if (token && args.idempotency) {
    const { messageId } = args.idempotency;
    const keep = outcome.ok || outcome.error.faultCode.startsWith('Client.');
    if (keep && op.kind === 'read' && claim?.kind === 'new') return { rendered, replayed: false, outcome, subjects, claim: { ref: claim.ref, messageIds: deps.messageIds } };
    try {
      if (keep) {
        if (!(await deps.messageIds.complete(ctx.client, messageId, token, rendered))) args.log.warn('message id claim was taken over before completion', { messageId, serviceCode: op.serviceCode });
      } else await deps.messageIds.release(ctx.client, messageId, token);
    } catch (e) {
      // The response is still right; only a later retry may run the operation again. Say so in the log.
      args.log.error('could not store the response of a message id', { messageId, serviceCode: op.serviceCode, err: errInfo(e) });
    }
  }
  return { rendered, replayed: false, outcome, subjects };
}

function logInternal(log: Logger, e: unknown, op: OperationDef): void {
  const cause = e instanceof AppError && e.cause !== undefined ? e.cause : e;
  log.error('operation failed with an internal error', { serviceCode: op.serviceCode, subsystem: op.subsystem, err: errInfo(cause) });
}

/**
 * The outcome of a request that failed outside its operation (refused before it ran, or the
 * transport itself failed), the same on every transport: an error outcome, INTERNAL ones logged
 * with their cause (never shown to the caller).
 */
export function failedOutcome(err: AppError, raw: unknown, log: Logger, transport: string): Outcome {
  if (err.code === 'INTERNAL') log.error(`${transport} request failed with an internal error`, { err: errInfo(err.cause ?? raw) });
  return { ok: false, error: err };
}

export function errInfo(e: unknown): Record<string, unknown> {
  return e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { value: String(e) };
}

/**
 * Appends an exchange record. For writes the caller awaits it before answering (the record is
 * durable before the client learns of the effect); for reads it completes in the background and
 * a failure is logged, never shown.
 */
export async function appendExchange(writer: ExchangeLogWriter, record: ExchangeRecordInput, durable: boolean, log: Logger, claim?: PendingClaim): Promise<void> {
  let appended: Promise<unknown>;
  try {
    appended = writer.append(record);
  } catch (e) {
    appended = Promise.reject(e);
  }
  const p = appended.then(
    () => claim?.messageIds.logged(claim.ref),
    (e: unknown) => {
      // A claim the failed batch was to complete is given up, so that a retry runs the read again.
      claim?.messageIds.releaseRef(claim.ref).catch((again: unknown) => log.warn('message id claim not released after a failed log append', { messageId: record.messageId, err: errInfo(again) }));
      throw e;
    },
  );
  if (durable) {
    await p;
    return;
  }
  p.catch((e: unknown) => log.error('exchange log append failed', { messageId: record.messageId, serviceCode: record.serviceCode, err: errInfo(e) }));
}

/**
 * Every value of an attachment field (at any depth, single or in an array) must name an attachment
 * that came with the request; otherwise the field is reported, as any other invalid value.
 */
export function checkAttachmentRefs(op: OperationDef, raw: unknown, attachments: ReadonlyArray<{ contentId: string }>): void {
  const fields = op.attachmentFields ?? [];
  if (fields.length === 0) return;
  const known = new Set(attachments.map((a) => a.contentId));
  const missing: FieldError[] = [];
  const visit = (v: unknown, path: Array<string | number>, depth: number): void => {
    if (depth > 16 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, [...path, i], depth + 1));
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (fields.includes(k)) {
        const refs = Array.isArray(x) ? x : [x];
        refs.forEach((r, i) => {
          if (typeof r === 'string' && !known.has(r)) missing.push(fieldError(Array.isArray(x) ? [...path, k, i] : [...path, k], 'invalid', ATTACHMENT_MISSING));
        });
      } else visit(x, [...path, k], depth + 1);
    }
  };
  visit(raw, [], 0);
  if (missing.length > 0) throw new AppError('VALIDATION_FAILED', { fields: missing });
}

const ATTACHMENT_MISSING = {
  en: 'The referenced attachment is not in the request.',
  ru: 'Указанное вложение отсутствует в запросе.',
  ky: 'Көрсөтүлгөн тиркеме суроо-талапта жок.',
};

/**
 * Appends the record of a finished exchange (see appendExchange) and returns what to send: the
 * rendered response, or, when a write's record could not be committed, an INTERNAL error rendered
 * by the transport (the client must not learn of an effect the log does not hold).
 */
export async function finishExchange(
  writer: ExchangeLogWriter,
  exchange: { base: ExchangeBase; rendered: Rendered; subjects: SubjectRef[]; durable: boolean; claim?: PendingClaim },
  log: Logger,
  render: (outcome: Outcome) => Rendered,
): Promise<Rendered> {
  const record = exchangeRecord(exchange.base, exchange.rendered, exchange.subjects);
  const claim = exchange.claim;
  if (claim) record.replayClaim = { ref: claim.ref, contentType: exchange.rendered.contentType };
  try {
    await appendExchange(writer, record, exchange.durable, log, claim);
    return exchange.rendered;
  } catch (e) {
    // The log's own refusal (queue full, shutting down) says "try again later"; the store being down says so too.
    const error = storeUnavailableError(e) ?? (e instanceof AppError && e.code === 'EXCHANGE_LOG_UNAVAILABLE' ? e : new AppError('INTERNAL', { cause: e }));
    log.error(`exchange log append failed; write answered with ${error.code}`, { serviceCode: exchange.base.serviceCode, err: errInfo(e) });
    return render({ ok: false, error });
  }
}

/** What a transport knows of an exchange before the response: everything but the response side. */
export type ExchangeBase = Omit<ExchangeRecordInput, 'responseOutTs' | 'responseSize' | 'responseAttachmentCount' | 'succeeded' | 'faultCode' | 'faultString' | 'statusCode' | 'responseBody' | 'subjects' | 'direction'>;

/** The complete record of an inbound exchange once its response is rendered. */
export function exchangeRecord(base: ExchangeBase, rendered: Rendered, subjects: SubjectRef[], responseOutTs: number = Date.now()): ExchangeRecordInput {
  // Every field named (`satisfies` keeps the list complete), not `...base`: the base grew field by
  // field and is slow to spread.
  return {
    direction: 'in' as const,
    transport: base.transport,
    requestInTs: base.requestInTs,
    requestOutTs: base.requestOutTs,
    responseInTs: base.responseInTs,
    client: base.client,
    service: base.service,
    serviceCode: base.serviceCode,
    serviceVersion: base.serviceVersion,
    messageId: base.messageId,
    userId: base.userId,
    issue: base.issue,
    representedParty: base.representedParty,
    protocolVersion: base.protocolVersion,
    requestSize: base.requestSize,
    requestAttachmentCount: base.requestAttachmentCount,
    requestBody: base.requestBody,
    requestId: base.requestId,
    operationKind: base.operationKind,
    replayClaim: base.replayClaim,
    responseOutTs,
    responseSize: rendered.body.length,
    responseAttachmentCount: 0,
    succeeded: rendered.faultCode === undefined,
    faultCode: rendered.faultCode,
    faultString: rendered.faultString,
    statusCode: rendered.status,
    responseBody: rendered.body,
    subjects: subjects.length > 0 ? subjects : undefined,
  } satisfies Record<keyof ExchangeRecordInput, unknown>;
}
