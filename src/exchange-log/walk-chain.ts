import type { X509Certificate } from 'node:crypto';
import { hashCanonical, hashPreimage, sha256Hex } from './record-hash.js';
import { checkpointSignatureValid, type Checkpoint } from './checkpoint.js';

/**
 * What a broken link is:
 * - `edited`: a record's stored fields no longer give its stored hash (or, when its hash was
 *   recomputed too, its successor still links to the original);
 * - `body-edited`: stored request/response bytes differ from the digests in the record, or are
 *   missing without retention having purged them;
 * - `deleted`: a seq is missing (gap), the chain's start was removed without a signed anchor, or
 *   its tail is gone;
 * - `reordered`: a self-consistent record sits at a position whose predecessor is not the record
 *   it links to, and that record is elsewhere in the chain;
 * - `forged`: a record that links to nothing in the chain, was inserted between two records, or
 *   lies beyond the head the writer recorded;
 * - `checkpoint-mismatch`: a signed checkpoint does not match the record at its seq, or its
 *   signature does not verify with a trusted certificate.
 */
export type BreakKind = 'edited' | 'body-edited' | 'deleted' | 'reordered' | 'forged' | 'checkpoint-mismatch';

export interface ChainBreak {
  seq: number;
  kind: BreakKind;
  detail: string;
}

/** Lookups a classification needs when a link breaks; only used then. */
export interface ChainLookup {
  seqOfHash(hash: string): Promise<number | undefined>;
  prevHashAt(seq: number): Promise<string | undefined>;
}

/** What the walk knows of a record's bodies: what the record says, and the stored bytes (null = no bodies row). */
export interface WalkBody {
  stored: boolean;
  /** The record's digests; only looked at when there are bytes to compare them with. */
  requestSha256: string | null;
  responseSha256: string | null;
  bytes: { request: Buffer | null; response: Buffer | null } | null;
}

/** One record as the walk needs it: its chain data and the canonical encoding of its fields. */
export interface WalkItem {
  seq: number;
  prevHash: string;
  hash: string;
  canonical: string;
  preimage?: undefined;
  /** Present when bodies are checked. */
  body?: WalkBody;
}

/** A record given by the exact bytes its hash covers (hashCanonical's input, as the database built it; they end with prevHash). */
export interface PreimageWalkItem extends Omit<WalkItem, 'canonical' | 'preimage'> {
  canonical?: undefined;
  preimage: Uint8Array;
}

export interface WalkInput {
  /** Records in seq order, in pages (a page is walked without awaiting). */
  items: AsyncIterable<ReadonlyArray<WalkItem | PreimageWalkItem>>;
  /** First seq expected and the hash it must link to. */
  startSeq: number;
  startPrev: string;
  /** Checkpoints that fall within the walk, signature not yet checked. */
  checkpoints: readonly Checkpoint[];
  trusted: readonly X509Certificate[];
  lookup: ChainLookup;
  /** Missing bodies at or below this seq were purged by retention. */
  bodiesPurgedThrough?: number;
  onProgress?: (walked: number) => void;
}

export interface WalkResult {
  walked: number;
  bodiesChecked: number;
  /** Last seq walked and its hash (start values when nothing was walked). */
  lastSeq: number;
  lastHash: string;
  firstBreak?: ChainBreak;
  checkpointsVerified: number;
  lastVerifiedCheckpoint: number | null;
}

function bodyProblem(item: WalkItem | PreimageWalkItem, purgedThrough: number): string | undefined {
  const body = item.body;
  if (!body) return undefined;
  if (!body.stored) return body.bytes ? 'bodies are stored for a record that was logged without them' : undefined;
  if (!body.bytes) return item.seq <= purgedThrough ? undefined : 'the stored bodies are missing and retention has not purged them';
  for (const [part, bytes, digest] of [
    ['request', body.bytes.request, body.requestSha256],
    ['response', body.bytes.response, body.responseSha256],
  ] as const) {
    if ((bytes === null) !== (digest === null)) return `the ${part} body is ${bytes === null ? 'missing' : 'present but was not logged'}`;
    if (bytes !== null && sha256Hex(bytes) !== digest) return `the ${part} body does not match its logged SHA-256`;
  }
  return undefined;
}

/**
 * Names the break when record `rec` at position `p` is self-consistent but does not link to its
 * predecessor (see BreakKind).
 */
async function classifyLinkBreak(rec: WalkItem | PreimageWalkItem, lookup: ChainLookup): Promise<ChainBreak> {
  const p = rec.seq;
  const q = await lookup.seqOfHash(rec.prevHash);
  if (q !== undefined && q === p - 2) {
    return { seq: p - 1, kind: 'forged', detail: `record ${p - 1} was inserted: record ${p} links to record ${q}` };
  }
  if (q !== undefined) {
    return { seq: p, kind: 'reordered', detail: `record ${p} links to record ${q}, not to record ${p - 1}: records were moved` };
  }
  if ((await lookup.prevHashAt(p + 1)) === rec.hash) {
    return {
      seq: p - 1,
      kind: 'edited',
      detail: `record ${p} links to a version of record ${p - 1} that is no longer stored: record ${p - 1} was rewritten with a recomputed hash (or a record between them was deleted and the rest renumbered)`,
    };
  }
  return { seq: p, kind: 'forged', detail: `record ${p} links to no record of the chain` };
}

/**
 * Walks records in seq order from a trusted start (genesis, or a checkpoint whose signature was
 * checked) and stops at the first broken link. Every record is rehashed from its stored fields;
 * bodies are rehashed when given; checkpoints met on the way must verify and match.
 */
export async function walkChain(input: WalkInput): Promise<WalkResult> {
  const cps = new Map(input.checkpoints.map((c) => [c.seq, c]));
  const purgedThrough = input.bodiesPurgedThrough ?? 0;
  let expectedSeq = input.startSeq;
  let expectedPrev = input.startPrev;
  const res: WalkResult = { walked: 0, bodiesChecked: 0, lastSeq: input.startSeq - 1, lastHash: input.startPrev, checkpointsVerified: 0, lastVerifiedCheckpoint: null };
  const stop = (b: ChainBreak): WalkResult => ({ ...res, firstBreak: b });
  for await (const page of input.items) {
    for (const rec of page) {
      if (rec.seq > expectedSeq) {
        const missing = rec.seq - 1 === expectedSeq ? `record ${expectedSeq} is missing` : `records ${expectedSeq}…${rec.seq - 1} are missing`;
        return stop({ seq: expectedSeq, kind: 'deleted', detail: missing });
      }
      if (rec.seq < expectedSeq) return stop({ seq: rec.seq, kind: 'reordered', detail: `record ${rec.seq} appears after record ${expectedSeq - 1}` });
      if ((rec.preimage !== undefined ? hashPreimage(rec.preimage) : hashCanonical(rec.canonical, rec.prevHash)) !== rec.hash) {
        return stop({ seq: rec.seq, kind: 'edited', detail: `the stored fields of record ${rec.seq} do not give its hash` });
      }
      if (rec.prevHash !== expectedPrev) return stop(await classifyLinkBreak(rec, input.lookup));
      const bodyIssue = bodyProblem(rec, purgedThrough);
      if (bodyIssue) return stop({ seq: rec.seq, kind: 'body-edited', detail: `record ${rec.seq}: ${bodyIssue}` });
      if (rec.body?.bytes) res.bodiesChecked += 1;
      const cp = cps.get(rec.seq);
      if (cp) {
        if (!checkpointSignatureValid(cp, input.trusted)) return stop({ seq: rec.seq, kind: 'checkpoint-mismatch', detail: `the signature of checkpoint ${cp.seq} does not verify with a trusted certificate` });
        if (cp.hash !== rec.hash) return stop({ seq: rec.seq, kind: 'checkpoint-mismatch', detail: `record ${rec.seq} differs from the signed checkpoint at that seq` });
        res.checkpointsVerified += 1;
        res.lastVerifiedCheckpoint = rec.seq;
      }
      res.walked += 1;
      res.lastSeq = rec.seq;
      res.lastHash = rec.hash;
      expectedSeq = rec.seq + 1;
      expectedPrev = rec.hash;
    }
    input.onProgress?.(res.walked);
  }
  return res;
}
