import { expect } from 'chai';
import { MalformedPageError, parsePage } from '../../../src/exchange-log/verify-pages.js';
import { GENESIS_HASH, hashCanonical, hashPreimage } from '../../../src/exchange-log/record-hash.js';

/** A frame as the database writes it (verify-pages.ts), from UTF-8 parts. */
function frame(seq: number, hash: string, canonical: string, prev: string, flag = 'F'): Buffer {
  const pre = Buffer.from(`xlog/1\n${canonical}\n${prev}`, 'utf8');
  const h = Buffer.from(hash, 'utf8');
  return Buffer.concat([Buffer.from(`${seq},${h.length},${Buffer.byteLength(prev)},${pre.length},${flag};`), h, pre]);
}

describe('exchange log: verification pages', () => {
  const c1 = 's2:ins4:soapN';
  const h1 = hashCanonical(c1, GENESIS_HASH);
  // Multi-byte text (Kyrgyz, and a character outside the BMP) must frame by bytes, not characters.
  const c2 = 's25:Кызмат көрсөтүү 🙂N';
  const h2 = hashCanonical(c2, h1);

  it('splits a page into records whose preimages give the same hash as the canonical encoding', () => {
    const items = parsePage(Buffer.concat([frame(1, h1, c1, GENESIS_HASH), frame(2, h2, c2, h1, 'T')]));
    expect(items.map((i) => i.seq)).to.deep.equal([1, 2]);
    expect(items[0]).to.include({ hash: h1, prevHash: GENESIS_HASH });
    expect(items[1]).to.include({ hash: h2, prevHash: h1 });
    expect(hashPreimage(items[0].preimage)).to.equal(h1);
    expect(hashPreimage(items[1].preimage)).to.equal(h2);
    expect(items[1].body).to.equal(undefined);
  });

  it('takes text pages (PostgreSQL) as UTF-8, and an empty or missing page as no records', () => {
    const page = Buffer.concat([frame(1, h1, c1, GENESIS_HASH), frame(2, h2, c2, h1)]);
    expect(parsePage(page.toString('utf8')).map((i) => hashPreimage(i.preimage))).to.deep.equal([h1, h2]);
    expect(parsePage(null)).to.deep.equal([]);
    expect(parsePage('')).to.deep.equal([]);
  });

  it('puts records in seq order whatever order the database concatenated them in', () => {
    const items = parsePage(Buffer.concat([frame(12, h2, c2, h1), frame(-3, 'x', c1, ''), frame(11, h1, c1, GENESIS_HASH)]));
    expect(items.map((i) => i.seq)).to.deep.equal([-3, 11, 12]);
    expect(items[0]).to.include({ hash: 'x', prevHash: '' });
  });

  it('keeps whatever a tampered row holds, so the walk can name it', () => {
    const [item] = parsePage(frame(5, 'not a hash, с кириллицей', c1, 'ё'.repeat(3)));
    expect(item).to.include({ seq: 5, hash: 'not a hash, с кириллицей', prevHash: 'ёёё' });
  });

  it('gives the body check the bodies_stored flag and, where a bodies row exists, its bytes and digests', () => {
    const bodies = new Map([[2, { seq: 2, request: Buffer.from('<a/>'), response: null, request_sha256: 'ab', response_sha256: null }]]);
    const items = parsePage(Buffer.concat([frame(1, h1, c1, GENESIS_HASH, 'T'), frame(2, h2, c2, h1, 'F'), frame(3, h2, c2, h1, 'X')]), bodies);
    expect(items[0].body).to.deep.equal({ stored: true, requestSha256: null, responseSha256: null, bytes: null });
    expect(items[1].body).to.deep.equal({ stored: false, requestSha256: 'ab', responseSha256: null, bytes: { request: Buffer.from('<a/>'), response: null } });
    expect(items[2].body).to.deep.include({ stored: false, bytes: null });
  });

  it('refuses a page that does not frame', () => {
    const good = frame(1, h1, c1, GENESIS_HASH);
    expect(() => parsePage(good.subarray(0, good.length - 1))).to.throw(MalformedPageError, /overruns/);
    expect(() => parsePage(Buffer.from('1,64,64'))).to.throw(MalformedPageError);
    expect(() => parsePage(Buffer.from('1,x4,64,100,F;'))).to.throw(MalformedPageError, /bad number/);
    expect(() => parsePage(Buffer.from(',64,64,100,F;'))).to.throw(MalformedPageError, /bad number/);
    expect(() => parsePage(Buffer.from('1,0,0,0,FF'))).to.throw(MalformedPageError, /frame start/);
    expect(() => parsePage(Buffer.from('1,0,5,4,F;abcd'))).to.throw(MalformedPageError, /overruns/);
  });
});
