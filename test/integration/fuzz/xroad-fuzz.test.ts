import dns from 'node:dns';
import net from 'node:net';
import { expect } from 'chai';
import { guardNetwork } from '../../fuzz/network-guard.js';
import { checkResponse, runFuzz, type CheckContext, type FuzzSummary } from '../../fuzz/run.js';
import { buildSignedEnvelope } from '../../../src/xroad/envelope.js';
import { keys } from '../transport/harness.js';

/**
 * Structure-aware fuzzing of POST /xroad with a fixed seed (issue 9): 20,000 mutated signed
 * envelopes against the real router with the ping, holders and infra groups on SQLite. Every
 * answer must be a well-formed SOAP response or fault signed by the provider, with a catalogue
 * faultcode; no crash, unhandled rejection, outbound connection, runaway memory or lost exchange.
 * `npm run fuzz -- --iterations N --seed S` runs longer campaigns and saves reproducing inputs.
 */
describe('POST /xroad under structure-aware fuzzing (fixed seed, 20k iterations)', function () {
  this.timeout(240_000);
  let summary: FuzzSummary;

  before(async () => {
    // The target on a worker thread: the fuzzer's own work (mutating, checking answers) runs on the other core.
    summary = await runFuzz({ iterations: 20_000, seed: 20_261_123, concurrency: 4, worker: true });
  });

  it('violates no invariant', () => {
    const shown = summary.findings.slice(0, 5).map((f) => `it=${f.iteration} ${f.invariant}: ${f.message.slice(0, 300)} [${f.seed} ${f.mutations.join(',')}]`);
    expect(shown, shown.join('\n')).to.deep.equal([]);
    expect(summary.iterations).to.equal(20_000);
    expect(summary.exchangesLogged).to.equal(20_000);
  });

  it('reaches the handlers as well as the front checks', () => {
    // Signed-again inputs get through to the registries: accepted answers and their business faults.
    expect(summary.outcomes.ok ?? 0).to.be.greaterThan(200);
    for (const code of ['Client.InvalidXml/INVALID_XML', 'Client.InvalidSignature/INVALID_SIGNATURE', 'Client.InvalidHeader/INVALID_HEADER', 'Client.ValidationFailed/VALIDATION_FAILED', 'Client.InvalidState/INVALID_STATE', 'Client.UnknownService/UNKNOWN_SERVICE', 'Client.MessageExpired/MESSAGE_EXPIRED', 'Client.DuplicateMessageId/DUPLICATE_MESSAGE_ID']) {
      expect(summary.outcomes[code] ?? 0, code).to.be.greaterThan(0);
    }
  });

  describe('the oracles themselves', () => {
    const ctx: CheckContext = { now: new Date(), providers: new Map([['central-server/GOV/70000099/adapter-test', '70000099']]), fallbackMember: '70000099', maxResponseMs: 1000 };
    const answer = (body: string, status = 500, ms = 5) => ({ status, contentType: 'text/xml; charset=utf-8', body: Buffer.from(body), ms });
    const fault = (code: string, faultCode: string) =>
      `<SOAP-ENV:Fault xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>${faultCode}</faultcode><faultstring>x</faultstring><detail><f:error xmlns:f="urn:f"><f:code>${code}</f:code>` +
      `<f:message xml:lang="ky">k</f:message><f:message xml:lang="ru">r</f:message><f:message xml:lang="en">e</f:message></f:error></detail></SOAP-ENV:Fault>`;
    const signed = (bodyXml: string, member = '70000099') => buildSignedEnvelope({ headers: [], bodyXml, identity: keys.identity(member), now: ctx.now, ttlSeconds: 300 });

    it('accepts a signed catalogue fault and flags unsigned, foreign-signed, off-catalogue, internal, slow and non-XML answers', () => {
      expect(checkResponse(answer(signed(fault('INVALID_XML', 'Client.InvalidXml'))), { mustFail: false }, ctx).problems).to.deep.equal([]);
      const kinds = (body: string, status = 500, ms = 5) => checkResponse(answer(body, status, ms), { mustFail: false }, ctx).problems.map(([k]) => k);
      expect(kinds(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${fault('INVALID_XML', 'Client.InvalidXml')}</s:Body></s:Envelope>`)).to.deep.equal(['signature']);
      expect(kinds(signed(fault('INVALID_XML', 'Client.InvalidXml'), '70000050'))).to.deep.equal(['signature']);
      expect(kinds(signed(fault('NOPE', 'Client.Whatever')))).to.include.members(['fault']);
      expect(kinds(signed(fault('INTERNAL', 'Server.InternalError')))).to.deep.equal(['internal-error']);
      expect(kinds(signed(fault('INVALID_XML', 'Client.InvalidXml')), 500, 5000)).to.deep.equal(['latency']);
      expect(kinds('Internal Server Error')).to.deep.equal(['well-formed']);
    });

    it('flags an accepted answer to a request whose signed content was changed', () => {
      const ok = signed('<t:pingResponse xmlns:t="urn:kg:tunduk:adapter-test:v1"/>');
      expect(checkResponse(answer(ok, 200), { mustFail: false }, ctx).problems).to.deep.equal([]);
      expect(checkResponse(answer(ok, 200), { mustFail: true }, ctx).problems.map(([k]) => k)).to.deep.equal(['unsigned-accepted']);
    });

    it('reports connections other than to the target and DNS lookups', async () => {
      const seen: string[] = [];
      const unguard = guardNetwork(() => 9, (what) => seen.push(what));
      try {
        await new Promise<void>((resolve) => net.connect({ host: '127.0.0.1', port: 1 }).on('error', () => resolve()));
        await new Promise<void>((resolve) => dns.lookup('fuzz.invalid', () => resolve()));
      } finally {
        unguard();
      }
      expect(seen).to.deep.equal(['outbound connection to 127.0.0.1:1', 'DNS lookup of fuzz.invalid']);
    });
  });
});
