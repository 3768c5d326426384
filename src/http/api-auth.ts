import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Config } from '../config/schema.js';
import { AppError } from '../errors/app-error.js';
import type { XRoadIdentifier } from '../operations/types.js';

/** Verifies the end user's BIS ID token; implemented with jose in consumers/bis. */
export interface IdTokenVerifier {
  verify(token: string): Promise<{ pin: string }>;
}

/** A web UI client of /api/v1, as config names it. */
export interface ApiClient {
  name: string;
  /** instance/class/code/subsystem: the X-Road client identity the ACL sees for this caller. */
  client: string;
  clientId: XRoadIdentifier;
}

/** What the auth middleware leaves in `res.locals` for the routes behind it. */
export interface ApiAuthLocals {
  apiClient: ApiClient;
  /** PIN from the verified BIS ID token (the end user); absent when no `X-User-Token` was sent. */
  userId?: string;
}

export function parseClientId(key: string): XRoadIdentifier {
  const [xRoadInstance, memberClass, memberCode, subsystemCode] = key.split('/');
  return subsystemCode ? { objectType: 'SUBSYSTEM', xRoadInstance, memberClass, memberCode, subsystemCode } : { objectType: 'MEMBER', xRoadInstance, memberClass, memberCode };
}

const NOT_AUTHENTICATED = {
  ky: 'Кардардын токени жок же туура эмес.',
  ru: 'Токен клиента отсутствует или неверен.',
  en: 'The client token is missing or invalid.',
};
const BAD_USER_TOKEN = {
  ky: 'Колдонуучунун токени туура эмес.',
  ru: 'Токен пользователя недействителен.',
  en: 'The user token is not valid.',
};

/**
 * Bearer tokens of the web UI clients, matched by SHA-256 against `config.api.clients`. Every
 * configured hash is compared with `timingSafeEqual`, whatever matched first, so the time taken
 * says nothing about which client or how much of a hash matched.
 */
export class ApiClients {
  private readonly clients: Array<ApiClient & { hash: Buffer }>;

  constructor(clients: Config['api']['clients']) {
    this.clients = Object.entries(clients).map(([name, c]) => ({ name, client: c.xroadClient, clientId: parseClientId(c.xroadClient), hash: Buffer.from(c.tokenSha256, 'hex') }));
  }

  authenticate(authorization: string | undefined): ApiClient | undefined {
    const m = /^Bearer ([A-Za-z0-9._~+/=-]{16,4096})$/.exec(authorization ?? '');
    if (!m) return undefined;
    const digest = crypto.createHash('sha256').update(m[1]).digest();
    let found: ApiClient | undefined;
    for (const c of this.clients) {
      if (crypto.timingSafeEqual(digest, c.hash) && !found) found = { name: c.name, client: c.client, clientId: c.clientId };
    }
    return found;
  }
}

/**
 * Authenticates /api/v1 callers: the web UI client by bearer token (401 without one), and the end
 * user by the BIS ID token in `X-User-Token` when present (401 when it does not verify). The user's
 * PIN plays the role of `xrd:userId`. Sets `res.locals.apiClient` and `res.locals.userId`.
 */
export function apiAuth(deps: { clients: ApiClients; idTokens: IdTokenVerifier }): RequestHandler {
  return async (req, res, next) => {
    const client = deps.clients.authenticate(req.get('authorization'));
    if (!client) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="api"');
      throw new AppError('UNAUTHENTICATED', { detail: NOT_AUTHENTICATED });
    }
    res.locals.apiClient = client;
    const userToken = req.get('x-user-token');
    if (userToken !== undefined) {
      let pin: string;
      try {
        ({ pin } = await deps.idTokens.verify(userToken));
      } catch (e) {
        if (e instanceof AppError) throw e;
        throw new AppError('UNAUTHENTICATED', { detail: BAD_USER_TOKEN, cause: e });
      }
      res.locals.userId = pin;
    }
    next();
  };
}
