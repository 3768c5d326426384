import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../log/logger.js';

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every request an id (a caller's `X-Request-Id` when it is a safe token, else a new UUID),
 * echoes it, and puts a child logger carrying it in `res.locals.log`.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && SAFE_ID.test(given) ? given : crypto.randomUUID();
    res.locals.requestId = requestId;
    res.locals.log = logger.child({ requestId });
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}
