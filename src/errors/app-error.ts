import { ERRORS, type ErrorCode } from './catalogue.js';
import type { Text } from '../i18n/messages.js';

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

/** Anything thrown, as an AppError; unknown errors become INTERNAL and keep the original as cause. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('INTERNAL', { cause: err });
}
