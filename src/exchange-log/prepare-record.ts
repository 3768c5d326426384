import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import type { ExchangeRecordInput } from './types.js';
import type { HashedFields } from './exchange-record.js';
import type { LoggedCompletion } from '../xroad/message-ids.js';
import { sha256Hex } from './record-hash.js';

/** A record checked and normalised at `append`, before it joins a batch; only loggedAt and the chain are missing. */
export interface PreparedRecord {
  fields: Omit<HashedFields, 'loggedAt'>;
  subjects: Array<{ kind: 'inn' | 'pin'; value: string }>;
  requestBody: Buffer | null;
  responseBody: Buffer | null;
  /** Subjects given that could not be an INN or PIN (or beyond the bound), left out. */
  droppedSubjects: number;
  /** The read's message-id claim to complete with this record's seq. */
  completion: Omit<LoggedCompletion, 'seq'> | null;
}

const ts = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();
const text = (max: number) => z.string().max(max);

/**
 * Checked one record at a time, so that one malformed record is refused at its own `append` and
 * never fails the batch it would have joined.
 */
const inputSchema = z.object({
  direction: z.enum(['in', 'out']),
  transport: z.enum(['soap', 'xroad-rest', 'rest']),
  requestInTs: ts,
  requestOutTs: ts.optional(),
  responseInTs: ts.optional(),
  responseOutTs: ts,
  client: text(512).min(1),
  service: text(512).min(1),
  serviceCode: text(255).min(1),
  serviceVersion: text(64).optional(),
  messageId: text(1024).min(1),
  userId: text(255).optional(),
  issue: text(2048).optional(),
  representedParty: text(512).optional(),
  protocolVersion: text(32).optional(),
  requestSize: count,
  responseSize: count,
  requestAttachmentCount: count,
  responseAttachmentCount: count,
  succeeded: z.boolean(),
  faultCode: text(255).optional(),
  // Long fault strings are cut (below) rather than refused: the exchange must still be logged.
  faultString: z.string().optional(),
  statusCode: z.number().int().min(0).max(999),
  requestBody: z.instanceof(Buffer).optional(),
  responseBody: z.instanceof(Buffer).optional(),
  // Checked one by one below: a subject that cannot be an INN or PIN is dropped, not the exchange.
  subjects: z.array(z.object({ kind: z.string(), value: z.string() })).optional(),
  requestId: text(128).optional(),
  operationKind: z.enum(['read', 'write']).optional(),
  replayClaim: z.object({ ref: z.object({ client: z.string(), messageId: z.string(), token: z.string() }), contentType: z.string() }).optional(),
});

const MAX_FAULT_STRING = 4000;
const MAX_SUBJECTS = 1000;
// Subject values join the canonical "kind:value,…" list: no separators, bounded.
const SUBJECT_VALUE = /^[A-Za-z0-9._-]{1,64}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Strings are hashed as given and must come back from the database unchanged: PostgreSQL refuses
 * NUL in text and UTF-8 cannot carry lone surrogates, so both become U+FFFD before hashing.
 */
function clean(s: string): string {
  return s.replace(/\0/g, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

function opt(s: string | undefined): string | null {
  return s === undefined ? null : clean(s);
}

function optTs(n: number | undefined): number | null {
  return n === undefined ? null : Math.round(n);
}

/** Validates and normalises one transport record; throws AppError INTERNAL (a transport bug) when malformed. */
export function prepareRecord(input: ExchangeRecordInput, bodies: 'full' | 'metadata'): PreparedRecord {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('INTERNAL', { cause: new Error(`malformed exchange record: ${where}`) });
  }
  const r = parsed.data;
  const requestInTs = Math.round(r.requestInTs);
  const responseOutTs = Math.round(r.responseOutTs);
  const given = r.subjects ?? [];
  const valid = given.filter((s) => (s.kind === 'inn' || s.kind === 'pin') && SUBJECT_VALUE.test(s.value)).slice(0, MAX_SUBJECTS);
  const subjectKeys = [...new Set(valid.map((s) => `${s.kind}:${s.value}`))].sort();
  const requestBody = r.requestBody ?? null;
  const responseBody = r.responseBody ?? null;
  const keep = bodies === 'full' && (requestBody !== null || responseBody !== null);
  const faultString = r.faultString === undefined ? null : clean(r.faultString.length > MAX_FAULT_STRING ? `${r.faultString.slice(0, MAX_FAULT_STRING)}…` : r.faultString);
  return {
    fields: {
      direction: r.direction,
      transport: r.transport,
      requestInTs,
      requestOutTs: optTs(r.requestOutTs),
      responseInTs: optTs(r.responseInTs),
      responseOutTs,
      client: clean(r.client),
      service: clean(r.service),
      serviceCode: clean(r.serviceCode),
      serviceVersion: opt(r.serviceVersion),
      messageId: clean(r.messageId),
      userId: opt(r.userId),
      issue: opt(r.issue),
      representedParty: opt(r.representedParty),
      protocolVersion: opt(r.protocolVersion),
      requestSize: r.requestSize,
      responseSize: r.responseSize,
      requestAttachmentCount: r.requestAttachmentCount,
      responseAttachmentCount: r.responseAttachmentCount,
      succeeded: r.succeeded,
      faultCode: opt(r.faultCode),
      faultString,
      statusCode: r.statusCode,
      durationMs: Math.max(0, responseOutTs - requestInTs),
      requestSha256: requestBody ? sha256Hex(requestBody) : null,
      responseSha256: responseBody ? sha256Hex(responseBody) : null,
      bodiesStored: keep,
      subjects: subjectKeys.join(','),
      requestId: opt(r.requestId),
      operationKind: r.operationKind ?? null,
    },
    subjects: subjectKeys.map((k) => {
      const i = k.indexOf(':');
      return { kind: k.slice(0, i) as 'inn' | 'pin', value: k.slice(i + 1) };
    }),
    requestBody: keep ? requestBody : null,
    responseBody: keep ? responseBody : null,
    droppedSubjects: given.length - valid.length,
    completion: r.replayClaim
      ? {
          ref: r.replayClaim.ref,
          status: r.statusCode,
          contentType: r.replayClaim.contentType,
          faultCode: r.faultCode ?? null,
          faultString: r.faultString ?? null,
          // Kept here only when the log does not keep the body.
          body: keep && responseBody !== null ? null : (responseBody ?? Buffer.alloc(0)),
        }
      : null,
  };
}
