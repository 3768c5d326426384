import crypto from 'node:crypto';
import type { SigningIdentity } from '../pki/key-store.js';
import { num, type Row } from './exchange-record.js';

/**
 * A signed statement "the chain had hash H at seq N at time T". Periodic ones are written every
 * `exchangeLog.checkpointEvery` records; 'manual' on demand; 'shutdown' when a writer closes;
 * 'anchor' by retention just before the first record it keeps.
 */
export interface Checkpoint {
  seq: number;
  hash: string;
  signedAt: number;
  kind: 'periodic' | 'manual' | 'shutdown' | 'anchor';
  algorithm: 'RSA-SHA256' | 'ECDSA-SHA256';
  /** Base64 signature over checkpointPayload(). */
  signature: string;
  /** Base64 DER of the certificate of the signing key, for the auditor's information only. */
  certificate: string;
}

/** The exact bytes that are signed; an auditor can rebuild them from an export line. */
export function checkpointPayload(seq: number, hash: string, signedAt: number): Buffer {
  return Buffer.from(`tunduk-registry-adapter exchange-log checkpoint v1\nseq:${seq}\nhash:${hash}\ntime:${new Date(signedAt).toISOString()}\n`, 'utf8');
}

export function signCheckpoint(signer: SigningIdentity, seq: number, hash: string, at: Date, kind: Checkpoint['kind']): Checkpoint {
  const signedAt = at.getTime();
  const signature = crypto.sign('sha256', checkpointPayload(seq, hash, signedAt), signer.privateKey).toString('base64');
  return { seq, hash, signedAt, kind, algorithm: signer.keyType === 'ec' ? 'ECDSA-SHA256' : 'RSA-SHA256', signature, certificate: signer.certBase64 };
}

/**
 * True when one of the trusted certificates verifies the signature. The certificate stored with the
 * checkpoint is never used to verify it: whoever can edit the database could replace both.
 */
export function checkpointSignatureValid(cp: Checkpoint, trusted: readonly crypto.X509Certificate[]): boolean {
  const data = checkpointPayload(cp.seq, cp.hash, cp.signedAt);
  const sig = Buffer.from(cp.signature, 'base64');
  return trusted.some((cert) => {
    try {
      return crypto.verify('sha256', data, cert.publicKey, sig);
    } catch {
      return false;
    }
  });
}

export function checkpointToRow(cp: Checkpoint): Row {
  return { seq: cp.seq, hash: cp.hash, signed_at_ms: cp.signedAt, kind: cp.kind, algorithm: cp.algorithm, signature: cp.signature, certificate: cp.certificate };
}

export function checkpointFromRow(row: Row): Checkpoint {
  return {
    seq: num(row.seq),
    hash: String(row.hash),
    signedAt: num(row.signed_at_ms),
    kind: String(row.kind) as Checkpoint['kind'],
    algorithm: String(row.algorithm) as Checkpoint['algorithm'],
    signature: String(row.signature),
    certificate: String(row.certificate),
  };
}
