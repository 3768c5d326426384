import { ERRORS, type ErrorCode } from './catalogue.js';
import type { Text } from '../i18n/messages.js';
import { isStoreUnavailable } from '../store/store.js';

/** One problem with one input field: the path, a stable reason code, and the message in three languages. */
export interface FieldError {
  field: string;
  reason: string;
  message: Text;
}

/**
 * The one error type that crosses layers. Transports turn it into a SOAP Fault or a JSON
 * problem; anything else thrown becomes INTERNAL with nothing of it shown to the caller.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldError[];
  /** Extra text in three languages shown after the catalogue message (e.g. the current state). */
  readonly detail?: Text;

  constructor(code: ErrorCode, opts: { fields?: FieldError[]; detail?: Text; cause?: unknown } = {}) {
    super(ERRORS[code].message.en + (opts.detail ? ` ${opts.detail.en}` : ''), { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.fields = opts.fields ?? [];
    this.detail = opts.detail;
  }

  get faultCode(): string {
    return ERRORS[this.code].faultCode;
  }

  get httpStatus(): number {
    return ERRORS[this.code].httpStatus;
  }

  /** The full message in each language: catalogue text plus detail. */
  get text(): Text {
    const base = ERRORS[this.code].message;
    const d = this.detail;
    return d ? { ky: `${base.ky} ${d.ky}`, ru: `${base.ru} ${d.ru}`, en: `${base.en} ${d.en}` } : { ...base };
  }
}

const STORE_UNAVAILABLE: Text = {
  ky: 'Реестрдин маалымат базасы жеткиликсиз.',
  ru: 'База данных реестра недоступна.',
  en: "The registry's database is unavailable.",
};

/**
 * The store out of reach (refused, reset, pool timeout), directly or as the cause of an AppError
 * (e.g. the exchange log's): UPSTREAM_UNAVAILABLE (Server.UpstreamUnavailable, retry later).
 */
export function storeUnavailableError(err: unknown): AppError | undefined {
  if (err instanceof AppError && err.code === 'UPSTREAM_UNAVAILABLE') return err;
  const cause = err instanceof AppError ? err.cause : err;
  return isStoreUnavailable(cause) ? new AppError('UPSTREAM_UNAVAILABLE', { detail: STORE_UNAVAILABLE, cause }) : undefined;
}

/** Anything thrown, as an AppError; the store being unreachable is UPSTREAM_UNAVAILABLE, other unknown errors INTERNAL (the original kept as cause). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return storeUnavailableError(err) ?? new AppError('INTERNAL', { cause: err });
}
