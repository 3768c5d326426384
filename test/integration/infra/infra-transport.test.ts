import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { z } from 'zod';
import { WorkingCalendar } from '../../../src/calendar/working-calendar.js';
import { silentLogger } from '../../../src/log/logger.js';
import { OperationTable } from '../../../src/operations/operation-table.js';
import { issueMemberCert } from '../../../src/pki/dev-pki.js';
import { identityFromPem, type SigningIdentity } from '../../../src/pki/key-store.js';
import { createInfraRegistry } from '../../../src/registries/infra/create-infra-registry.js';
import { INFRA_NAMESPACE } from '../../../src/registries/infra/infra-operations.js';
import { decideInfraAccess, infraAclEntries, subjectMemberOf, type InfraOperation } from '../../../src/registries/infra/infra-roles.js';
import {
  decisionInputSchema,
  decisionOutputSchema,
  deregisterInputSchema,
  deregistrationNoticeInputSchema,
  elementSubmissionSchema,
  elementViewSchema,
  forwardInputSchema,
  getElementInputSchema,
  grantInputSchema,
  listElementsInputSchema,
  noticeInputSchema,
  submissionOutputSchema,
  transitionOutputSchema,
} from '../../../src/registries/infra/infra-schemas.js';
import type { Attachment } from '../../../src/operations/types.js';
import { decodeBody, encodeWrapper, objectShapeOf } from '../../../src/xroad/schema-xml.js';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { PKI_DIR, id, keys, parseResponse, post, serviceId, signedRequest, startServer, testConfig, verifyResponse, type TestServer } from '../transport/harness.js';
import { FakeBis } from '../../../fixtures/infra/fake-bis.js';
import {
  INFRA_CLIENTS,
  INFRA_ROLES_CONFIG,
  SAMPLE_EMPLOYEE,
  sampleDecisionCopy,
  sampleDeregistrationNotice,
  sampleElementData,
  sampleFiles,
  sampleNotice,
  sampleSubmission,
} from '../../../fixtures/infra/sample-element.js';

const PROVIDER = 'central-server/GOV/70000098/egov-infra-registry';
const sha = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

/** The test CA issues the members the committed test PKI lacks: the accounting subject, the authorized body, a COM client. */
function issued(memberCode: string, memberClass = 'GOV'): SigningIdentity {
  const ca = { keyPem: fs.readFileSync(path.join(PKI_DIR, 'ca.key'), 'utf8'), certPem: fs.readFileSync(path.join(PKI_DIR, 'ca.crt'), 'utf8') };
  const c = issueMemberCert(ca, { memberClass, memberCode });
  return identityFromPem(memberCode, c.keyPem, c.certPem);
}

const TOKENS = { subject: 'subject-token-0123456789abcdef', operator: 'operator-token-0123456789abcdef', authorizedBody: 'body-token-0123456789abcdef' } as const;

const config = testConfig({
  // Transport ACL from the registry's own matrix: the transport lets each role through, the service decides per element.
  acl: infraAclEntries(INFRA_ROLES_CONFIG),
  api: {
    clients: {
      subject: { xroadClient: INFRA_CLIENTS.subject, tokenSha256: sha(TOKENS.subject) },
      operator: { xroadClient: INFRA_CLIENTS.operator, tokenSha256: sha(TOKENS.operator) },
      body: { xroadClient: INFRA_CLIENTS.authorizedBody, tokenSha256: sha(TOKENS.authorizedBody) },
    },
  },
});

function multipart(boundary: string, parts: Array<{ headers: string[]; body: Buffer | string }>): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`), Buffer.from(p.body), Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

describe('infra registry over the real transports', () => {
  let store: TestStore;
  let srv: TestServer;
  let signers: Record<keyof typeof INFRA_CLIENTS, SigningIdentity>;

  before(async () => {
    store = await freshStore('sqlite');
    const registry = createInfraRegistry({
      store,
      bis: new FakeBis(),
      calendar: new WorkingCalendar(config.calendar),
      logger: silentLogger(),
      roles: INFRA_ROLES_CONFIG,
    });
    srv = await startServer({ store, config, table: new OperationTable().register(registry.group) });
    const subjectKey = issued('70000060');
    signers = {
      subject: subjectKey,
      subjectOtherSubsystem: subjectKey,
      otherMinistry: keys.identity('70000050'),
      authorizedBody: issued('70000070'),
      operator: keys.identity('70000098'),
      commercial: issued('70000111', 'COM'),
    };
  });
  after(async () => {
    await srv?.close();
    await store?.dispose();
  });

  /** One signed SOAP call; attachments travel as SwA parts covered by the signature. */
  async function soap(
    who: keyof typeof INFRA_CLIENTS,
    serviceCode: string,
    schema: z.ZodType,
    value: unknown,
    opts: { userId?: string; attachments?: Attachment[]; output?: z.ZodType } = {},
  ) {
    const envelope = signedRequest({
      client: id(INFRA_CLIENTS[who]),
      service: serviceId(PROVIDER, serviceCode),
      ...(opts.userId ? { userId: opts.userId } : {}),
      bodyXml: encodeWrapper(serviceCode, INFRA_NAMESPACE, value, objectShapeOf(schema, 'input'), 'i'),
      signer: signers[who],
      attachments: opts.attachments?.map((a) => ({ contentId: a.contentId, contentType: a.contentType, bytes: a.bytes })),
    });
    const res = opts.attachments?.length
      ? await post(
          `${srv.url}/xroad`,
          multipart('infra_boundary', [
            { headers: ['Content-Type: text/xml; charset=UTF-8', 'Content-ID: <root>'], body: envelope },
            ...opts.attachments.map((a) => ({ headers: [`Content-Type: ${a.contentType}`, 'Content-Transfer-Encoding: binary', `Content-ID: <${a.contentId}>`], body: a.bytes })),
          ]),
          { 'content-type': 'multipart/related; type="text/xml"; boundary="infra_boundary"; start="<root>"' },
        )
      : await post(`${srv.url}/xroad`, envelope);
    const parsed = { status: res.status, ...parseResponse(res.text) };
    if (!parsed.faultCode) verifyResponse(res.text);
    const output = opts.output && parsed.env.bodyWrapper && !parsed.faultCode ? opts.output.parse(decodeBody(parsed.env.bodyWrapper, objectShapeOf(opts.output, 'output'), { namespace: INFRA_NAMESPACE })) : undefined;
    return { ...parsed, output };
  }

  const cid = (ids: string[]) => ids.map((x) => `cid:${x}`);

  it('walks one element through its whole life over signed SOAP, files as SwA', async () => {
    const notice = await soap('subject', 'submitRegistrationNotice', noticeInputSchema, sampleNotice('DATA_CENTRE'), { output: transitionOutputSchema });
    expect(notice.faultCode, JSON.stringify(notice.messages)).to.equal(undefined);
    const elementId = (notice.output as { elementId: string }).elementId;
    expect(notice.wrapper?.values).to.include({ status: 'NOTICE_SUBMITTED' });

    expect((await soap('authorizedBody', 'forwardNotice', forwardInputSchema, { elementId })).wrapper?.values).to.include({ status: 'FORWARDED' });
    expect((await soap('operator', 'grantInputAccess', grantInputSchema, { elementId })).wrapper?.values).to.include({ status: 'ACCESS_GRANTED', grantedEmail: SAMPLE_EMPLOYEE.email });

    const sub = sampleSubmission(elementId, 'DATA_CENTRE');
    const data = await soap(
      'subject',
      'submitElementData',
      elementSubmissionSchema,
      { ...sub, technicalDocumentation: cid(sub.technicalDocumentation ?? []), commissioningActFile: `cid:${sub.commissioningActFile}` },
      { userId: SAMPLE_EMPLOYEE.pin, attachments: sampleFiles(), output: submissionOutputSchema },
    );
    expect(data.faultCode, JSON.stringify(data.messages)).to.equal(undefined);
    const submitted = data.output as z.infer<typeof submissionOutputSchema>;
    expect(submitted).to.deep.include({ status: 'DATA_SUBMITTED', version: 1, missingItems: [] });
    expect(submitted.attachments.map((a) => a.sha256)).to.deep.equal(sampleFiles().map((f) => f.sha256));

    const decision = await soap('operator', 'decideRegistration', decisionInputSchema, { elementId, decision: 'REGISTERED' }, { output: decisionOutputSchema });
    expect((decision.output as { registryNumber: string }).registryNumber).to.match(/^EGI-\d{6}$/);

    const upd = await soap('subject', 'updateElement', elementSubmissionSchema, { elementId, data: { ...sampleElementData('DATA_CENTRE'), numberOfUsers: 99 } }, { userId: SAMPLE_EMPLOYEE.pin, output: submissionOutputSchema });
    expect(upd.output).to.deep.include({ version: 2, status: 'REGISTERED' });

    const today = new Date(Date.now() + 6 * 3_600_000).toISOString().slice(0, 10);
    const dn = await soap('subject', 'submitDeregistrationNotice', deregistrationNoticeInputSchema, { ...sampleDeregistrationNotice(elementId, today), decisionCopy: 'cid:decision-copy' }, { attachments: [sampleDecisionCopy()] });
    expect(dn.wrapper?.values).to.include({ status: 'DEREGISTRATION_REQUESTED', noticeLate: 'false' });
    expect((await soap('operator', 'deregisterElement', deregisterInputSchema, { elementId, agreementReference: '№ 1' })).wrapper?.values).to.include({ status: 'DEREGISTERED' });

    const view = await soap('subject', 'getElement', getElementInputSchema, { elementId }, { output: elementViewSchema });
    const v = view.output as z.infer<typeof elementViewSchema>;
    expect(v.status).to.equal('DEREGISTERED');
    expect(v.versions.map((x) => x.data.numberOfUsers)).to.deep.equal([1250, 99]);
    expect(v.history).to.have.length(8);
    expect(v.attachments).to.have.length(4);

    const list = await soap('operator', 'listElements', listElementsInputSchema, { elementType: 'DATA_CENTRE' });
    expect(list.faultCode).to.equal(undefined);
  });

  it('an attachment changed after signing is refused before the registry sees it', async () => {
    const n = await soap('subject', 'submitRegistrationNotice', noticeInputSchema, sampleNotice(), { output: transitionOutputSchema });
    const elementId = (n.output as { elementId: string }).elementId;
    await soap('authorizedBody', 'forwardNotice', forwardInputSchema, { elementId });
    await soap('operator', 'grantInputAccess', grantInputSchema, { elementId });
    const files = sampleFiles();
    const sub = sampleSubmission(elementId);
    const value = { ...sub, technicalDocumentation: cid(sub.technicalDocumentation ?? []), commissioningActFile: `cid:${sub.commissioningActFile}` };
    const envelope = signedRequest({
      client: id(INFRA_CLIENTS.subject),
      service: serviceId(PROVIDER, 'submitElementData'),
      userId: SAMPLE_EMPLOYEE.pin,
      bodyXml: encodeWrapper('submitElementData', INFRA_NAMESPACE, value, objectShapeOf(elementSubmissionSchema, 'input'), 'i'),
      signer: signers.subject,
      attachments: files.map((a) => ({ contentId: a.contentId, contentType: a.contentType, bytes: a.bytes })),
    });
    const tampered = Buffer.from(files[2].bytes);
    tampered[10] ^= 0x01;
    const res = await post(
      `${srv.url}/xroad`,
      multipart('b', [
        { headers: ['Content-Type: text/xml; charset=UTF-8', 'Content-ID: <root>'], body: envelope },
        ...files.map((a, i) => ({ headers: [`Content-Type: ${a.contentType}`, `Content-ID: <${a.contentId}>`], body: i === 2 ? tampered : a.bytes })),
      ]),
      { 'content-type': 'multipart/related; type="text/xml"; boundary="b"; start="<root>"' },
    );
    expect(parseResponse(res.text).faultCode).to.equal('Client.InvalidSignature');
    const view = await soap('operator', 'getElement', getElementInputSchema, { elementId }, { output: elementViewSchema });
    expect((view.output as { status: string }).status).to.equal('ACCESS_GRANTED');
  });

  it('faults carry the registry codes: InvalidState naming the state, ValidationFailed with reasons, AccessDenied', async () => {
    const n = await soap('subject', 'submitRegistrationNotice', noticeInputSchema, sampleNotice(), { output: transitionOutputSchema });
    const elementId = (n.output as { elementId: string }).elementId;
    const early = await soap('operator', 'grantInputAccess', grantInputSchema, { elementId });
    expect(early.faultCode).to.equal('Client.InvalidState');
    expect(early.messages.ky).to.contain('NOTICE_SUBMITTED');
    expect(Object.keys(early.messages).sort()).to.deep.equal(['en', 'ky', 'ru']);
    const bad = await soap('subject', 'submitRegistrationNotice', noticeInputSchema, { ...sampleNotice(), employee: { ...sampleNotice().employee, email: 'nope' } });
    expect(bad.faultCode).to.equal('Client.ValidationFailed');
    expect(bad.fields).to.deep.equal([{ name: 'employee.email', reason: 'infra.email' }]);
    const foreign = await soap('otherMinistry', 'getElement', getElementInputSchema, { elementId });
    expect([foreign.faultCode, foreign.detailCode]).to.deep.equal(['Client.AccessDenied', 'ACCESS_DENIED']);
  });

  it('ACL matrix over SOAP: subject, its other subsystem, other ministry, authorized body, operator, commercial client', async () => {
    const n = await soap('subject', 'submitRegistrationNotice', noticeInputSchema, sampleNotice(), { output: transitionOutputSchema });
    const elementId = (n.output as { elementId: string }).elementId;
    const inputs: Record<Exclude<InfraOperation, 'getAttachment' | 'overdueReport'>, [z.ZodType, unknown, Attachment[]?]> = {
      submitRegistrationNotice: [noticeInputSchema, { ...sampleNotice(), elementId }],
      forwardNotice: [forwardInputSchema, { elementId, comment: 'matrix' }],
      grantInputAccess: [grantInputSchema, { elementId }],
      submitElementData: [elementSubmissionSchema, { elementId, data: {} }],
      decideRegistration: [decisionInputSchema, { elementId, decision: 'REGISTERED' }],
      updateElement: [elementSubmissionSchema, { elementId, data: {} }],
      submitDeregistrationNotice: [deregistrationNoticeInputSchema, { elementId, decisionDate: '2026-01-05', decisionCopy: 'cid:decision-copy' }, [sampleDecisionCopy()]],
      deregisterElement: [deregisterInputSchema, { elementId, agreementReference: 'x' }],
      getElement: [getElementInputSchema, { elementId }],
      listElements: [listElementsInputSchema, {}],
    };
    const element = { subjectMember: subjectMemberOf(INFRA_CLIENTS.subject) };
    const seen: string[] = [];
    for (const who of Object.keys(INFRA_CLIENTS) as Array<keyof typeof INFRA_CLIENTS>) {
      for (const [op, [schema, value, attachments]] of Object.entries(inputs) as Array<[InfraOperation, [z.ZodType, unknown, Attachment[]?]]>) {
        // listElements is not about one element: a subject lists its own organisation's.
        const expected = decideInfraAccess(op, INFRA_CLIENTS[who], INFRA_ROLES_CONFIG, op === 'listElements' ? undefined : element).allowed;
        const r = await soap(who, op, schema, value, { userId: SAMPLE_EMPLOYEE.pin, attachments });
        const denied = r.detailCode === 'ACCESS_DENIED';
        expect(denied, `${who} ${op}: ${r.faultCode} ${r.detailCode} ${r.messages.en ?? ''}`).to.equal(!expected);
        seen.push(`${who}:${op}:${denied ? 'denied' : 'allowed'}`);
      }
    }
    expect(seen.filter((s) => s.endsWith('allowed'))).to.include.members(['authorizedBody:forwardNotice:allowed', 'operator:decideRegistration:allowed', 'subject:getElement:allowed']);
    expect(seen).to.include.members(['otherMinistry:getElement:denied', 'otherMinistry:listElements:allowed', 'commercial:listElements:denied', 'subject:decideRegistration:denied']);
  });

  describe('over JSON (/api/v1)', () => {
    const api = async (method: string, p: string, o: { token?: string; pin?: string; json?: unknown; form?: { input: unknown; files: Attachment[] } } = {}) => {
      const boundary = 'form_boundary_1';
      const body = o.form
        ? multipart(boundary, [
            { headers: ['Content-Disposition: form-data; name="input"', 'Content-Type: application/json'], body: JSON.stringify(o.form.input) },
            ...o.form.files.map((f) => ({ headers: [`Content-Disposition: form-data; name="${f.contentId}"; filename="${f.filename ?? f.contentId}"`, `Content-Type: ${f.contentType}`], body: f.bytes })),
          ])
        : o.json !== undefined
          ? JSON.stringify(o.json)
          : undefined;
      const r = await fetch(`${srv.url}/api/v1${p}`, {
        method,
        headers: {
          authorization: `Bearer ${o.token ?? TOKENS.subject}`,
          ...(o.pin ? { 'x-user-token': `good-${o.pin}` } : {}),
          ...(o.form ? { 'content-type': `multipart/form-data; boundary=${boundary}` } : o.json !== undefined ? { 'content-type': 'application/json' } : {}),
          'accept-language': 'ru',
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
      });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };

    it('notice → refusal for incomplete data → resubmission with files → registered, listed and read', async () => {
      const n = await api('POST', '/elements/notices', { json: sampleNotice('SHARED_COMPLEX') });
      expect(n.status, JSON.stringify(n.json)).to.equal(200);
      const elementId = n.json.elementId as string;
      expect((await api('POST', `/elements/${elementId}/forward`, { token: TOKENS.authorizedBody, json: {} })).json).to.include({ status: 'FORWARDED' });
      expect((await api('POST', `/elements/${elementId}/access`, { token: TOKENS.operator, json: {} })).json).to.include({ status: 'ACCESS_GRANTED' });

      const partial = await api('POST', `/elements/${elementId}/data`, { pin: SAMPLE_EMPLOYEE.pin, json: { data: { ...sampleElementData('SHARED_COMPLEX'), numberOfUsers: undefined } } });
      expect(partial.json).to.include({ status: 'DATA_SUBMITTED' });
      expect(partial.json.missingItems).to.deep.equal([12, 15, 17]);
      const refused = await api('POST', `/elements/${elementId}/decision`, { token: TOKENS.operator, json: { decision: 'REFUSED', refusalGround: 'INCOMPLETE_DATA' } });
      expect(refused.json).to.include({ status: 'REFUSED' });
      expect((refused.json.refusal as { missingItems: Array<{ item: number }> }).missingItems.map((m) => m.item)).to.deep.equal([12, 15, 17]);

      const sub = sampleSubmission(elementId, 'SHARED_COMPLEX');
      const { elementId: _e, ...form } = sub;
      const again = await api('POST', `/elements/${elementId}/data`, { pin: SAMPLE_EMPLOYEE.pin, form: { input: form, files: sampleFiles() } });
      expect(again.status, JSON.stringify(again.json)).to.equal(200);
      expect(again.json).to.include({ status: 'DATA_SUBMITTED', version: 2 });
      expect(again.json.missingItems).to.deep.equal([]);
      const reg = await api('POST', `/elements/${elementId}/decision`, { token: TOKENS.operator, json: { decision: 'REGISTERED' } });
      expect(reg.json.registryNumber).to.match(/^EGI-\d{6}$/);

      const got = await api('GET', `/elements/${elementId}`);
      expect(got.json).to.include({ status: 'REGISTERED', registryNumber: reg.json.registryNumber });
      const listed = await api('GET', '/elements?elementType=SHARED_COMPLEX&limit=1', { token: TOKENS.operator });
      expect(listed.status).to.equal(200);
      expect((listed.json.items as unknown[]).length).to.equal(1);
    });

    it('a validation error names the field, its reason and the message in the caller’s language', async () => {
      const r = await api('POST', '/elements/notices', { json: { ...sampleNotice(), subject: { name: '', address: 'Ош' } } });
      expect(r.status).to.equal(422);
      const [f] = r.json.fields as Array<{ field: string; reason: string; message: string }>;
      expect(f).to.deep.include({ field: 'subject.name', reason: 'infra.required', message: 'Поле обязательно для заполнения.' });
    });
  });
});
