import { expect } from 'chai';
import { DEFAULT_INFRA_LIMITS, checkAttachment, resolveAttachments } from '../../../src/registries/infra/infra-attachments.js';
import { SAMPLE_PDF, SAMPLE_PNG, attachment } from '../../../fixtures/infra/sample-element.js';

const reasons = (errs: Array<{ field: string; reason: string }>) => errs.map((e) => `${e.field}:${e.reason}`);

describe('infra attachments', () => {
  it('accepts PDF, images and office documents whose bytes agree with the declared type', () => {
    expect(checkAttachment('f', attachment('a', 'application/pdf', SAMPLE_PDF), DEFAULT_INFRA_LIMITS)).to.deep.equal([]);
    expect(checkAttachment('f', attachment('a', 'image/png; name=x.png', SAMPLE_PNG), DEFAULT_INFRA_LIMITS)).to.deep.equal([]);
    const docx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60)]);
    expect(checkAttachment('f', attachment('a', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', docx), DEFAULT_INFRA_LIMITS)).to.deep.equal([]);
  });

  it('refuses other types, disguised content, empty and oversized files', () => {
    expect(reasons(checkAttachment('f', attachment('a', 'application/x-msdownload', Buffer.from('MZ....')), DEFAULT_INFRA_LIMITS))).to.deep.equal(['f:infra.attachmentType']);
    expect(reasons(checkAttachment('f', attachment('a', 'application/pdf', Buffer.from('MZ\x90\x00 not a pdf')), DEFAULT_INFRA_LIMITS))).to.deep.equal([
      'f:infra.attachmentContentMismatch',
    ]);
    expect(reasons(checkAttachment('f', attachment('a', 'application/pdf', Buffer.alloc(0)), DEFAULT_INFRA_LIMITS))).to.deep.equal(['f:infra.attachmentEmpty']);
    const big = Buffer.concat([SAMPLE_PDF, Buffer.alloc(2048)]);
    expect(reasons(checkAttachment('f', attachment('a', 'application/pdf', big), { ...DEFAULT_INFRA_LIMITS, attachmentMaxBytes: 1024 }))).to.deep.equal([
      'f:infra.attachmentTooLarge',
    ]);
  });

  it('refuses a file whose SHA-256 differs from the one the transport computed', () => {
    const a = { ...attachment('a', 'application/pdf', SAMPLE_PDF), sha256: '0'.repeat(64) };
    expect(reasons(checkAttachment('f', a, DEFAULT_INFRA_LIMITS))).to.deep.equal(['f:infra.attachmentDigest']);
  });

  it('resolves content ids (with or without cid: and angle brackets); missing and repeated references are errors', () => {
    const parts = [attachment('doc-1', 'application/pdf', SAMPLE_PDF), attachment('doc-2', 'image/png', SAMPLE_PNG)];
    const ok = resolveAttachments(
      [
        { field: 'technicalDocumentation[0]', role: 'TECHNICAL_DOCUMENTATION', contentId: 'cid:doc-1' },
        { field: 'commissioningActFile', role: 'COMMISSIONING_ACT', contentId: '<doc-2>' },
      ],
      parts,
      DEFAULT_INFRA_LIMITS,
    );
    expect(ok.errors).to.deep.equal([]);
    expect(ok.files.map((f) => [f.role, f.attachment.contentId])).to.deep.equal([
      ['TECHNICAL_DOCUMENTATION', 'doc-1'],
      ['COMMISSIONING_ACT', 'doc-2'],
    ]);
    const bad = resolveAttachments(
      [
        { field: 'technicalDocumentation[0]', role: 'TECHNICAL_DOCUMENTATION', contentId: 'doc-1' },
        { field: 'technicalDocumentation[1]', role: 'TECHNICAL_DOCUMENTATION', contentId: 'doc-1' },
        { field: 'commissioningActFile', role: 'COMMISSIONING_ACT', contentId: 'nope' },
      ],
      parts,
      DEFAULT_INFRA_LIMITS,
    );
    expect(reasons(bad.errors)).to.deep.equal(['technicalDocumentation[1]:infra.attachmentDuplicateRef', 'commissioningActFile:infra.attachmentMissing']);
  });
});
