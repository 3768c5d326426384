import { expect } from 'chai';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { MAX_HEADER_ELEMENTS } from '../../../src/xroad/envelope.js';
import { parseResponse, pingBody, post, signedRequest, startServer, verifySignedBy, type TestServer } from './harness.js';

/**
 * Regressions found by fuzzing (seed 7) in what a fault echoes.
 *
 * A request whose headers carry the same Id twice (a wrapped copy of a
 * signed part, a duplicated wsu:Id) is refused, and the fault must still be verifiable. Echoing
 * those headers put the repeated Id into the answer, whose signature no verifier then accepts.
 */
describe('headers echoed in faults', () => {
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

  for (const [name, header] of [
    ['nested wsu:Id twice', '<x:w xmlns:x="urn:x" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><x:a wsu:Id="dup"/><x:b wsu:Id="dup"/></x:w>'],
    ['Id and xml:id alike', '<x:w xmlns:x="urn:x"><x:a Id="dup"/><x:b xml:id="dup"/></x:w>'],
  ] as const) {
    it(`is signed verifiably (${name}), without the echoed headers`, async () => {
      const r = await post(`${srv.url}/xroad`, signedRequest({ bodyXml: pingBody(), extraHeaders: [header] }));
      const p = parseResponse(r.text);
      expect(p.faultCode).to.equal('Client.InvalidSignature');
      expect(() => verifySignedBy(r.text, '70000099')).not.to.throw();
      expect(p.headerNames).to.deep.equal([]);
    });
  }

  it('still echoes every header when the Ids are distinct', async () => {
    const header = '<x:w xmlns:x="urn:x"><x:a Id="one"/><x:b Id="two"/></x:w>';
    const r = await post(`${srv.url}/xroad`, signedRequest({ bodyXml: pingBody(), extraHeaders: [header] }));
    const p = parseResponse(r.text);
    expect(p.faultCode).to.equal(undefined);
    expect(p.headerNames).to.include('x:w');
  });

  // Every request header is echoed and signed in the answer, so 40,000 empty headers in a 200 KB
  // request made a 26 MB fault and seconds of signing (iteration 55330). Past the bound the request
  // is refused before anything is echoed.
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
