import crypto from 'node:crypto';
import type { StoreClient } from '../store/store.js';
import { EXCHANGE_FIELDS, type HashedFields } from './exchange-record.js';

/** The `prevHash` of the first record of a chain that was never purged. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version tag of the canonical encoding; part of every hash so a future encoding can never collide. */
export const HASH_VERSION = 'xlog/1';

export function sha256Hex(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * The canonical encoding of the hashed fields, in EXCHANGE_FIELDS order, each self-delimiting:
 * null `N`; boolean `T`/`F`; integer `i<decimal>;`; text `s<UTF-8 byte length>:<text>`.
 * Prefix-free, so the concatenation is unambiguous. It is built so that the database can produce the
 * same string itself (canonicalSql) and verification reads one column per record instead of
 * thirty. `seq` is not in it on purpose: a record's position is bound by the link to its
 * predecessor and by signed checkpoints, which lets verification tell a moved record (still
 * self-consistent) from an edited one.
 */
export function canonicalEncoding(rec: HashedFields): string {
  let out = '';
  for (let i = 0; i < EXCHANGE_FIELDS.length; i++) {
    const [field, , type] = EXCHANGE_FIELDS[i];
    const v = rec[field];
    if (v === null || v === undefined) out += 'N';
    else if (type === 'bool') out += v ? 'T' : 'F';
    else if (type === 'int' || type === 'int?') out += `i${v as number};`;
    else out += `s${Buffer.byteLength(v as string, 'utf8')}:${v as string}`;
  }
  return out;
}

/** hash = SHA-256("xlog/1\n" + canonical encoding + "\n" + prevHash), hex. One-shot crypto.hash: verification calls it per record. */
export function hashCanonical(canonical: string, prevHash: string): string {
  return crypto.hash('sha256', `${HASH_VERSION}\n${canonical}\n${prevHash}`, 'hex');
}

/** The same hash over the exact bytes hashCanonical hashes (the UTF-8 of what preimageSql builds). */
export function hashPreimage(bytes: Uint8Array): string {
  return crypto.hash('sha256', bytes, 'hex');
}

export function recordHash(rec: HashedFields, prevHash: string): string {
  return hashCanonical(canonicalEncoding(rec), prevHash);
}

/**
 * The same canonical encoding as an SQL expression over exchange_records (alias `r`): `'s' || …`
 * is NULL when the column is, hence coalesce. Values the writer cannot have produced (a SQLite
 * boolean other than 0/1, a fraction or text in an integer column) encode differently from
 * anything canonicalEncoding gives, so they never verify.
 */
export function canonicalSql(client: StoreClient, alias = 'r'): string {
  const parts = EXCHANGE_FIELDS.map(([, column, type]) => {
    const c = `${alias}.${column}`;
    if (type === 'bool') {
      return client === 'sqlite' ? `(CASE WHEN ${c} IS NULL THEN 'N' WHEN ${c} = 1 THEN 'T' WHEN ${c} = 0 THEN 'F' ELSE 'X' END)` : `(CASE WHEN ${c} THEN 'T' WHEN NOT ${c} THEN 'F' ELSE 'N' END)`;
    }
    if (type === 'int' || type === 'int?') return client === 'sqlite' ? `coalesce('i' || ${c} || ';', 'N')` : `coalesce('i' || ${c}::text || ';', 'N')`;
    const bytes = client === 'sqlite' ? `length(CAST(${c} AS BLOB))` : `octet_length(${c})`;
    return `coalesce('s' || ${bytes} || ':' || ${c}, 'N')`;
  });
  return parts.join(' || ');
}

/**
 * What hashCanonical hashes, as an SQL text expression: `xlog/1` LF canonical LF prev_hash. It ends
 * with the stored prev_hash (a NULL one, which the schema forbids, gives an empty tail and a hash
 * that cannot match).
 */
export function preimageSql(client: StoreClient, alias = 'r'): string {
  const lf = client === 'sqlite' ? 'char(10)' : 'chr(10)';
  return `'${HASH_VERSION}' || ${lf} || ${canonicalSql(client, alias)} || ${lf} || coalesce(${alias}.prev_hash, '')`;
}
