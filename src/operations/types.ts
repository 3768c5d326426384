import type { z } from 'zod';
import type { Text, Lang } from '../i18n/messages.js';

/** An X-Road identifier: CLIENT/SUBSYSTEM when subsystemCode is set, MEMBER otherwise. */
export interface XRoadIdentifier {
  objectType: 'MEMBER' | 'SUBSYSTEM' | 'SERVICE';
  xRoadInstance: string;
  memberClass: string;
  memberCode: string;
  subsystemCode?: string;
  serviceCode?: string;
  serviceVersion?: string;
}

/** instance/class/code[/subsystem] — the form used in config, ACLs and logs. */
export function clientKey(id: Pick<XRoadIdentifier, 'xRoadInstance' | 'memberClass' | 'memberCode' | 'subsystemCode'>): string {
  return [id.xRoadInstance, id.memberClass, id.memberCode, id.subsystemCode].filter((p) => p !== undefined && p !== '').join('/');
}

/** A file that came with the request, already checked against the signature (or signed digest). */
export interface Attachment {
  /** Content-ID without angle brackets, or the multipart part name on JSON. */
  contentId: string;
  contentType: string;
  filename?: string;
  bytes: Buffer;
  /** Hex SHA-256 of bytes. */
  sha256: string;
}

/**
 * Who is calling and through what: built by the transport from signed content only
 * (SOAP: verified headers; REST: authenticated client + verified ID token).
 */
export interface CallContext {
  transport: 'soap' | 'xroad-rest' | 'rest' | 'internal';
  /** Calling client subsystem (instance/class/code/subsystem). */
  client: string;
  clientId: XRoadIdentifier;
  /** The end user's personal number (xrd:userId, or the PIN of the BIS ID token on REST). */
  userId?: string;
  messageId: string;
  issue?: string;
  representedParty?: { partyClass?: string; partyCode: string };
  requestId: string;
  lang: Lang;
  attachments: Attachment[];
  /** Request time; handlers use it instead of Date.now() so that tests can fix the clock. */
  now: Date;
  /**
   * Tells the transport which data subjects (holder INNs, person PINs) this call concerned, so that
   * the exchange log can answer "who accessed my data" (CONTRACT §7). Optional so that contexts built
   * outside a transport (tests, internal calls) need not provide it; handlers call `ctx.reportSubject?.(…)`.
   */
  reportSubject?: (subject: SubjectRef) => void;
}

/** A data subject an exchange concerned. */
export interface SubjectRef {
  kind: 'inn' | 'pin';
  value: string;
}

/** How an operation appears on /api/v1. */
export interface RestBinding {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-style path under /api/v1, e.g. "/holders/:inn". Path params and query go into the input. */
  path: string;
}

/**
 * One operation, defined once and served by every transport (SOAP/X-Road, X-Road REST, /api/v1 JSON),
 * described by WSDL and OpenAPI from the same schemas.
 */
export interface OperationDef<I = unknown, O = unknown> {
  /** Provider subsystem code, e.g. "pd-holders-registry". */
  subsystem: string;
  /** X-Road serviceCode; also the SOAP body wrapper element name. */
  serviceCode: string;
  version: 'v1';
  /** Target namespace of the body elements. */
  namespace: string;
  title: Text;
  /** Writes get durable logging before the response and idempotent replay by message id. */
  kind: 'read' | 'write';
  /** Input schema; the SOAP transport decodes the body wrapper's children into this shape. */
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  /** Names of input fields that carry attachments (referenced by content id). */
  attachmentFields?: string[];
  rest?: RestBinding;
  /**
   * Served on /api/v1 only (reports for the registry's own staff): not described in the WSDL and
   * not reachable over X-Road, so the provided service stays exactly the contract's.
   */
  restOnly?: boolean;
  /**
   * The provider's own rule on who may call (e.g. a registry's role matrix), checked right after the
   * ACL and before the input is read, so a caller who may never call gets ACCESS_DENIED rather than
   * a validation error. Throws an AppError; rules that depend on the record stay in the handler.
   */
  authorize?(client: string): void;
  handler(input: I, ctx: CallContext): Promise<O>;
}

/** A group of operations provided under one subsystem (one WSDL). */
export interface ServiceGroup {
  subsystem: string;
  namespace: string;
  title: Text;
  operations: OperationDef[];
}

/** Erases the generic parameters so that operations of different shapes live in one table. */
export function defineOperation<I, O>(def: OperationDef<I, O>): OperationDef {
  return def as unknown as OperationDef;
}

export type { Lang };
