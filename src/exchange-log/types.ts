import type { ClaimRef } from '../xroad/message-ids.js';

/**
 * One exchange crossing the adapter boundary, as the transports hand it to the exchange log
 * (CONTRACT §7; X-Road operational monitoring field names).
 */
export interface ExchangeRecordInput {
  /** 'in' = provided service called by someone; 'out' = a service the adapter consumed. */
  direction: 'in' | 'out';
  transport: 'soap' | 'xroad-rest' | 'rest';
  requestInTs: number;
  requestOutTs?: number;
  responseInTs?: number;
  responseOutTs: number;
  /** instance/class/code[/subsystem] of the caller. */
  client: string;
  /** instance/class/code/subsystem/serviceCode[/version]. */
  service: string;
  serviceCode: string;
  serviceVersion?: string;
  messageId: string;
  userId?: string;
  issue?: string;
  representedParty?: string;
  protocolVersion?: string;
  requestSize: number;
  responseSize: number;
  requestAttachmentCount: number;
  responseAttachmentCount: number;
  succeeded: boolean;
  faultCode?: string;
  faultString?: string;
  statusCode: number;
  /** Exact signed request and response bytes. */
  requestBody?: Buffer;
  responseBody?: Buffer;
  /** Subjects the exchange concerned, for "who accessed my data": holder INNs and person PINs. */
  subjects?: Array<{ kind: 'inn' | 'pin'; value: string }>;
  requestId?: string;
  /** Whether the operation reads or changes records; shown in the "who accessed my data" journal. */
  operationKind?: 'read' | 'write';
  /**
   * A read's `xrd:id` claim, completed in the same transaction that logs this record: the stored
   * response for replays is the logged one (see MessageIds).
   */
  replayClaim?: { ref: ClaimRef; contentType: string };
}

/** What the transports need of the exchange log. */
export interface ExchangeLogWriter {
  /** Resolves once the record is durably committed (group commit). */
  append(record: ExchangeRecordInput): Promise<{ seq: number }>;
}
