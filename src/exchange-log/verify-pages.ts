import type { StoreClient } from '../store/store.js';
import { BODIES_TABLE, RECORDS_TABLE, num, type Row } from './exchange-record.js';
import { preimageSql } from './record-hash.js';
import type { PreimageWalkItem, WalkBody } from './walk-chain.js';

/**
 * Verification reads the chain in pages that are one value each: for every record of a seq range
 * the database appends a short header and the exact bytes the record's hash covers (hashCanonical's
 * input), and the walk hashes slices of that buffer. Thirty columns, or even four, per record as
 * driver row objects cost more than everything else the walk does; one buffer per page does not.
 *
 * A record's frame: `<seq>,<hash bytes>,<prev bytes>,<preimage bytes>,<flag>;<hash><preimage>`,
 * where the preimage ends with the stored prev_hash (its last <prev bytes>) and <flag> is the
 * bodies_stored column as the canonical encoding writes it (T, F, N, or X for a value the writer
 * cannot have produced). Lengths are in bytes of UTF-8, so any stored text frames exactly.
 */
export function pageSql(client: StoreClient, opts: { serverUtf8?: boolean } = {}): string {
  if (client === 'sqlite') {
    const len = (c: string) => `length(CAST(${c} AS BLOB))`;
    const flag = `(CASE WHEN r.bodies_stored IS NULL THEN 'N' WHEN r.bodies_stored = 1 THEN 'T' WHEN r.bodies_stored = 0 THEN 'F' ELSE 'X' END)`;
    // The subquery is a co-routine (LIMIT keeps SQLite from flattening it), so each record's
    // preimage is built once although the frame uses it twice; rows arrive in seq order, and
    // parsePage puts them in order anyway should they not.
    return (
      `select CAST(group_concat(p.seq || ',' || ${len('p.hash')} || ',' || ${len('p.prev')} || ',' || ${len('p.pre')} || ',' || p.flag || ';' || p.hash || p.pre, '') AS BLOB) as page ` +
      `from (select r.seq, coalesce(r.hash, '') as hash, coalesce(r.prev_hash, '') as prev, ${preimageSql(client, 'r')} as pre, ${flag} as flag ` +
      `from ${RECORDS_TABLE} r where r.seq >= ? and r.seq <= ? order by r.seq limit -1) p`
    );
  }
  // The page comes back as text (the driver asks for UTF-8), which costs the driver less than
  // bytea's hex; octet_length counts UTF-8 bytes only when the server's encoding is UTF-8.
  const len = (c: string) => (opts.serverUtf8 === false ? `octet_length(convert_to(${c}, 'UTF8'))` : `octet_length(${c})`);
  const flag = `(CASE WHEN r.bodies_stored THEN 'T' WHEN NOT r.bodies_stored THEN 'F' ELSE 'N' END)`;
  // OFFSET 0 keeps PostgreSQL from pulling the subquery up (and building each preimage twice).
  return (
    `select string_agg(concat(p.seq, ',', ${len('p.hash')}, ',', ${len('p.prev')}, ',', ${len('p.pre')}, ',', p.flag, ';', p.hash, p.pre), '') as page ` +
    `from (select r.seq, coalesce(r.hash, '') as hash, coalesce(r.prev_hash, '') as prev, ${preimageSql(client, 'r')} as pre, ${flag} as flag ` +
    `from ${RECORDS_TABLE} r where r.seq >= ? and r.seq <= ? order by r.seq offset 0) p`
  );
}

/** The stored bodies of a seq range with the digests their records logged. */
export const BODIES_PAGE_SQL = `select b.seq, b.request, b.response, r.request_sha256, r.response_sha256 from ${BODIES_TABLE} b left join ${RECORDS_TABLE} r on r.seq = b.seq where b.seq >= ? and b.seq <= ?`;

/** Bodies rows of one page by seq. */
export function bodiesBySeq(rows: readonly Row[]): Map<number, Row> {
  return new Map(rows.map((b) => [num(b.seq), b]));
}

// Most records have no bodies row; they share these.
const STORED_WITHOUT_BYTES: WalkBody = Object.freeze({ stored: true, requestSha256: null, responseSha256: null, bytes: null });
const NOT_STORED: WalkBody = Object.freeze({ stored: false, requestSha256: null, responseSha256: null, bytes: null });

const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const MINUS = 0x2d;
const T = 0x54;

export class MalformedPageError extends Error {
  constructor(detail: string) {
    super(`malformed verification page: ${detail}`);
    this.name = 'MalformedPageError';
  }
}

/**
 * The walk items of a page (pageSql: a buffer, or text from PostgreSQL), in seq order. With `bodies` (the bodies rows of the
 * page's range by seq) each item carries what the walk needs to check them.
 */
export function parsePage(page: Uint8Array | string | null | undefined, bodies?: ReadonlyMap<number, Row>): PreimageWalkItem[] {
  const items: PreimageWalkItem[] = [];
  if (!page || page.length === 0) return items;
  const buf = typeof page === 'string' ? Buffer.from(page, 'utf8') : Buffer.isBuffer(page) ? page : Buffer.from(page.buffer, page.byteOffset, page.length);
  const end = buf.length;
  let pos = 0;
  const int = (stop: number, signed: boolean): number => {
    let neg = false;
    if (signed && buf[pos] === MINUS) {
      neg = true;
      pos += 1;
    }
    const start = pos;
    let v = 0;
    while (pos < end) {
      const c = buf[pos++];
      if (c === stop) {
        if (pos - 1 === start) break;
        return neg ? -v : v;
      }
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
    }
    throw new MalformedPageError(`bad number at byte ${start}`);
  };
  let inOrder = true;
  let lastSeq = -Infinity;
  while (pos < end) {
    const seq = int(COMMA, true);
    const hashLen = int(COMMA, false);
    const prevLen = int(COMMA, false);
    const preLen = int(COMMA, false);
    const flag = buf[pos];
    if (buf[pos + 1] !== SEMICOLON) throw new MalformedPageError(`no frame start for record ${seq}`);
    const h = pos + 2;
    const p = h + hashLen;
    const e = p + preLen;
    if (e > end || prevLen > preLen) throw new MalformedPageError(`record ${seq} overruns its page`);
    const item: PreimageWalkItem = { seq, hash: buf.toString('utf8', h, p), prevHash: buf.toString('utf8', e - prevLen, e), preimage: buf.subarray(p, e) };
    if (bodies) {
      const stored = flag === T;
      const b = bodies.get(seq);
      item.body = b
        ? {
            stored,
            requestSha256: (b.request_sha256 ?? null) as string | null,
            responseSha256: (b.response_sha256 ?? null) as string | null,
            bytes: { request: (b.request ?? null) as Buffer | null, response: (b.response ?? null) as Buffer | null },
          }
        : stored
          ? STORED_WITHOUT_BYTES
          : NOT_STORED;
    }
    if (seq < lastSeq) inOrder = false;
    lastSeq = seq;
    items.push(item);
    pos = e;
  }
  if (!inOrder) items.sort((a, b) => a.seq - b.seq);
  return items;
}
