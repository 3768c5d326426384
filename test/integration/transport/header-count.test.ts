import { expect } from 'chai';
import { MAX_HEADER_ELEMENTS } from '../../../src/xroad/envelope.js';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { parseResponse, pingBody, post, signedRequest, startServer, verifySignedBy, type TestServer } from './harness.js';

/**
 * Regression (fuzzing, seed 7, iteration 55330): every request header is echoed and signed in the
 * answer, so 40,000 empty headers in a 200 KB request made a 26 MB fault and seconds of signing.
 * Past the bound the request is refused before anything is echoed.
 */
describe('the number of SOAP header elements', () => {
  let store: TestStore;
  let srv: TestServer;
  before(async () => {
    store = await freshStore('sqlite');
    srv = await startServer({ store });
  });
  after(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('is bounded: a flood of headers gets a small signed Client.InvalidHeader fault, quickly', async () => {
    // Added after signing, as an attacker would: the headers need no signature to be echoed.
    const flooded = signedRequest({ bodyXml: pingBody() }).replace(/(<[A-Za-z0-9]+:Header[^>]*>)/, `$1${'<e/>'.repeat(40_000)}`);
    expect(flooded.length).to.be.greaterThan(160_000);
    const started = performance.now();
    const r = await post(`${srv.url}/xroad`, flooded);
    const p = parseResponse(r.text);
    expect(p.faultCode).to.equal('Client.InvalidHeader');
    expect(p.headerNames).to.deep.equal([]);
    expect(r.text.length).to.be.lessThan(20_000);
    expect(performance.now() - started).to.be.lessThan(5_000);
    expect(() => verifySignedBy(r.text, '70000099')).not.to.throw();
  });

  it('leaves room for unknown headers up to the bound, all echoed', async () => {
    const own = Array.from({ length: MAX_HEADER_ELEMENTS - 6 }, (_, i) => `<x:h${i} xmlns:x="urn:x"/>`);
    const r = await post(`${srv.url}/xroad`, signedRequest({ bodyXml: pingBody(), extraHeaders: own }));
    const p = parseResponse(r.text);
    expect(p.faultCode, JSON.stringify(p.messages)).to.equal(undefined);
    expect(p.headerNames.filter((n) => n.startsWith('x:'))).to.have.length(own.length);
  });
});
