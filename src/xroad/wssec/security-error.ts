/**
 * Why a signed message was refused. `code` maps to the fault (CONTRACT §4); `reason` is a stable
 * detail for logs and tests; `part` names the message part concerned when there is one
 * (e.g. "xrd:client", "soapenv:Body", "cid:doc1").
 */
export type SecurityErrorCode = 'INVALID_SIGNATURE' | 'UNTRUSTED_CERTIFICATE' | 'MESSAGE_EXPIRED';

export class SecurityError extends Error {
  constructor(
    readonly code: SecurityErrorCode,
    readonly reason: string,
    message: string,
    readonly part?: string,
  ) {
    super(message);
    this.name = 'SecurityError';
  }
}

/** Shorthand for the most common refusal. */
export function invalidSignature(reason: string, message: string, part?: string): SecurityError {
  return new SecurityError('INVALID_SIGNATURE', reason, message, part);
}
