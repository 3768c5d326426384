import { expect } from 'chai';
import { canonicalEncoding, GENESIS_HASH, hashCanonical, recordHash } from '../../../src/exchange-log/record-hash.js';
import { prepareRecord } from '../../../src/exchange-log/prepare-record.js';
import { checkpointSignatureValid, signCheckpoint } from '../../../src/exchange-log/checkpoint.js';
import { walkChain, type ChainLookup, type WalkItem } from '../../../src/exchange-log/walk-chain.js';
import type { HashedFields } from '../../../src/exchange-log/exchange-record.js';
import { otherSigner, sampleRecord, testSigner } from '../../../fixtures/exchange-log/sample-records.js';

function fields(i: number): HashedFields {
  return { ...prepareRecord(sampleRecord(i), 'full').fields, loggedAt: 1_700_000_000_000 + i };
}

/** A chain of n records as the walk sees them. */
function chain(n: number): WalkItem[] {
  let prev = GENESIS_HASH;
  return Array.from({ length: n }, (_, k) => {
    const canonical = canonicalEncoding(fields(k));
    const hash = hashCanonical(canonical, prev);
    const item = { seq: k + 1, prevHash: prev, hash, canonical };
    prev = hash;
    return item;
  });
}

function lookupOf(items: WalkItem[]): ChainLookup {
  return {
    seqOfHash: async (h) => items.find((x) => x.hash === h)?.seq,
    prevHashAt: async (s) => items.find((x) => x.seq === s)?.prevHash,
  };
}

async function walk(items: WalkItem[], checkpoints = [] as ReturnType<typeof signCheckpoint>[]) {
  return walkChain({
    items: (async function* () {
      yield items;
    })(),
    startSeq: 1,
    startPrev: GENESIS_HASH,
    checkpoints,
    trusted: [testSigner().certificate],
    lookup: lookupOf(items),
  });
}

describe('exchange-log chain (unit)', () => {
  it('encodes fields unambiguously: moving text between neighbouring fields changes the encoding', () => {
    const a = { ...fields(1), issue: 'ab', representedParty: 'c' };
    const b = { ...fields(1), issue: 'a', representedParty: 'bc' };
    const c = { ...fields(1), issue: null, representedParty: 'abc' };
    const d = { ...fields(1), issue: '', representedParty: 'abc' };
    const encodings = new Set([a, b, c, d].map(canonicalEncoding));
    expect(encodings.size).to.equal(4);
    expect(canonicalEncoding({ ...fields(1), issue: 'Ң' })).to.include('s2:Ң');
  });

  it('chains: the same fields after another predecessor give another hash', () => {
    expect(recordHash(fields(1), GENESIS_HASH)).to.not.equal(recordHash(fields(1), 'a'.repeat(64)));
    expect(recordHash(fields(1), GENESIS_HASH)).to.match(/^[0-9a-f]{64}$/);
  });

  it('walks an intact chain and names each kind of break', async () => {
    expect((await walk(chain(10))).firstBreak).to.equal(undefined);
    const edited = chain(10);
    edited[4] = { ...edited[4], canonical: edited[4].canonical.replace('msg-', 'MSG-') };
    expect((await walk(edited)).firstBreak).to.include({ seq: 5, kind: 'edited' });
    const gap = chain(10).filter((x) => x.seq !== 6);
    expect((await walk(gap)).firstBreak).to.include({ seq: 6, kind: 'deleted' });
    const swapped = chain(10);
    [swapped[3], swapped[4]] = [{ ...swapped[4], seq: 4 }, { ...swapped[3], seq: 5 }];
    expect((await walk(swapped)).firstBreak).to.include({ seq: 4, kind: 'reordered' });
    const forged = chain(10);
    forged[9] = { ...forged[9], prevHash: 'f'.repeat(64), hash: hashCanonical(forged[9].canonical, 'f'.repeat(64)) };
    expect((await walk(forged)).firstBreak).to.include({ seq: 10, kind: 'forged' });
  });

  it('checks checkpoints against trusted certificates only', async () => {
    const items = chain(10);
    const good = signCheckpoint(testSigner(), 5, items[4].hash, new Date(), 'periodic');
    expect(checkpointSignatureValid(good, [testSigner().certificate])).to.equal(true);
    expect(checkpointSignatureValid(good, [otherSigner().certificate])).to.equal(false);
    expect((await walk(items, [good])).lastVerifiedCheckpoint).to.equal(5);
    const foreign = signCheckpoint(otherSigner(), 5, items[4].hash, new Date(), 'periodic');
    expect((await walk(items, [foreign])).firstBreak).to.include({ seq: 5, kind: 'checkpoint-mismatch' });
    const wrongHash = signCheckpoint(testSigner(), 5, items[3].hash, new Date(), 'periodic');
    expect((await walk(items, [wrongHash])).firstBreak).to.include({ seq: 5, kind: 'checkpoint-mismatch' });
    const bodyEdited = chain(3).map((x) => ({ ...x, body: { stored: true, requestSha256: 'a'.repeat(64), responseSha256: null, bytes: { request: Buffer.from('x'), response: null } } }));
    expect((await walk(bodyEdited)).firstBreak).to.include({ seq: 1, kind: 'body-edited' });
  });
});
