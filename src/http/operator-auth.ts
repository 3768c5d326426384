import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/schema.js';
import { AppError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';

export type OperatorRole = 'auditor' | 'operator';

/** An authenticated operator: the name config gives the token, and its role. */
export interface Operator {
  name: string;
  role: OperatorRole;
}

/**
 * Operator bearer tokens, matched by SHA-256 against `config.operators.tokens` (only hashes are
 * configured). Every configured hash is compared in constant time, whichever matches, so timing
 * reveals neither which operator nor how much of a hash matched.
 */
export class OperatorTokens {
  private readonly entries: Array<Operator & { digest: Buffer }>;

  constructor(tokens: Config['operators']['tokens']) {
    this.entries = Object.entries(tokens).map(([name, t]) => ({ name, role: t.role, digest: Buffer.from(t.tokenSha256, 'hex') }));
  }

  /** The operator a bearer token belongs to; undefined for no, malformed or unknown tokens. */
  match(authorization: string | undefined): Operator | undefined {
    const m = /^Bearer\s+([\x21-\x7e]{16,512})$/.exec(authorization ?? '');
    if (!m) return undefined;
    const digest = crypto.createHash('sha256').update(m[1], 'utf8').digest();
    let hit: Operator | undefined;
    for (const e of this.entries) {
      const same = crypto.timingSafeEqual(digest, e.digest);
      if (same && !hit) hit = { name: e.name, role: e.role };
    }
    return hit;
  }
}

const NO_TOKEN = { en: 'Sign in with an operator token.', ru: 'Войдите с токеном оператора.', ky: 'Оператордун токени менен кириңиз.' };
const BAD_TOKEN = { en: 'The operator token is not valid.', ru: 'Токен оператора недействителен.', ky: 'Оператордун токени жараксыз.' };
const ROLE = { en: 'This needs the operator role; auditors see metadata only.', ru: 'Нужна роль оператора; аудиторы видят только метаданные.', ky: 'Бул үчүн оператордун ролу керек; аудиторлор метаберилиштерди гана көрүшөт.' };

function denial(logger: Logger, req: Request, res: Response, reason: string, operator?: Operator): void {
  const log = (res.locals.log as Logger | undefined) ?? logger;
  log.warn('operator access denied', { reason, method: req.method, path: `${req.baseUrl}${req.path}`, operator: operator?.name, role: operator?.role, remote: req.socket.remoteAddress });
}

/** The operator a previous operatorAuth left on the response. */
export function currentOperator(res: Response): Operator {
  return res.locals.operator as Operator;
}

/**
 * Requires a valid operator token (401 UNAUTHENTICATED otherwise) and leaves the operator in
 * `res.locals.operator`. Client certificates are not accepted here: the adapter serves plain HTTP
 * behind the security server's side of the network, so mutual TLS belongs to a terminating proxy.
 */
export function operatorAuth(deps: { tokens: OperatorTokens; logger: Logger }): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    const operator = deps.tokens.match(header);
    if (!operator) {
      denial(deps.logger, req, res, header ? 'invalid-token' : 'no-token');
      res.setHeader('WWW-Authenticate', 'Bearer realm="ops"');
      throw new AppError('UNAUTHENTICATED', { detail: header ? BAD_TOKEN : NO_TOKEN });
    }
    res.locals.operator = operator;
    next();
  };
}

/** Lets only operators with the `operator` role through (403 ACCESS_DENIED, logged, for auditors). */
export function requireOperatorRole(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const operator = currentOperator(res);
    if (operator.role !== 'operator') {
      denial(logger, req, res, 'role', operator);
      throw new AppError('ACCESS_DENIED', { detail: ROLE });
    }
    next();
  };
}
