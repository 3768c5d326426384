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

/** A field's check: what the value should have been, or undefined when it is fine. */
type Check = (v: unknown) => string | undefined;

const ts: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a finite number ≥ 0');
const int =
  (max = Infinity): Check =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max ? undefined : max === Infinity ? 'an integer ≥ 0' : `an integer 0–${max}`;
const count = int();
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'a boolean');
const str: Check = (v) => (typeof v === 'string' ? undefined : 'a string');
const text =
  (max: number, min = 0): Check =>
  (v) =>
    typeof v === 'string' && v.length <= max && v.length >= min ? undefined : `a string of ${min}–${max} characters`;
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    values.includes(v as string) ? undefined : `one of ${values.join(', ')}`;
const buffer: Check = (v) => (Buffer.isBuffer(v) ? undefined : 'a Buffer');
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined ? undefined : check(v);
const object =
  (fields: Record<string, Check>): Check =>
  (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'an object';
    for (const k in fields) {
      const problem = fields[k]((v as Record<string, unknown>)[k]);
      if (problem) return `${k}: ${problem}`;
    }
    return undefined;
  };
const arrayOf =
  (item: Check): Check =>
  (v) => {
    if (!Array.isArray(v)) return 'an array';
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i]);
      if (problem) return `${i}.${problem}`;
    }
    return undefined;
  };

/**
 * Checked one record at a time, so that one malformed record is refused at its own `append` and
 * never fails the batch it would have joined. Plain checks rather than a schema library: this runs
 * on every exchange, and the record is the transports' own, typed object.
 */
const RECORD_FIELDS: Record<keyof ExchangeRecordInput, Check> = {
  direction: oneOf('in', 'out'),
  transport: oneOf('soap', 'xroad-rest', 'rest'),
  requestInTs: ts,
  requestOutTs: optional(ts),
  responseInTs: optional(ts),
  responseOutTs: ts,
  // Empty only in a refused exchange whose request could not be read that far (see IDENTITY_FIELDS).
  client: text(512),
  service: text(512),
  serviceCode: text(255),
  serviceVersion: optional(text(64)),
  messageId: text(1024),
  userId: optional(text(255)),
  issue: optional(text(2048)),
  representedParty: optional(text(512)),
  protocolVersion: optional(text(32)),
  requestSize: count,
  responseSize: count,
  requestAttachmentCount: count,
  responseAttachmentCount: count,
  succeeded: bool,
  faultCode: optional(text(255)),
  // Long fault strings are cut (below) rather than refused: the exchange must still be logged.
  faultString: optional(str),
  statusCode: int(999),
  requestBody: optional(buffer),
  responseBody: optional(buffer),
  // Checked one by one below: a subject that cannot be an INN or PIN is dropped, not the exchange.
  subjects: optional(arrayOf(object({ kind: str, value: str }))),
  requestId: optional(text(128)),
  operationKind: optional(oneOf('read', 'write')),
  replayClaim: optional(object({ ref: object({ client: str, messageId: str, token: str, insert: optional(object({ requestHash: str, createdAtMs: count })) }), contentType: str })),
};

/** Every field's problem, `field: expected …`; empty when the record is well formed. */
export function recordProblems(input: unknown): string[] {
  if (input === null || typeof input !== 'object') return ['record: expected an object'];
  const rec = input as Record<string, unknown>;
  const problems: string[] = [];
  for (const k in RECORD_FIELDS) {
    const problem = RECORD_FIELDS[k as keyof ExchangeRecordInput](rec[k]);
    if (problem) problems.push(`${k}: expected ${problem}`);
  }
  if (rec.succeeded === true) for (const k of IDENTITY_FIELDS) if (rec[k] === '') problems.push(`${k}: expected a non-empty string in an exchange that succeeded`);
  return problems;
}

/**
 * Who called what, under which id. A request refused before its X-Road headers could be read (not
 * XML, too large, cut off) is still a message in and is logged, with these empty; an exchange that
 * succeeded always names them.
 */
const IDENTITY_FIELDS = ['client', 'service', 'serviceCode', 'messageId'] as const;

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
  const problems = recordProblems(input);
  if (problems.length > 0) throw new AppError('INTERNAL', { cause: new Error(`malformed exchange record: ${problems.join('; ')}`) });
  const r = input;
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
