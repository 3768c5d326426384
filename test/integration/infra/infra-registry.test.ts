import { expect } from 'chai';
import { WorkingCalendar } from '../../../src/calendar/working-calendar.js';
import { AppError } from '../../../src/errors/app-error.js';
import type { ErrorCode } from '../../../src/errors/catalogue.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Attachment, CallContext, OperationDef } from '../../../src/operations/types.js';
import { createInfraRegistry } from '../../../src/registries/infra/create-infra-registry.js';
import type { InfraActor, InfraService } from '../../../src/registries/infra/infra-service.js';
import { ELEMENT_TYPES, ITEM_TEXT, type ElementType } from '../../../src/registries/infra/infra-vocabulary.js';
import { forEachStore } from '../../helpers/stores.js';
import { FakeBis } from '../../../fixtures/infra/fake-bis.js';
import {
  INFRA_CLIENTS,
  INFRA_ROLES_CONFIG,
  OTHER_PERSON,
  SAMPLE_EMPLOYEE,
  SAMPLE_PDF,
  attachment,
  sampleDecisionCopy,
  sampleDeregistrationNotice,
  sampleElementData,
  sampleFiles,
  sampleNotice,
  sampleSubmission,
} from '../../../fixtures/infra/sample-element.js';

/** Bishkek local time, e.g. at('2026-03-05T10:00'). */
const at = (local: string): Date => new Date(`${local}:00+06:00`);

/**
 * The test calendar: 8 and 9 March and 20–21 March 2026 are holidays (8 and 21 fall on a Sunday
 * and a Saturday), 5 March 2026 is a Thursday.
 */
const calendar = new WorkingCalendar({ holidays: ['2026-03-08', '2026-03-09', '2026-03-20', '2026-03-21'], workingWeekends: [] });

const subject = (now: Date, extra: Partial<InfraActor> = {}): InfraActor => ({ client: INFRA_CLIENTS.subject, now, ...extra });
const employee = (now: Date, attachments: Attachment[] = sampleFiles()): InfraActor => ({ client: INFRA_CLIENTS.subject, userId: SAMPLE_EMPLOYEE.pin, now, attachments });
const body = (now: Date): InfraActor => ({ client: INFRA_CLIENTS.authorizedBody, now });
const operator = (now: Date): InfraActor => ({ client: INFRA_CLIENTS.operator, now });

async function rejects(p: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e, (e as Error).stack).to.be.instanceOf(AppError);
    expect((e as AppError).code, (e as AppError).message).to.equal(code);
    return e as AppError;
  }
  throw new Error(`expected ${code}`);
}

forEachStore('infra registry', (ctx) => {
  let service: InfraService;
  let operatorOperations: OperationDef[];
  let bis: FakeBis;

  before(() => {
    bis = new FakeBis();
    ({ service, operatorOperations } = createInfraRegistry({ store: ctx.store, bis, calendar, logger: silentLogger(), roles: INFRA_ROLES_CONFIG }));
  });

  /** Notice (Thu 5 March) → forwarded → access granted (Fri 6 March morning). */
  async function grantedElement(type: ElementType = 'INFORMATION_SYSTEM', employeePin?: string): Promise<string> {
    const n = await service.submitRegistrationNotice(sampleNotice(type), subject(at('2026-03-05T10:00')));
    await service.forwardNotice({ elementId: n.elementId }, body(at('2026-03-05T15:00')));
    await service.grantInputAccess({ elementId: n.elementId, employeePin }, operator(at('2026-03-06T09:00')));
    return n.elementId;
  }

  async function registeredElement(type: ElementType = 'INFORMATION_SYSTEM'): Promise<{ id: string; registryNumber: string }> {
    const id = await grantedElement(type);
    await service.submitElementData(sampleSubmission(id, type), employee(at('2026-03-06T10:00')));
    const d = await service.decideRegistration({ elementId: id, decision: 'REGISTERED' }, operator(at('2026-03-10T11:00')));
    return { id, registryNumber: d.registryNumber as string };
  }

  for (const type of ELEMENT_TYPES) {
    it(`walks a ${type} element through its whole life`, async () => {
      const notice = await service.submitRegistrationNotice(sampleNotice(type), subject(at('2026-03-05T10:00')));
      expect(notice.status).to.equal('NOTICE_SUBMITTED');
      // §19: 3 calendar days from receipt, so Sunday 8 March counts.
      expect(notice.pending).to.deep.include({ step: 'FORWARDING', dueDate: '2026-03-08', overdue: false });
      const id = notice.elementId;

      const fwd = await service.forwardNotice({ elementId: id }, body(at('2026-03-06T09:00')));
      expect(fwd).to.deep.include({ status: 'FORWARDED', late: false });

      const grant = await service.grantInputAccess({ elementId: id }, operator(at('2026-03-06T09:30')));
      expect(grant).to.deep.include({ status: 'ACCESS_GRANTED', grantedEmail: SAMPLE_EMPLOYEE.email });

      const data = await service.submitElementData(sampleSubmission(id, type), employee(at('2026-03-06T10:00')));
      expect(data).to.deep.include({ status: 'DATA_SUBMITTED', version: 1, missingItems: [] });
      // §21: 3 working days from Friday 6 March: 7–9 March are weekend and holidays, so 10, 11, 12.
      expect(data.pending).to.deep.include({ step: 'DECISION', dueDate: '2026-03-12', overdue: false });
      expect(data.attachments.map((a) => a.role)).to.deep.equal(['TECHNICAL_DOCUMENTATION', 'TECHNICAL_DOCUMENTATION', 'COMMISSIONING_ACT']);

      const decision = await service.decideRegistration({ elementId: id, decision: 'REGISTERED' }, operator(at('2026-03-12T23:00')));
      expect(decision.status).to.equal('REGISTERED');
      expect(decision.late).to.equal(false);
      expect(decision.registryNumber).to.match(/^EGI-\d{6}$/);

      const changed = { ...sampleElementData(type), numberOfUsers: 4000, software: ['Debian GNU/Linux 13', 'PostgreSQL 17'] };
      const upd = await service.updateElement({ elementId: id, data: changed }, employee(at('2026-06-01T10:00'), []));
      expect(upd).to.deep.include({ status: 'REGISTERED', version: 2, missingItems: [] });
      // Files not brought again carry over from the previous version.
      expect(upd.attachments).to.have.length(3);

      const dn = await service.submitDeregistrationNotice(sampleDeregistrationNotice(id, '2026-09-01'), subject(at('2026-09-03T10:00'), { attachments: [sampleDecisionCopy()] }));
      expect(dn).to.deep.include({ status: 'DEREGISTRATION_REQUESTED', noticeLate: false, noticeDueDate: '2026-09-08' });
      const dereg = await service.deregisterElement({ elementId: id, agreementReference: 'Макулдашуу № 5', agreementDate: '2026-09-04' }, operator(at('2026-09-04T12:00')));
      expect(dereg).to.deep.include({ status: 'DEREGISTERED', late: false });

      const view = await service.getElement({ elementId: id }, subject(at('2026-09-05T10:00')));
      expect(view.status).to.equal('DEREGISTERED');
      expect(view.registryNumber).to.equal(decision.registryNumber);
      expect(view.elementType).to.equal(type);
      expect(view.current?.numberOfUsers).to.equal(4000);
      expect(view.versions.map((v) => [v.version, v.kind, v.data.numberOfUsers])).to.deep.equal([
        [1, 'SUBMISSION', 1250],
        [2, 'UPDATE', 4000],
      ]);
      expect(view.history.map((h) => [h.action, h.fromStatus ?? null, h.toStatus])).to.deep.equal([
        ['SUBMIT_NOTICE', null, 'NOTICE_SUBMITTED'],
        ['FORWARD', 'NOTICE_SUBMITTED', 'FORWARDED'],
        ['GRANT_ACCESS', 'FORWARDED', 'ACCESS_GRANTED'],
        ['SUBMIT_DATA', 'ACCESS_GRANTED', 'DATA_SUBMITTED'],
        ['REGISTER', 'DATA_SUBMITTED', 'REGISTERED'],
        ['UPDATE', 'REGISTERED', 'REGISTERED'],
        ['REQUEST_DEREGISTRATION', 'REGISTERED', 'DEREGISTRATION_REQUESTED'],
        ['DEREGISTER', 'DEREGISTRATION_REQUESTED', 'DEREGISTERED'],
      ]);
      expect(view.history.map((h) => h.actorClient)).to.deep.equal([
        INFRA_CLIENTS.subject,
        INFRA_CLIENTS.authorizedBody,
        INFRA_CLIENTS.operator,
        INFRA_CLIENTS.subject,
        INFRA_CLIENTS.operator,
        INFRA_CLIENTS.subject,
        INFRA_CLIENTS.subject,
        INFRA_CLIENTS.operator,
      ]);
      expect(view.history[3].actorUserId).to.equal(SAMPLE_EMPLOYEE.pin);
      expect(view.history[4].at).to.equal(at('2026-03-12T23:00').toISOString());
      expect(view.deregistration).to.deep.include({ decisionDate: '2026-09-01', noticeLate: false, agreementReference: 'Макулдашуу № 5' });
      expect(view.attachments.map((a) => a.role)).to.include('DEREGISTRATION_DECISION');
      expect(view.pending).to.equal(undefined);
      // Nothing follows DEREGISTERED.
      const e = await rejects(service.updateElement({ elementId: id, data: changed }, employee(at('2026-09-06T10:00'), [])), 'INVALID_STATE');
      expect(e.text.en).to.contain('DEREGISTERED');
      expect(e.text.ky).to.contain('DEREGISTERED');
    });
  }

  it('refuses INCOMPLETE_DATA with the computed list of missing items, then registers the resubmission', async () => {
    const id = await grantedElement('DATA_CENTRE');
    const partial = { ...sampleElementData('DATA_CENTRE'), architecture: undefined, numberOfUsers: undefined };
    const first = await service.submitElementData({ elementId: id, data: partial, technicalDocumentation: ['tech-doc-1'] }, employee(at('2026-03-06T10:00')));
    expect(first.missingItems).to.deep.equal([7, 15, 17]);

    // Registering incomplete data is not possible: §22 check.
    const notYet = await rejects(service.decideRegistration({ elementId: id, decision: 'REGISTERED' }, operator(at('2026-03-10T10:00'))), 'VALIDATION_FAILED');
    expect(notYet.fields.map((f) => f.reason)).to.deep.equal(['infra.dataIncomplete']);

    const refused = await service.decideRegistration({ elementId: id, decision: 'REFUSED', refusalGround: 'INCOMPLETE_DATA', comment: 'Толуктаңыз' }, operator(at('2026-03-10T11:00')));
    expect(refused.status).to.equal('REFUSED');
    expect(refused.refusal?.ground).to.equal('INCOMPLETE_DATA');
    expect(refused.refusal?.missingItems.map((m) => m.item)).to.deep.equal([7, 15, 17]);
    expect(refused.refusal?.missingItems[0].title).to.deep.equal(ITEM_TEXT[7]);
    expect(refused.refusal?.groundText.ky).to.contain('20-пунктуна');
    expect(refused.pending?.step).to.equal('RESUBMISSION');

    const view = await service.getElement({ elementId: id }, subject(at('2026-03-10T12:00')));
    expect(view.refusal?.missingItems.map((m) => m.item)).to.deep.equal([7, 15, 17]);

    // The corrected data: only the missing act is brought, the documentation carries over.
    const second = await service.submitElementData(
      { elementId: id, data: sampleElementData('DATA_CENTRE'), commissioningActFile: 'commissioning-act' },
      employee(at('2026-03-11T10:00')),
    );
    expect(second).to.deep.include({ status: 'DATA_SUBMITTED', version: 2, missingItems: [] });
    expect(second.attachments.map((a) => a.role).sort()).to.deep.equal(['COMMISSIONING_ACT', 'TECHNICAL_DOCUMENTATION']);
    // A complete submission cannot be refused as incomplete.
    const cannot = await rejects(
      service.decideRegistration({ elementId: id, decision: 'REFUSED', refusalGround: 'INCOMPLETE_DATA' }, operator(at('2026-03-12T10:00'))),
      'VALIDATION_FAILED',
    );
    expect(cannot.fields.map((f) => f.reason)).to.deep.equal(['infra.dataComplete']);
    const ok = await service.decideRegistration({ elementId: id, decision: 'REGISTERED' }, operator(at('2026-03-12T11:00')));
    expect(ok.status).to.equal('REGISTERED');
  });

  it('refuses UNAUTHORIZED_SUBMITTER; the subject sends the notice again naming another employee', async () => {
    const id = await grantedElement('AUTOMATION_SOFTWARE');
    await service.submitElementData(sampleSubmission(id, 'AUTOMATION_SOFTWARE'), employee(at('2026-03-06T10:00')));
    const refused = await service.decideRegistration(
      { elementId: id, decision: 'REFUSED', refusalGround: 'UNAUTHORIZED_SUBMITTER', comment: 'Кызматкер ыйгарым укуктуу эмес' },
      operator(at('2026-03-10T10:00')),
    );
    expect(refused.refusal).to.deep.include({ ground: 'UNAUTHORIZED_SUBMITTER', missingItems: [] });

    const again = { ...sampleNotice('AUTOMATION_SOFTWARE'), elementId: id, employee: { fullName: 'Асанова Нургүл', position: 'Адис', email: OTHER_PERSON.email } };
    const renotice = await service.submitRegistrationNotice(again, subject(at('2026-03-11T10:00')));
    expect(renotice.status).to.equal('NOTICE_SUBMITTED');
    // The old grant ended with the new notice: the first employee may no longer enter data.
    await service.forwardNotice({ elementId: id }, body(at('2026-03-11T12:00')));
    await service.grantInputAccess({ elementId: id }, operator(at('2026-03-11T13:00')));
    await rejects(service.submitElementData(sampleSubmission(id, 'AUTOMATION_SOFTWARE'), employee(at('2026-03-11T14:00'))), 'NOT_GRANTED_EMPLOYEE');
    const byNew = await service.submitElementData(sampleSubmission(id, 'AUTOMATION_SOFTWARE'), { ...employee(at('2026-03-11T14:00')), userId: OTHER_PERSON.pin });
    expect(byNew.version).to.equal(2);
    const reg = await service.decideRegistration({ elementId: id, decision: 'REGISTERED' }, operator(at('2026-03-12T10:00')));
    expect(reg.registryNumber).to.match(/^EGI-\d{6}$/);
  });

  it('a refusal names exactly one ground', async () => {
    const id = await grantedElement();
    await service.submitElementData(sampleSubmission(id), employee(at('2026-03-06T10:00')));
    const e = await rejects(service.decideRegistration({ elementId: id, decision: 'REFUSED' }, operator(at('2026-03-10T10:00'))), 'VALIDATION_FAILED');
    expect(e.fields.map((f) => `${f.field}:${f.reason}`)).to.deep.equal(['refusalGround:infra.refusalGroundRequired']);
    expect(e.fields[0].message.ky).to.contain('23-пункту');
  });

  it('only the granted employee may submit the data; a refused attempt is recorded', async () => {
    const id = await grantedElement('SHARED_COMPLEX');
    // A person BIS knows, with another e-mail.
    const e = await rejects(
      service.submitElementData(sampleSubmission(id, 'SHARED_COMPLEX'), { ...employee(at('2026-03-06T10:00')), userId: OTHER_PERSON.pin }),
      'NOT_GRANTED_EMPLOYEE',
    );
    expect(e.faultCode).to.equal('Client.AccessDenied');
    // A PIN BIS does not know.
    await rejects(service.submitElementData(sampleSubmission(id, 'SHARED_COMPLEX'), { ...employee(at('2026-03-06T10:00')), userId: '20101199000999' }), 'NOT_GRANTED_EMPLOYEE');
    // No person at all.
    await rejects(service.submitElementData(sampleSubmission(id, 'SHARED_COMPLEX'), { ...employee(at('2026-03-06T10:00')), userId: undefined }), 'UNAUTHENTICATED');
    // The right subject organisation is not enough: another ministry is refused before BIS is asked.
    const calls = bis.calls;
    await rejects(service.submitElementData(sampleSubmission(id, 'SHARED_COMPLEX'), { ...employee(at('2026-03-06T10:00')), client: INFRA_CLIENTS.otherMinistry }), 'ACCESS_DENIED');
    expect(bis.calls).to.equal(calls);
    // BIS down: the caller learns the upstream is unavailable, nothing is stored.
    bis.down = true;
    try {
      await rejects(service.submitElementData(sampleSubmission(id, 'SHARED_COMPLEX'), employee(at('2026-03-06T10:00'))), 'UPSTREAM_UNAVAILABLE');
    } finally {
      bis.down = false;
    }
    // The granted employee, from another subsystem of the same organisation (e-mail compared without case).
    const ok = await service.submitElementData(sampleSubmission(id, 'SHARED_COMPLEX'), { ...employee(at('2026-03-06T10:00')), client: INFRA_CLIENTS.subjectOtherSubsystem });
    expect(ok.version).to.equal(1);
    const view = await service.getElement({ elementId: id }, operator(at('2026-03-06T11:00')));
    const refusedAttempts = view.history.filter((h) => h.action === 'SUBMISSION_REFUSED');
    expect(refusedAttempts).to.have.length(2);
    expect(refusedAttempts[0]).to.deep.include({ fromStatus: 'ACCESS_GRANTED', toStatus: 'ACCESS_GRANTED', actorUserId: OTHER_PERSON.pin });
  });

  it('a PIN recorded in the grant identifies the employee without BIS', async () => {
    const id = await grantedElement('INFORMATION_SYSTEM', OTHER_PERSON.pin);
    const calls = bis.calls;
    const ok = await service.submitElementData(sampleSubmission(id), { ...employee(at('2026-03-06T10:00')), userId: OTHER_PERSON.pin });
    expect(ok.status).to.equal('DATA_SUBMITTED');
    expect(bis.calls).to.equal(calls);
  });

  it('a deregistration notice later than 7 days after the decision is accepted and flagged late', async () => {
    const { id } = await registeredElement();
    // Decision on 12 March: notice due 19 March (calendar days); received on 20 March.
    const dn = await service.submitDeregistrationNotice(sampleDeregistrationNotice(id, '2026-03-12'), subject(at('2026-03-20T09:00'), { attachments: [sampleDecisionCopy()] }));
    expect(dn).to.deep.include({ status: 'DEREGISTRATION_REQUESTED', noticeLate: true, late: true, noticeDueDate: '2026-03-19' });
    // §31: 3 working days from Friday 20 March (holiday), 21 (holiday, Saturday), 22 (Sunday): 23, 24, 25.
    expect(dn.pending).to.deep.include({ step: 'DEREGISTRATION', dueDate: '2026-03-25' });
    const view = await service.getElement({ elementId: id }, operator(at('2026-03-20T10:00')));
    expect(view.deregistration?.noticeLate).to.equal(true);
    expect(view.history.at(-1)).to.deep.include({ action: 'REQUEST_DEREGISTRATION', late: true });

    // Deregistered after the term: done, and recorded as late.
    const done = await service.deregisterElement({ elementId: id, agreementReference: '№ 9' }, operator(at('2026-03-26T09:00')));
    expect(done).to.deep.include({ status: 'DEREGISTERED', late: true });
  });

  it('a notice on the 7th day is on time; the decision copy is required and checked', async () => {
    const { id } = await registeredElement();
    await rejects(service.submitDeregistrationNotice(sampleDeregistrationNotice(id, '2026-03-12'), subject(at('2026-03-19T23:30'), { attachments: [] })), 'VALIDATION_FAILED');
    const exe = attachment('decision-copy', 'application/pdf', Buffer.from('MZ this is not a scan'));
    const bad = await rejects(service.submitDeregistrationNotice(sampleDeregistrationNotice(id, '2026-03-12'), subject(at('2026-03-19T23:30'), { attachments: [exe] })), 'VALIDATION_FAILED');
    expect(bad.fields.map((f) => f.reason)).to.deep.equal(['infra.attachmentContentMismatch']);
    const dn = await service.submitDeregistrationNotice(sampleDeregistrationNotice(id, '2026-03-12'), subject(at('2026-03-19T23:30'), { attachments: [sampleDecisionCopy()] }));
    expect(dn.noticeLate).to.equal(false);
  });

  it('stores each file with its SHA-256 and refuses to serve a file whose bytes changed', async () => {
    const id = await grantedElement();
    const sub = await service.submitElementData(sampleSubmission(id), employee(at('2026-03-06T10:00')));
    const act = sub.attachments.find((a) => a.role === 'COMMISSIONING_ACT')!;
    expect(act.sha256).to.equal(sampleFiles()[2].sha256);
    expect(act).to.deep.include({ contentType: 'application/pdf', filename: 'commissioning-act.pdf', sizeBytes: SAMPLE_PDF.length });

    const got = await service.getAttachment({ elementId: id, attachmentId: act.attachmentId }, operator(at('2026-03-06T11:00')));
    expect(got.bytes.equals(SAMPLE_PDF)).to.equal(true);
    // Other ministries may not download.
    await rejects(service.getAttachment({ elementId: id, attachmentId: act.attachmentId }, { client: INFRA_CLIENTS.otherMinistry }), 'ACCESS_DENIED');

    const tampered = Buffer.from(SAMPLE_PDF);
    tampered[20] ^= 0x01;
    await ctx.store.knex('infra_attachments').where({ id: act.attachmentId }).update({ content: tampered });
    const e = await rejects(service.getAttachment({ elementId: id, attachmentId: act.attachmentId }, operator(at('2026-03-06T12:00'))), 'ATTACHMENT_INTEGRITY');
    expect(e.faultCode).to.equal('Server.InternalError');
    await rejects(service.getAttachment({ elementId: id, attachmentId: 'no-such-file' }, operator(at('2026-03-06T12:00'))), 'NOT_FOUND');
  });

  it('refuses a file the transport handed over with a digest that does not match, and stores nothing', async () => {
    const id = await grantedElement();
    const files = sampleFiles();
    files[0] = { ...files[0], sha256: files[1].sha256 };
    const e = await rejects(service.submitElementData(sampleSubmission(id), employee(at('2026-03-06T10:00'), files)), 'VALIDATION_FAILED');
    expect(e.fields.map((f) => `${f.field}:${f.reason}`)).to.deep.equal(['technicalDocumentation[0]:infra.attachmentDigest']);
    expect(await ctx.store.knex('infra_attachments').where({ element_id: id }).count({ n: '*' })).to.deep.equal([{ n: ctx.client === 'postgres' ? '0' : 0 }]);
    const view = await service.getElement({ elementId: id }, subject(at('2026-03-06T10:01')));
    expect(view.status).to.equal('ACCESS_GRANTED');
  });

  it('an update must keep all 17 items; an update by someone else is refused', async () => {
    const { id } = await registeredElement('INFORMATION_SYSTEM');
    const e = await rejects(service.updateElement({ elementId: id, data: { ...sampleElementData(), developer: undefined } }, employee(at('2026-04-01T10:00'), [])), 'VALIDATION_FAILED');
    expect(e.fields[0]).to.deep.include({ field: 'data', reason: 'infra.dataIncomplete' });
    expect(e.fields[0].message.en).to.contain('14');
    await rejects(service.updateElement({ elementId: id, data: sampleElementData() }, { ...employee(at('2026-04-01T10:00'), []), userId: OTHER_PERSON.pin }), 'NOT_GRANTED_EMPLOYEE');
    const view = await service.getElement({ elementId: id }, subject(at('2026-04-01T11:00')));
    expect(view.versions).to.have.length(1);
  });

  it('enforces who does what on the same element (subject / authorized body / operator / other ministry)', async () => {
    const n = await service.submitRegistrationNotice(sampleNotice(), subject(at('2026-03-05T10:00')));
    const id = n.elementId;
    await rejects(service.submitRegistrationNotice(sampleNotice(), operator(at('2026-03-05T10:00'))), 'ACCESS_DENIED');
    await rejects(service.submitRegistrationNotice(sampleNotice(), { client: INFRA_CLIENTS.commercial }), 'ACCESS_DENIED');
    await rejects(service.forwardNotice({ elementId: id }, operator(at('2026-03-05T11:00'))), 'ACCESS_DENIED');
    await rejects(service.forwardNotice({ elementId: id }, subject(at('2026-03-05T11:00'))), 'ACCESS_DENIED');
    await service.forwardNotice({ elementId: id }, body(at('2026-03-05T11:00')));
    await rejects(service.grantInputAccess({ elementId: id }, body(at('2026-03-05T12:00'))), 'ACCESS_DENIED');
    await service.grantInputAccess({ elementId: id }, operator(at('2026-03-05T12:00')));
    await service.submitElementData(sampleSubmission(id), employee(at('2026-03-05T13:00')));
    await rejects(service.decideRegistration({ elementId: id, decision: 'REGISTERED' }, subject(at('2026-03-05T14:00'))), 'ACCESS_DENIED');
    await rejects(service.decideRegistration({ elementId: id, decision: 'REGISTERED' }, body(at('2026-03-05T14:00'))), 'ACCESS_DENIED');
    // Another ministry sees nothing of this element and cannot resubmit its notice.
    await rejects(service.getElement({ elementId: id }, { client: INFRA_CLIENTS.otherMinistry }), 'ACCESS_DENIED');
    await rejects(service.submitRegistrationNotice({ ...sampleNotice(), elementId: id }, { client: INFRA_CLIENTS.otherMinistry }), 'ACCESS_DENIED');
    await rejects(service.listElements({ subject: 'central-server/GOV/70000060' }, { client: INFRA_CLIENTS.otherMinistry }), 'ACCESS_DENIED');
    await rejects(service.overdueReport({ client: INFRA_CLIENTS.subject }), 'ACCESS_DENIED');
    await service.getElement({ elementId: id }, body(at('2026-03-05T15:00')));
    await service.getElement({ elementId: id }, operator(at('2026-03-05T15:00')));
    // Unknown element.
    await rejects(service.getElement({ elementId: '00000000-0000-0000-0000-000000000000' }, operator(at('2026-03-05T15:00'))), 'NOT_FOUND');
  });

  it('illegal transitions are refused naming the current state', async () => {
    const n = await service.submitRegistrationNotice(sampleNotice(), subject(at('2026-03-05T10:00')));
    const e = await rejects(service.grantInputAccess({ elementId: n.elementId }, operator(at('2026-03-05T11:00'))), 'INVALID_STATE');
    expect(e.text.en).to.contain('NOTICE_SUBMITTED');
    expect(e.text.ru).to.contain('Текущее состояние: NOTICE_SUBMITTED');
    await rejects(service.submitRegistrationNotice({ ...sampleNotice(), elementId: n.elementId }, subject(at('2026-03-05T11:00'))), 'INVALID_STATE');
    await rejects(service.deregisterElement({ elementId: n.elementId, agreementReference: 'x' }, operator(at('2026-03-05T11:00'))), 'INVALID_STATE');
    await rejects(service.submitDeregistrationNotice(sampleDeregistrationNotice(n.elementId, '2026-03-05'), subject(at('2026-03-05T11:00'), { attachments: [sampleDecisionCopy()] })), 'INVALID_STATE');
  });

  it('due dates and the overdue report follow the working-day calendar', async () => {
    // Forwarding: notice on Thursday 5 March, due Sunday 8 March (calendar days).
    const a = await service.submitRegistrationNotice({ ...sampleNotice(), subject: { name: 'Overdue forwarding body', address: 'Ош' } }, subject(at('2026-03-05T10:00')));
    // Decision: data on Friday 6 March, due Thursday 12 March (7–9 March off).
    const bId = await grantedElement('DATA_CENTRE');
    await service.submitElementData(sampleSubmission(bId, 'DATA_CENTRE'), employee(at('2026-03-06T10:00')));
    // Deregistration: notice on Thursday 19 March, due Wednesday 25 March (20–22 March off).
    const { id: cId } = await registeredElement('SHARED_COMPLEX');
    await service.submitDeregistrationNotice(sampleDeregistrationNotice(cId, '2026-03-18'), subject(at('2026-03-19T10:00'), { attachments: [sampleDecisionCopy()] }));

    const onTime = await service.getElement({ elementId: bId }, operator(at('2026-03-12T23:59')));
    expect(onTime.pending).to.deep.include({ step: 'DECISION', dueDate: '2026-03-12', overdue: false });
    const late = await service.getElement({ elementId: bId }, operator(at('2026-03-13T00:00')));
    expect(late.pending?.overdue).to.equal(true);

    const report = await service.overdueReport(operator(at('2026-03-26T10:00')));
    const mine = report.items.filter((i) => [a.elementId, bId, cId].includes(i.elementId));
    expect(mine.map((i) => [i.step, i.dueDate, i.daysOverdue, i.workingDaysOverdue])).to.deep.equal([
      ['FORWARDING', '2026-03-08', 18, 12],
      ['DECISION', '2026-03-12', 14, 9],
      ['DEREGISTRATION', '2026-03-25', 1, 1],
    ]);
    // The same report as an operation, as the operator console calls it.
    const viaOp = (await operatorOperations[0].handler({}, { ...operator(at('2026-03-26T10:00')), attachments: [] } as unknown as CallContext)) as typeof report;
    expect(viaOp.items.map((i) => i.elementId)).to.deep.equal(report.items.map((i) => i.elementId));
    // The authorized body sees the same report; on 25 March the deregistration is not yet overdue.
    const earlier = await service.overdueReport(body(at('2026-03-25T23:00')));
    expect(earlier.items.map((i) => i.elementId)).to.include(bId).and.not.include(cId);
    // A late forwarding is recorded as such.
    const fwd = await service.forwardNotice({ elementId: a.elementId }, body(at('2026-03-26T11:00')));
    expect(fwd.late).to.equal(true);
    const after = await service.overdueReport(operator(at('2026-03-26T12:00')));
    expect(after.items.map((i) => i.elementId)).to.not.include(a.elementId);
  });

  it('lists by type, subject, status and text with a stable cursor; a subject sees only its own', async () => {
    const mark = `Листинг ${Date.now()}`;
    const ids: string[] = [];
    for (const type of ['INFORMATION_SYSTEM', 'DATA_CENTRE', 'INFORMATION_SYSTEM', 'INFORMATION_SYSTEM'] as const) {
      const n = await service.submitRegistrationNotice({ ...sampleNotice(type), element: { ...sampleNotice(type).element, fullName: `${mark} ${type}` } }, subject(at('2026-04-01T10:00')));
      ids.push(n.elementId);
    }
    const other = await service.submitRegistrationNotice({ ...sampleNotice(), element: { ...sampleNotice().element, fullName: `${mark} other ministry` } }, { client: INFRA_CLIENTS.otherMinistry });

    // Text search folds Cyrillic case on both stores.
    const all = await service.listElements({ text: mark.toUpperCase() }, operator(at('2026-04-01T11:00')));
    expect(all.items.map((i) => i.elementId)).to.deep.equal([...ids, other.elementId]);

    const page1 = await service.listElements({ text: mark, elementType: 'INFORMATION_SYSTEM', limit: 2 }, body(at('2026-04-01T11:00')));
    expect(page1.items.map((i) => i.elementId)).to.deep.equal([ids[0], ids[2]]);
    expect(page1.nextCursor).to.be.a('string');
    // A new element arriving between pages does not shift the next page.
    await service.submitRegistrationNotice({ ...sampleNotice(), element: { ...sampleNotice().element, fullName: `${mark} late arrival` } }, subject(at('2026-04-01T11:30')));
    const page2 = await service.listElements({ text: mark, elementType: 'INFORMATION_SYSTEM', limit: 2, cursor: page1.nextCursor }, body(at('2026-04-01T12:00')));
    expect(page2.items.map((i) => i.elementId)).to.deep.include.members([ids[3]]);
    expect(page2.items[0].elementId).to.equal(ids[3]);

    const bySubject = await service.listElements({ text: mark, subject: 'central-server/GOV/70000050' }, operator(at('2026-04-01T12:00')));
    expect(bySubject.items.map((i) => i.elementId)).to.deep.equal([other.elementId]);
    const byStatus = await service.listElements({ text: mark, status: 'FORWARDED' }, operator(at('2026-04-01T12:00')));
    expect(byStatus.items).to.deep.equal([]);

    // The other ministry lists only its own, whatever it asks.
    const own = await service.listElements({ text: mark }, { client: INFRA_CLIENTS.otherMinistry });
    expect(own.items.map((i) => i.elementId)).to.deep.equal([other.elementId]);

    // A LIKE wildcard in the text is literal.
    const literal = await service.listElements({ text: '%' }, operator(at('2026-04-01T12:00')));
    expect(literal.items).to.deep.equal([]);
    const badCursor = await rejects(service.listElements({ cursor: 'not-a-cursor' }, operator(at('2026-04-01T12:00'))), 'VALIDATION_FAILED');
    expect(badCursor.fields[0].reason).to.equal('infra.cursor');
  });

  it('getElement also finds an element by its registry number', async () => {
    const { id, registryNumber } = await registeredElement();
    const view = await service.getElement({ elementId: registryNumber }, subject(at('2026-03-11T10:00')));
    expect(view.elementId).to.equal(id);
  });

  it('registry numbers stay unique and gap-free under concurrent decisions', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const id = await grantedElement();
      await service.submitElementData(sampleSubmission(id), employee(at('2026-03-06T10:00')));
      ids.push(id);
    }
    const results = await Promise.all(ids.map((id) => service.decideRegistration({ elementId: id, decision: 'REGISTERED' }, operator(at('2026-03-10T10:00')))));
    const numbers = results.map((r) => Number((r.registryNumber as string).slice(4))).sort((x, y) => x - y);
    expect(new Set(numbers).size).to.equal(6);
    expect(numbers[5] - numbers[0]).to.equal(5);
    // Two decisions racing on one element: exactly one wins.
    const id = await grantedElement();
    await service.submitElementData(sampleSubmission(id), employee(at('2026-03-06T10:00')));
    const race = await Promise.allSettled([
      service.decideRegistration({ elementId: id, decision: 'REGISTERED' }, operator(at('2026-03-10T10:00'))),
      service.decideRegistration({ elementId: id, decision: 'REFUSED', refusalGround: 'UNAUTHORIZED_SUBMITTER' }, operator(at('2026-03-10T10:00'))),
    ]);
    expect(race.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const failed = race.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((failed.reason as AppError).code).to.equal('INVALID_STATE');
  });
});
