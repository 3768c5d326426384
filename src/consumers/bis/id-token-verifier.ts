import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../../errors/app-error.js';
import { isPin } from '../identifiers.js';

export interface IdTokenVerifierOptions {
  issuer: string;
  /** Our client id at BIS; the token's `aud` must name it. */
  audience: string;
  jwksUrl: string;
  clockSkewSeconds: number;
  /** Signature algorithms accepted; asymmetric only (no HMAC, never "none"). */
  algorithms?: string[];
  /** Key source instead of the remote JWKS (tests). */
  keys?: JWTVerifyGetKey;
  /** JWKS fetch timeout; BIS that does not answer in time is unavailable, not a bad token. */
  jwksTimeoutMs?: number;
  /** How long fetched keys are trusted before a refetch. */
  jwksCacheMaxAgeMs?: number;
  now?: () => Date;
}

export interface VerifiedIdToken {
  pin: string;
  claims: JWTPayload;
}

export interface IdTokenVerifier {
  /** Resolves with the user's PIN; rejects with AppError UNAUTHENTICATED (or UPSTREAM_UNAVAILABLE when the JWKS cannot be fetched). */
  verify(token: string): Promise<VerifiedIdToken>;
}

const DEFAULT_ALGS = ['RS256', 'PS256', 'ES256'];
const MAX_TOKEN_LENGTH = 16 * 1024;

const INVALID_TOKEN = {
  ky: 'БИСтин идентификациялык токени жараксыз.',
  ru: 'Идентификационный токен БИС недействителен.',
  en: 'The BIS ID token is not valid.',
};

/**
 * Verifies BIS ID tokens (OpenID Connect Core §3.1.3.7) with jose: signature against BIS's published
 * JWKS (fetched and cached by jose, refetched on an unknown key id), issuer, audience, expiry and
 * not-before with a small clock skew, an algorithm allowlist. The PIN comes from the `pin` claim or,
 * failing that, from `sub` — and must be a well-formed PIN either way.
 */
export function createIdTokenVerifier(opts: IdTokenVerifierOptions): IdTokenVerifier {
  const keys =
    opts.keys ??
    createRemoteJWKSet(new URL(opts.jwksUrl), {
      timeoutDuration: opts.jwksTimeoutMs ?? 5000,
      cacheMaxAge: opts.jwksCacheMaxAgeMs ?? 10 * 60_000,
      cooldownDuration: 30_000,
    });
  const algorithms = opts.algorithms ?? DEFAULT_ALGS;
  return {
    async verify(token: string): Promise<VerifiedIdToken> {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new AppError('UNAUTHENTICATED', { detail: INVALID_TOKEN });
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: opts.issuer,
          audience: opts.audience,
          algorithms,
          clockTolerance: opts.clockSkewSeconds,
          requiredClaims: ['exp', 'iat', 'sub'],
          currentDate: opts.now?.(),
        }));
      } catch (e) {
        if (isKeySourceFailure(e)) throw new AppError('UPSTREAM_UNAVAILABLE', { cause: e });
        throw new AppError('UNAUTHENTICATED', { detail: INVALID_TOKEN, cause: e });
      }
      const pin = typeof payload.pin === 'string' ? payload.pin : payload.sub;
      if (!pin || !isPin(pin)) throw new AppError('UNAUTHENTICATED', { detail: INVALID_TOKEN });
      return { pin, claims: payload };
    },
  };
}

/** The JWKS could not be had (timeout, network, not a key set): BIS is unavailable, the token is not judged. */
function isKeySourceFailure(e: unknown): boolean {
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid) return true;
  // jose reports a non-200 or non-JSON JWKS response with a plain JOSEError (code ERR_JOSE_GENERIC).
  if (e instanceof errors.JOSEError) return e.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set HTTP response/.test(e.message);
  // fetch() failures (connection refused, bad status) surface as TypeError/Error from jose's fetch.
  return e instanceof Error && !(e instanceof AppError);
}
