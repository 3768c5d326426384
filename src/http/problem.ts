import type { ErrorRequestHandler, Request, Response } from 'express';
import { AppError, toAppError } from '../errors/app-error.js';
import { pickLang } from '../i18n/messages.js';
import type { Logger } from '../log/logger.js';

/** The JSON body of an error on the JSON endpoints: stable code, message in the caller's language, all three, fields. */
export function problemBody(err: AppError, acceptLanguage: string | undefined): Record<string, unknown> {
  const lang = pickLang(acceptLanguage);
  const text = err.text;
  return {
    code: err.code,
    faultCode: err.faultCode,
    message: text[lang],
    messages: text,
    fields: err.fields.map((f) => ({ field: f.field, reason: f.reason, message: f.message[lang], messages: f.message })),
  };
}

export function sendProblem(req: Request, res: Response, err: AppError): void {
  res.locals.outcome = err.faultCode;
  res.status(err.httpStatus).json(problemBody(err, req.get('accept-language')));
}

/** Logs an error no handler expected, with the request id its logger carries. */
export function logUnhandled(log: Logger, err: unknown, path: string): void {
  log.error('unhandled error', { err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err), path });
}

/** Last error handler: known errors as problems; anything else logged with the request id and answered as INTERNAL. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e = err as { type?: string; status?: number };
    let appErr: AppError;
    if (e?.type === 'entity.too.large') appErr = new AppError('PAYLOAD_TOO_LARGE');
    else if (e?.type === 'entity.parse.failed') appErr = new AppError('VALIDATION_FAILED', { detail: { ky: 'JSON туура эмес.', ru: 'Неверный JSON.', en: 'Malformed JSON.' } });
    else appErr = toAppError(err);
    if (appErr.code === 'INTERNAL') {
      logUnhandled((res.locals.log as Logger | undefined) ?? logger, err, req.path);
    }
    sendProblem(req, res, appErr);
  };
}
