import { expect } from 'chai';
import crypto from 'node:crypto';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { parseResponse, post, signedRequest, startServer, testConfig, verifyResponse, type TestServer } from './harness.js';

const NSP = 'urn:kg:tunduk:adapter-test:v1';
const XOP = 'http://www.w3.org/2004/08/xop/include';

interface Part {
  headers: string[];
  body: Buffer | string;
}

function multipart(boundary: string, parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`), Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body), Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const pdf = crypto.randomBytes(5000);
const attachment = { contentId: 'doc1@test', contentType: 'application/pdf', bytes: pdf };

function swa(envelope: string, bytes: Buffer = pdf, extra: Part[] = []): { body: Buffer; contentType: string } {
  const body = multipart('MIME_boundary_1', [
    { headers: ['Content-Type: text/xml; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', 'Content-ID: <root@test>'], body: envelope },
    { headers: ['Content-Type: application/pdf', 'Content-Transfer-Encoding: binary', 'Content-ID: <doc1@test>'], body: bytes },
    ...extra,
  ]);
  return { body, contentType: 'multipart/related; type="text/xml"; boundary="MIME_boundary_1"; start="<root@test>"' };
}

function mtom(envelope: string, bytes: Buffer = pdf): { body: Buffer; contentType: string } {
  const body = multipart('uuid:mtom-1', [
    { headers: ['Content-Type: application/xop+xml; charset=UTF-8; type="text/xml"', 'Content-Transfer-Encoding: 8bit', 'Content-ID: <root@test>'], body: envelope },
    { headers: ['Content-Type: application/pdf', 'Content-Transfer-Encoding: binary', 'Content-ID: <doc1@test>'], body: bytes },
  ]);
  return { body, contentType: 'multipart/related; type="application/xop+xml"; boundary="uuid:mtom-1"; start="<root@test>"; start-info="text/xml"' };
}

const swaRefBody = `<t:ping xmlns:t="${NSP}"><t:text>with file</t:text><t:file>cid:doc1%40test</t:file></t:ping>`;
const mtomBody = `<t:ping xmlns:t="${NSP}"><t:text>with file</t:text><t:file><xop:Include xmlns:xop="${XOP}" href="cid:doc1@test"/></t:file></t:ping>`;

describe('attachments (SwA with swaRef, MTOM/XOP)', () => {
  let store: TestStore;
  let srv: TestServer;
  before(async () => {
    store = await freshStore('sqlite');
    srv = await startServer({ store, config: testConfig({ xroad: { limits: { maxAttachments: 2, maxAttachmentBytes: 64 * 1024 } } }) });
  });
  after(async () => {
    await srv?.close();
    await store?.dispose();
  });

  const send = (m: { body: Buffer; contentType: string }) => post(`${srv.url}/xroad`, m.body, { 'content-type': m.contentType });

  function expectAttachmentSeen(text: string): void {
    const p = parseResponse(text);
    expect(p.wrapper?.local, text.slice(-600)).to.equal('pingResponse');
    const item = p.env.bodyWrapper?.children.find((c) => c.kind === 'element' && c.local === 'attachments');
    const xml = text.slice(item && item.kind === 'element' ? item.start : 0, item && item.kind === 'element' ? item.end : 0);
    expect(xml).to.include('<tns:contentId>doc1@test</tns:contentId>');
    expect(xml).to.include(`<tns:sha256>${crypto.createHash('sha256').update(pdf).digest('hex')}</tns:sha256>`);
    expect(xml).to.include('<tns:size>5000</tns:size>');
  }

  it('passes a signed SwA attachment referenced by swaRef to the handler with its SHA-256', async () => {
    const r = await send(swa(signedRequest({ bodyXml: swaRefBody, attachments: [attachment] })));
    expect(r.status, r.text.slice(-500)).to.equal(200);
    expectAttachmentSeen(r.text);
    verifyResponse(r.text);
    expect(srv.exchangeLog.records.at(-1)?.requestAttachmentCount).to.equal(1);
  });

  it('passes a signed MTOM attachment referenced by xop:Include', async () => {
    const r = await send(mtom(signedRequest({ bodyXml: mtomBody, attachments: [attachment] })));
    expect(r.status, r.text.slice(-500)).to.equal(200);
    expectAttachmentSeen(r.text);
  });

  it('refuses an attachment changed after signing', async () => {
    const tampered = Buffer.from(pdf);
    tampered[100] ^= 0xff;
    for (const m of [swa(signedRequest({ bodyXml: swaRefBody, attachments: [attachment] }), tampered), mtom(signedRequest({ bodyXml: mtomBody, attachments: [attachment] }), tampered)]) {
      const r = await send(m);
      expect(r.status).to.equal(500);
      expect(parseResponse(r.text).faultCode).to.equal('Client.InvalidSignature');
    }
  });

  it('refuses an attachment the signature does not cover at all', async () => {
    const r = await send(swa(signedRequest({ bodyXml: swaRefBody })));
    expect(parseResponse(r.text).faultCode).to.equal('Client.InvalidSignature');
  });

  it('refuses a reference to an attachment that was not sent', async () => {
    const env = signedRequest({ bodyXml: `<t:ping xmlns:t="${NSP}"><t:text>x</t:text><t:file>cid:nothere</t:file></t:ping>` });
    const r = await post(`${srv.url}/xroad`, env);
    const p = parseResponse(r.text);
    expect(p.faultCode).to.equal('Client.ValidationFailed');
    expect(p.fields).to.deep.equal([{ name: 'file', reason: 'invalid' }]);
  });

  it('enforces the attachment count and size limits', async () => {
    const three = swa(signedRequest({ bodyXml: swaRefBody, attachments: [attachment] }), pdf, [
      { headers: ['Content-ID: <a2>'], body: 'x' },
      { headers: ['Content-ID: <a3>'], body: 'y' },
    ]);
    expect(parseResponse((await send(three)).text).faultCode).to.equal('Client.InvalidXml');
    const big = { contentId: 'doc1@test', contentType: 'application/pdf', bytes: crypto.randomBytes(70 * 1024) };
    const r = await send(swa(signedRequest({ bodyXml: swaRefBody, attachments: [big] }), big.bytes));
    const p = parseResponse(r.text);
    expect([p.faultCode, p.detailCode]).to.deep.equal(['Client.InvalidXml', 'PAYLOAD_TOO_LARGE']);
  });
});
