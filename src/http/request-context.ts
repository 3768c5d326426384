import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../log/logger.js';

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A request's id (the caller's `X-Request-Id` when it is a safe token, else a new UUID) and a child logger carrying it. */
export function requestIdentity(given: string | string[] | undefined, logger: Logger): { requestId: string; log: Logger } {
  const requestId = typeof given === 'string' && SAFE_ID.test(given) ? given : crypto.randomUUID();
  return { requestId, log: logger.child({ requestId }) };
}

/** Gives every request its id (see requestIdentity), echoes it, and puts the child logger in `res.locals.log`. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const { requestId, log } = requestIdentity(req.headers['x-request-id'], logger);
    res.locals.requestId = requestId;
    res.locals.log = log;
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}
