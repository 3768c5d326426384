import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { GOLDEN_DIR, id, keys, pingBody, post, serviceId, signedRequest, startServer, verifyResponse, verifySignedBy, type RequestSpec, type TestServer } from './harness.js';
import { newCalls, OTHER_NS, testTable } from './test-group.js';

/**
 * Golden request/response/fault pairs per case (ARCHITECTURE: xrd4j/XRoadLib habit): with a fixed
 * clock and the TEST-ONLY keys everything is reproducible except the random wsu:Id tags and what
 * depends on them (digests, signature values), which are masked. `UPDATE_GOLDEN=1` rewrites the files.
 */
const NOW = new Date('2027-03-15T10:00:00.000Z');

export function maskSignedXml(xml: string): string {
  return xml
    .replace(/\b(id|TS|X509)-[0-9a-f]{16}/g, '$1-TAG')
    .replace(/<ds:DigestValue>[^<]*<\/ds:DigestValue>/g, '<ds:DigestValue>MASKED</ds:DigestValue>')
    .replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/g, '<ds:SignatureValue>MASKED</ds:SignatureValue>')
    .replace(/></g, '>\n<');
}

interface Case {
  name: string;
  spec: RequestSpec;
  tamper?: (xml: string) => string;
  status: number;
  signedBy: string;
}

const OTHER_PROVIDER = 'central-server/GOV/70000098/other-test';
const cases: Case[] = [
  { name: 'ping-ok', spec: { id: 'golden-ping-ok', bodyXml: pingBody('golden') }, status: 200, signedBy: '70000099' },
  {
    name: 'ping-all-headers',
    spec: {
      id: 'golden-ping-all-headers',
      userId: 'KG21234567890123',
      issue: 'golden-issue',
      representedParty: { partyClass: 'COM', partyCode: '12345678' },
      extraHeaders: ['<x:trace xmlns:x="urn:example:trace">trace-1</x:trace>'],
      bodyXml: pingBody('all headers'),
    },
    status: 200,
    signedBy: '70000099',
  },
  { name: 'record-ok', spec: { id: 'golden-record-ok', service: serviceId(OTHER_PROVIDER, 'record'), bodyXml: `<o:record xmlns:o="${OTHER_NS}"><o:value>golden</o:value><o:inn>01001202210023</o:inn></o:record>` }, status: 200, signedBy: '70000098' },
  { name: 'fault-validation', spec: { id: 'golden-fault-validation', service: serviceId(OTHER_PROVIDER, 'record'), bodyXml: `<o:record xmlns:o="${OTHER_NS}"><o:value>${'x'.repeat(21)}</o:value><o:inn>123</o:inn><o:unknown/></o:record>` }, status: 500, signedBy: '70000098' },
  { name: 'fault-unknown-service', spec: { id: 'golden-fault-unknown-service', service: serviceId('central-server/GOV/70000099/adapter-test', 'ping', 'v9'), bodyXml: pingBody() }, status: 500, signedBy: '70000099' },
  { name: 'fault-access-denied', spec: { id: 'golden-fault-access-denied', client: id('central-server/GOV/70000050/ministry'), signer: keys.identity('70000050'), bodyXml: pingBody() }, status: 500, signedBy: '70000099' },
  {
    name: 'fault-invalid-signature',
    spec: { id: 'golden-fault-invalid-signature', userId: 'KG1', bodyXml: pingBody('signed') },
    tamper: (xml) => xml.replace('<t:text>signed</t:text>', '<t:text>changed</t:text>'),
    status: 500,
    signedBy: '70000099',
  },
];

describe('golden request/response/fault fixtures', () => {
  let store: TestStore;
  let srv: TestServer;
  before(async () => {
    store = await freshStore('sqlite');
    srv = await startServer({ store, table: testTable(newCalls()), now: () => new Date(NOW) });
    if (process.env.UPDATE_GOLDEN) fs.mkdirSync(GOLDEN_DIR, { recursive: true });
  });
  after(async () => {
    await srv?.close();
    await store?.dispose();
  });

  for (const c of cases) {
    it(c.name, async () => {
      let request = signedRequest({ ...c.spec, now: NOW });
      if (c.tamper) request = c.tamper(request);
      const r = await post(`${srv.url}/xroad`, request, { 'content-type': 'text/xml; charset=utf-8', 'x-request-id': `golden-${c.name}` });
      expect(r.status).to.equal(c.status);
      if (c.status === 200) verifyResponse(r.text, NOW);
      verifySignedBy(r.text, c.signedBy, NOW);
      const files = { request: maskSignedXml(request), response: maskSignedXml(r.text) };
      for (const [kind, actual] of Object.entries(files)) {
        const file = path.join(GOLDEN_DIR, `${c.name}.${kind}.xml`);
        if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, `${actual}\n`);
        expect(`${actual}\n`, `${file} (UPDATE_GOLDEN=1 regenerates)`).to.equal(fs.readFileSync(file, 'utf8'));
      }
    });
  }
});
