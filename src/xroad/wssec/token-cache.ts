import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { invalidSignature } from './security-error.js';

export interface TokenCertificate {
  cert: crypto.X509Certificate;
  /** Extracted once: X509Certificate.publicKey builds a new KeyObject on every read. */
  key: crypto.KeyObject;
}

// Keyed by the canonical base64 of the DER, so the same certificate sent by a client over and over
// is parsed once; the least recently used of 512 goes first.
const cache = new LRUCache<string, TokenCertificate>({ max: 512 });

/** The certificate already parsed from exactly this canonical base64, if any. */
export const cachedCertificate = (base64Der: string): TokenCertificate | undefined => cache.get(base64Der);

/** The certificate carried in a BinarySecurityToken (canonical base64 DER), parsed once per distinct token. */
export function certificateFromToken(base64Der: string): TokenCertificate {
  const hit = cache.get(base64Der);
  if (hit) return hit;
  let entry: TokenCertificate;
  try {
    const cert = new crypto.X509Certificate(Buffer.from(base64Der, 'base64'));
    entry = { cert, key: cert.publicKey };
  } catch {
    throw invalidSignature('TOKEN_INVALID', 'the BinarySecurityToken is not an X.509 certificate');
  }
  cache.set(base64Der, entry);
  return entry;
}
