import { expect } from 'chai';
import crypto from 'node:crypto';
import { parseContentType, splitSoapMessage } from '../../../src/xroad/mime.js';
import { AppError } from '../../../src/errors/app-error.js';

const limits = { maxAttachments: 3, maxAttachmentBytes: 1024 };
const env = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>';

function multipart(boundary: string, parts: Array<{ headers: string[]; body: Buffer | string }>, preamble = ''): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`), Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
  return 'no error';
}

describe('mime: SOAP with attachments and MTOM', () => {
  it('parses content types with quoted parameters', () => {
    const ct = parseContentType('Multipart/Related; type="application/xop+xml"; boundary="uuid:a;b"; start="<root@x>"; start-info="text/xml"');
    expect(ct.type).to.equal('multipart/related');
    expect(Object.fromEntries(ct.params)).to.deep.equal({ type: 'application/xop+xml', boundary: 'uuid:a;b', start: '<root@x>', 'start-info': 'text/xml' });
  });

  it('passes text/xml through and refuses SOAP 1.2, other charsets and other types', () => {
    const body = Buffer.from(env);
    expect(splitSoapMessage('text/xml; charset=utf-8', body, limits).envelope).to.equal(body);
    expect(codeOf(() => splitSoapMessage('application/soap+xml', body, limits))).to.equal('UNSUPPORTED_MEDIA_TYPE');
    expect(codeOf(() => splitSoapMessage('text/xml; charset=windows-1251', body, limits))).to.equal('UNSUPPORTED_MEDIA_TYPE');
    expect(codeOf(() => splitSoapMessage(undefined, body, limits))).to.equal('UNSUPPORTED_MEDIA_TYPE');
  });

  it('splits SwA: root by start, binary and base64 attachments with sha256, bytes exact', () => {
    const bin = crypto.randomBytes(300);
    const body = multipart(
      'b1',
      [
        { headers: ['Content-Type: application/pdf', 'Content-ID: <doc1>', 'Content-Transfer-Encoding: binary'], body: bin },
        { headers: ['Content-Type: text/xml; charset=UTF-8', 'Content-ID: <root>', 'Content-Transfer-Encoding: 8bit'], body: env },
        { headers: ['Content-Type: text/plain', 'Content-ID: <doc2>', 'Content-Transfer-Encoding: base64'], body: Buffer.from('hello').toString('base64') },
      ],
      'preamble\r\n',
    );
    const msg = splitSoapMessage('multipart/related; type="text/xml"; boundary=b1; start="<root>"', body, limits);
    expect(msg.mtom).to.equal(false);
    expect(msg.envelope.toString()).to.equal(env);
    expect(msg.attachments.map((a) => [a.contentId, a.contentType, a.bytes.length])).to.deep.equal([['doc1', 'application/pdf', 300], ['doc2', 'text/plain', 5]]);
    expect(msg.attachments[0].bytes.equals(bin)).to.equal(true);
    expect(msg.attachments[0].sha256).to.equal(crypto.createHash('sha256').update(bin).digest('hex'));
  });

  it('recognises MTOM by an application/xop+xml root', () => {
    const body = multipart('mtom', [
      { headers: ['Content-Type: application/xop+xml; charset=UTF-8; type="text/xml"', 'Content-ID: <r>'], body: env },
      { headers: ['Content-Type: application/octet-stream', 'Content-ID: <a1>'], body: 'data' },
    ]);
    const msg = splitSoapMessage('multipart/related; type="application/xop+xml"; boundary=mtom; start-info="text/xml"', body, limits);
    expect(msg.mtom).to.equal(true);
    expect(msg.attachments).to.have.length(1);
  });

  it('enforces limits and refuses malformed multipart', () => {
    const many = multipart('b', [{ headers: ['Content-Type: text/xml'], body: env }, ...Array.from({ length: 4 }, (_, i) => ({ headers: [`Content-ID: <a${i}>`], body: 'x' }))]);
    expect(codeOf(() => splitSoapMessage('multipart/related; boundary=b', many, limits))).to.equal('PAYLOAD_TOO_LARGE');
    const big = multipart('b', [{ headers: ['Content-Type: text/xml'], body: env }, { headers: ['Content-ID: <a>'], body: Buffer.alloc(2000) }]);
    expect(codeOf(() => splitSoapMessage('multipart/related; boundary=b', big, limits))).to.equal('PAYLOAD_TOO_LARGE');
    const noCid = multipart('b', [{ headers: ['Content-Type: text/xml'], body: env }, { headers: ['Content-Type: text/plain'], body: 'x' }]);
    expect(codeOf(() => splitSoapMessage('multipart/related; boundary=b', noCid, limits))).to.equal('INVALID_XML');
    const dupCid = multipart('b', [{ headers: ['Content-Type: text/xml'], body: env }, { headers: ['Content-ID: <a>'], body: 'x' }, { headers: ['Content-ID: <a>'], body: 'y' }]);
    expect(codeOf(() => splitSoapMessage('multipart/related; boundary=b', dupCid, limits))).to.equal('INVALID_XML');
    const unclosed = Buffer.from(`--b\r\nContent-Type: text/xml\r\n\r\n${env}`);
    expect(codeOf(() => splitSoapMessage('multipart/related; boundary=b', unclosed, limits))).to.equal('INVALID_XML');
    expect(codeOf(() => splitSoapMessage('multipart/related', unclosed, limits))).to.equal('INVALID_XML');
    const qp = multipart('b', [{ headers: ['Content-Type: text/xml'], body: env }, { headers: ['Content-ID: <a>', 'Content-Transfer-Encoding: quoted-printable'], body: 'x' }]);
    expect(codeOf(() => splitSoapMessage('multipart/related; boundary=b', qp, limits))).to.equal('UNSUPPORTED_MEDIA_TYPE');
  });
});
