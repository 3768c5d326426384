import { AppError } from '../errors/app-error.js';
import type { ErrorCode } from '../errors/catalogue.js';

/**
 * What went wrong with one consumed call, before it becomes an AppError for the caller.
 * The kind decides three things: whether the attempt may be retried, whether it counts
 * against the upstream's circuit breaker, and which stable error code the caller sees.
 */
export type UpstreamFailureKind =
  /** Connection refused/reset, DNS, TLS: nothing readable came back. */
  | 'transport'
  /** The attempt or the whole budget ran out. */
  | 'timeout'
  /** HTTP 5xx without a readable SOAP fault. */
  | 'http'
  /** Not well-formed, not SOAP, or not the expected body. */
  | 'malformed'
  /** The response echo does not match the request (client, service, id). */
  | 'echo'
  /** Signature missing, invalid, not covering what it must, or from an untrusted key. */
  | 'signature'
  /** A SOAP fault from the provider or the security server. */
  | 'fault'
  /** The breaker is open. */
  | 'open'
  /** No free slot within the budget (bounded concurrency). */
  | 'busy'
  /** The exchange could not be written to the exchange log; its result is not used. */
  | 'log';

export class UpstreamError extends Error {
  readonly kind: UpstreamFailureKind;
  /** Upstream name: "minjust", "bis". */
  readonly upstream: string;
  readonly statusCode?: number;
  readonly faultCode?: string;
  readonly faultString?: string;

  constructor(
    kind: UpstreamFailureKind,
    upstream: string,
    message: string,
    opts: { statusCode?: number; faultCode?: string; faultString?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'UpstreamError';
    this.kind = kind;
    this.upstream = upstream;
    this.statusCode = opts.statusCode;
    this.faultCode = opts.faultCode;
    this.faultString = opts.faultString;
  }

  /** A provider's own business fault (Client.*): the request was understood and refused. */
  get isClientFault(): boolean {
    return this.kind === 'fault' && /^(soapenv:|soap:|[A-Za-z]+:)?Client(\.|$)/.test(this.faultCode ?? '');
  }

  /**
   * Retried only when another attempt may succeed: transport errors, timeouts, 5xx and
   * server-side faults (the security server's Server.* faults arrive this way too).
   */
  get retryable(): boolean {
    if (this.kind === 'transport' || this.kind === 'timeout' || this.kind === 'http') return true;
    return this.kind === 'fault' && !this.isClientFault;
  }

  /**
   * Counted by the breaker as a sign of an unhealthy upstream. A Client.* fault (e.g. not found)
   * is a healthy answer; a failed log write or a breaker rejection says nothing about the upstream.
   */
  get countsAsFailure(): boolean {
    return !(this.isClientFault || this.kind === 'open' || this.kind === 'busy' || this.kind === 'log');
  }

  /** True when the upstream could not give an answer at all: the cases where a stale copy may stand in. */
  get unavailable(): boolean {
    return ['transport', 'timeout', 'http', 'open', 'busy'].includes(this.kind) || (this.kind === 'fault' && !this.isClientFault);
  }
}

const CODE_BY_KIND: Record<UpstreamFailureKind, ErrorCode> = {
  transport: 'UPSTREAM_UNAVAILABLE',
  timeout: 'UPSTREAM_UNAVAILABLE',
  http: 'UPSTREAM_UNAVAILABLE',
  open: 'UPSTREAM_UNAVAILABLE',
  busy: 'UPSTREAM_UNAVAILABLE',
  malformed: 'UPSTREAM_INVALID_RESPONSE',
  echo: 'UPSTREAM_INVALID_RESPONSE',
  signature: 'UPSTREAM_INVALID_SIGNATURE',
  fault: 'UPSTREAM_FAULT',
  log: 'INTERNAL',
};

/** Fault codes a provider uses for "no such record" (local part after the last dot). */
const NOT_FOUND_FAULT = /(^|[.:])NotFound$/;

/**
 * The AppError a caller sees. Fault strings and upstream details stay in the cause (logs, exchange
 * log), never in the message: they may carry personal data or internals of another member.
 */
export function upstreamAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof UpstreamError) {
    if (err.kind === 'fault' && err.isClientFault && NOT_FOUND_FAULT.test(err.faultCode ?? '')) return new AppError('NOT_FOUND', { cause: err });
    return new AppError(CODE_BY_KIND[err.kind], { cause: err });
  }
  return new AppError('INTERNAL', { cause: err });
}
