import crypto from 'node:crypto';
import { EXCHANGE_FIELDS, type HashedFields } from './exchange-record.js';

/** The `prevHash` of the first record of a chain that was never purged. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version tag of the canonical encoding; part of every hash so a future encoding can never collide. */
export const HASH_VERSION = 'xlog/1';

export function sha256Hex(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * The canonical encoding: a JSON array of the hashed fields in EXCHANGE_FIELDS order. Values are
 * integers, booleans, null or strings (already normalised to well-formed UTF-16 without NUL), so
 * JSON.stringify is deterministic. `seq` is not in it on purpose: a record's position is bound by
 * the link to its predecessor and by signed checkpoints, which lets verification tell a moved
 * record (still self-consistent) from an edited one.
 */
export function canonicalEncoding(rec: HashedFields): string {
  const values = new Array<unknown>(EXCHANGE_FIELDS.length);
  for (let i = 0; i < EXCHANGE_FIELDS.length; i++) values[i] = rec[EXCHANGE_FIELDS[i][0]];
  return JSON.stringify(values);
}

/** hash = SHA-256("xlog/1\n" + canonical encoding + "\n" + prevHash), hex. */
export function recordHash(rec: HashedFields, prevHash: string): string {
  return crypto.createHash('sha256').update(`${HASH_VERSION}\n${canonicalEncoding(rec)}\n${prevHash}`).digest('hex');
}
