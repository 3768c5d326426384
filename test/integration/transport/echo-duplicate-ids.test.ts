import { expect } from 'chai';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { parseResponse, pingBody, post, signedRequest, startServer, verifySignedBy, type TestServer } from './harness.js';

/**
 * Regression (fuzzing, seed 7): a request whose headers carry the same Id twice (a wrapped copy of a
 * signed part, a duplicated wsu:Id) is refused, and the fault must still be verifiable. Echoing
 * those headers put the repeated Id into the answer, whose signature no verifier then accepts.
 */
describe('a fault for headers with repeated Ids', () => {
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
});
