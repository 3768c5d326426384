import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import type { CallContext, OperationDef } from '../../../src/operations/types.js';
import {
  applicationStatusOutput,
  historyOutput,
  holderOutput,
  listHoldersOutput,
  overdueReportOutput,
  registrationOutput,
} from '../../../src/registries/holders/holders-schemas.js';
import type { HolderView } from '../../../src/registries/holders/holders-schemas.js';
import { AGENCY_ACTOR_PIN, AGENCY_INN, AGENCY_STAGE_1, AGENCY_STAGE_2, AGENCY_STAGE_3 } from '../../../fixtures/holders/agency-example.js';
import { AGENCY_CLIENT, HOLDER_CLIENT, OTHER_MINISTRY_CLIENT, REVIEWER_PIN, caller, innFor, makeHarness, rejection, reviewer, type Harness } from './holders-harness.js';

/** Monday 23 November 2026, 10:00 in Bishkek. */
const T0 = new Date('2026-11-23T04:00:00Z');
const at = (iso: string): Date => new Date(iso);

function ctx(over: Partial<CallContext> = {}): CallContext {
  const [inst, cls, code, sub] = (over.client ?? HOLDER_CLIENT).split('/');
  return {
    transport: 'internal',
    client: HOLDER_CLIENT,
    clientId: { objectType: 'SUBSYSTEM', xRoadInstance: inst, memberClass: cls, memberCode: code, subsystemCode: sub },
    userId: AGENCY_ACTOR_PIN,
    messageId: 'msg-1',
    requestId: 'req-1',
    lang: 'ky',
    attachments: [],
    now: T0,
    ...over,
  };
}

forEachStore('holders: the seed Agency example, stage I to approval', (c) => {
  let h: Harness;
  let ops: Record<string, OperationDef>;
  before(() => {
    h = makeHarness(c.store);
    ops = Object.fromEntries(h.registry.group.operations.map((o) => [o.serviceCode, o]));
  });

  it('stage I: MoJ fills what it has, with source and time; the holder types the rest and corrects the current address', async () => {
    const out = (await ops.registerHolder.handler(AGENCY_STAGE_1, ctx())) as HolderView;
    holderOutput.parse(out);
    expect(out.status).to.equal('DRAFT');
    expect(out.statusLabel.ky).to.equal('Долбоор');
    expect(out.registrationNumber).to.equal(undefined);
    expect(out.holder.name).to.match(/^Мекеме "Кыргыз Республикасынын/);
    expect(out.holder.legalAddress).to.deep.equal({ region: 'БИШКЕК', city: 'БИШКЕК', district: 'ОКТЯБРЬСКИЙ РАЙОН', streetHouse: 'ул. Токтоналиева 96' });
    expect(out.holder.currentAddress).to.deep.equal({ region: 'БИШКЕК', city: 'БИШКЕК', district: 'ЛЕНИНСКИЙ РАЙОН', streetHouse: 'проспект Чуй 265а' });
    expect(out.holder).to.include({ okpo: '31296230', email: 'info@dpa.gov.kg', phone: '0771557772', head: 'Кутнаева Нурия Асылбековна', ownershipForm: 'Государственная', subordination: '-' });
    expect(out.holder.responsiblePerson).to.deep.equal(AGENCY_STAGE_1.responsiblePerson);
    const src = Object.fromEntries(out.sources.map((s) => [s.field, s]));
    expect(src.name).to.deep.equal({ field: 'name', source: 'MINJUST', origin: 'minjust', fetchedAt: '2026-11-20T09:00:00.000Z', stale: false });
    expect(src.okpo.source).to.equal('MINJUST');
    expect(src['legalAddress.streetHouse'].source).to.equal('MINJUST');
    expect(src.ownershipForm).to.deep.equal({ field: 'ownershipForm', source: 'HOLDER' });
    expect(src['currentAddress.district'].source).to.equal('HOLDER');
    expect(src['responsiblePerson.phone'].source).to.equal('HOLDER');
    expect(h.bis.calls).to.equal(1);
    expect(h.minjust.calls).to.equal(1);
  });

  it('stage II: confirming registers the holder as 2-00001 with the date and time', async () => {
    const out = await ops.submitDataArrays.handler(AGENCY_STAGE_2, ctx());
    expect(registrationOutput.parse(out)).to.deep.equal({
      inn: AGENCY_INN,
      status: 'REGISTERED',
      statusLabel: { ky: 'Катталды', ru: 'Зарегистрирован', en: 'Registered' },
      registrationNumber: '2-00001',
      registeredAt: '2026-11-23T10:00:00+06:00',
      newlyRegistered: true,
    });
  });

  it('stage III: submitting puts it under review, due in 10 Kyrgyz working days', async () => {
    const out = await ops.submitPersonalDataList.handler(AGENCY_STAGE_3, ctx({ now: at('2026-11-23T05:00:00Z') }));
    expect(applicationStatusOutput.parse(out)).to.deep.equal({
      inn: AGENCY_INN,
      status: 'UNDER_REVIEW',
      statusLabel: { ky: 'Каралууда', ru: 'На рассмотрении', en: 'Under review' },
      registrationNumber: '2-00001',
      registeredAt: '2026-11-23T10:00:00+06:00',
      submittedAt: '2026-11-23T11:00:00+06:00',
      // Tue 24 … Fri 27 (4), Mon 30 Nov … Fri 4 Dec (9), Mon 7 Dec (10).
      dueDate: '2026-12-07',
      overdue: false,
    });
  });

  it('the status shows the overdue flag only after the due day has ended in Bishkek', async () => {
    const onDueDay = await ops.getApplicationStatus.handler({ inn: AGENCY_INN }, ctx({ now: at('2026-12-07T17:59:00Z') }));
    expect(onDueDay).to.include({ overdue: false, dueDate: '2026-12-07' });
    const after = await ops.getApplicationStatus.handler({ inn: AGENCY_INN }, ctx({ now: at('2026-12-07T18:00:01Z') }));
    expect(after).to.include({ overdue: true });
  });

  it('the operator report lists it once past due, with the working days overdue', async () => {
    const before = await h.registry.service.listOverdueApplications({}, reviewer({ now: at('2026-12-07T12:00:00Z') }));
    expect(before.items).to.deep.equal([]);
    const report = overdueReportOutput.parse(await h.registry.service.listOverdueApplications({}, reviewer({ now: at('2026-12-09T06:00:00Z') })));
    expect(report.items).to.deep.equal([
      { inn: AGENCY_INN, name: report.items[0].name, registrationNumber: '2-00001', submittedAt: '2026-11-23T11:00:00+06:00', dueDate: '2026-12-07', workingDaysOverdue: 2 },
    ]);
  });

  it('the Agency approves it', async () => {
    const out = await ops.reviewApplication.handler({ inn: AGENCY_INN, decision: 'APPROVED' }, ctx({ client: AGENCY_CLIENT, userId: REVIEWER_PIN, now: at('2026-12-01T08:00:00Z') }));
    expect(applicationStatusOutput.parse(out)).to.include({ status: 'APPROVED', overdue: false, reviewedAt: '2026-12-01T14:00:00+06:00' });
    expect((out as { statusLabel: { ky: string } }).statusLabel.ky).to.equal('Макулдашылды');
    const status = await ops.getApplicationStatus.handler({ inn: AGENCY_INN }, ctx({ now: at('2026-12-20T08:00:00Z') }));
    expect(status).to.include({ status: 'APPROVED', overdue: false, registrationNumber: '2-00001' });
    expect((await h.registry.service.listOverdueApplications({}, reviewer({ now: at('2026-12-20T08:00:00Z') }))).items).to.deep.equal([]);
  });

  it('the public list shows INN, name, registration date and status', async () => {
    const out = listHoldersOutput.parse(await ops.listHolders.handler({}, ctx({ client: 'public' })));
    expect(out.items).to.have.length(1);
    expect(out.items[0]).to.deep.include({ inn: AGENCY_INN, registrationNumber: '2-00001', registeredAt: '2026-11-23T10:00:00+06:00', status: 'APPROVED' });
    expect(out.nextCursor).to.equal(undefined);
  });

  it('getHolder gives the personal contacts to the Agency only', async () => {
    const agency = holderOutput.parse(await ops.getHolder.handler({ inn: AGENCY_INN }, ctx({ client: AGENCY_CLIENT })));
    expect(agency.contactsHidden).to.equal(false);
    expect(agency.holder.responsiblePerson?.email).to.equal('zhumanazarov@dpa.gov.kg');
    expect(agency.dataArrays?.arrayNames).to.deep.equal(AGENCY_STAGE_2.arrayNames);
    expect(agency.personalDataList?.subjectCategories).to.deep.equal(['EMPLOYEE']);
    for (const client of [OTHER_MINISTRY_CLIENT, HOLDER_CLIENT, 'public']) {
      const other = holderOutput.parse(await ops.getHolder.handler({ inn: AGENCY_INN }, ctx({ client })));
      expect(other.contactsHidden, client).to.equal(true);
      expect(other.holder, client).not.to.have.property('responsiblePerson');
      expect(JSON.stringify(other), client).not.to.contain('zhumanazarov');
      expect(other.holder.name).to.equal(agency.holder.name);
    }
  });

  it('keeps every change: who, when, what', async () => {
    const hist = historyOutput.parse(await h.registry.service.getHolderHistory({ inn: AGENCY_INN }));
    expect(hist.versions.map((v) => [v.version, v.operation, v.statusBefore ?? null, v.statusAfter, v.actorPin])).to.deep.equal([
      [1, 'registerHolder', null, 'DRAFT', AGENCY_ACTOR_PIN],
      [2, 'submitDataArrays', 'DRAFT', 'REGISTERED', AGENCY_ACTOR_PIN],
      [3, 'submitPersonalDataList', 'REGISTERED', 'UNDER_REVIEW', AGENCY_ACTOR_PIN],
      [4, 'reviewApplication', 'UNDER_REVIEW', 'APPROVED', REVIEWER_PIN],
    ]);
    expect(hist.versions[3].client).to.equal(AGENCY_CLIENT);
    expect(hist.versions[1].at).to.equal('2026-11-23T10:00:00+06:00');
    const reg = hist.versions[1].changes.find((ch) => ch.path === 'registrationNumber');
    expect(reg).to.deep.equal({ path: 'registrationNumber', after: '"2-00001"' });
    expect(hist.versions[1].changes.map((ch) => ch.path)).to.include.members(['status', 'dataArrays.arrayNames', 'dataArrays.processorKind', 'registeredAt']);
    expect(hist.versions[3].changes.find((ch) => ch.path === 'review.decision')).to.deep.equal({ path: 'review.decision', after: '"APPROVED"' });
  });
});

forEachStore('holders: rejection, correction and resubmission', (c) => {
  let h: Harness;
  const inn = innFor(7);
  before(async () => {
    h = makeHarness(c.store);
    h.minjust.add({
      inn,
      name: 'ОсОО "Тест Маалымат"',
      okpo: '12345678',
      legalAddress: { region: 'ЧҮЙ', city: 'Токмок', district: 'Чүй району', street: 'ул. Ленина', house: '1' },
      head: 'Асанова Айпери',
      email: 'info@test.kg',
      phone: '+996 312 123456',
      missingFields: [],
    });
    h.bis.allow(AGENCY_ACTOR_PIN, inn);
    const svc = h.registry.service;
    await svc.registerHolder({ ...AGENCY_STAGE_1, inn }, caller());
    await svc.submitDataArrays({ ...AGENCY_STAGE_2, inn }, caller());
    await svc.submitPersonalDataList({ ...AGENCY_STAGE_3, inn }, caller());
  });

  it('a refusal needs the comment', async () => {
    const e = await rejection(h.registry.service.reviewApplication({ inn, decision: 'REJECTED' }, reviewer()));
    expect(e.code).to.equal('VALIDATION_FAILED');
    expect(e.fields).to.have.length(1);
    expect(e.fields[0]).to.include({ field: 'comment', reason: 'requiredWhen' });
    expect(e.fields[0].message.ru).to.contain('не согласована');
  });

  it('the holder sees the rejection and its comment in the status', async () => {
    const comment = 'Не указаны сроки хранения сведений о кандидатах.';
    const out = await h.registry.service.reviewApplication({ inn, decision: 'REJECTED', comment }, reviewer({ now: at('2026-11-25T05:00:00Z') }));
    expect(out).to.include({ status: 'REJECTED', reviewComment: comment, overdue: false });
    const status = await h.registry.service.getApplicationStatus({ inn }, caller());
    expect(status).to.include({ status: 'REJECTED', reviewComment: comment, registrationNumber: '2-00001' });
    expect(status.statusLabel.ky).to.equal('Макулдашылган жок');
  });

  it('the holder corrects stage II; the number stays and no new one is taken', async () => {
    const out = await h.registry.service.submitDataArrays(
      { ...AGENCY_STAGE_2, inn, processingEndConditions: [...AGENCY_STAGE_2.processingEndConditions, 'истечение 3 лет после окончания конкурса'] },
      caller({ now: at('2026-11-26T05:00:00Z') }),
    );
    expect(out).to.include({ status: 'REJECTED', registrationNumber: '2-00001', registeredAt: '2026-11-23T10:00:00+06:00', newlyRegistered: false });
  });

  it('resubmitting stage III starts a new review with a new due date and no old comment', async () => {
    const out = await h.registry.service.submitPersonalDataList({ ...AGENCY_STAGE_3, inn }, caller({ now: at('2026-11-26T06:00:00Z') }));
    // Thu 26 Nov: Fri 27 (1), 30 Nov–4 Dec (6), 7–10 Dec (10).
    expect(out).to.include({ status: 'UNDER_REVIEW', dueDate: '2026-12-10', submittedAt: '2026-11-26T12:00:00+06:00' });
    expect(out).not.to.have.property('reviewComment');
  });

  it('the Agency approves the corrected application', async () => {
    const out = await h.registry.service.reviewApplication({ inn, decision: 'APPROVED', comment: 'Согласовано.' }, reviewer({ now: at('2026-11-30T05:00:00Z') }));
    expect(out).to.include({ status: 'APPROVED', reviewComment: 'Согласовано.' });
  });

  it('the history has both reviews and the correction between them', async () => {
    const hist = await h.registry.service.getHolderHistory({ inn });
    expect(hist.versions.map((v) => `${v.operation}:${v.statusAfter}`)).to.deep.equal([
      'registerHolder:DRAFT',
      'submitDataArrays:REGISTERED',
      'submitPersonalDataList:UNDER_REVIEW',
      'reviewApplication:REJECTED',
      'submitDataArrays:REJECTED',
      'submitPersonalDataList:UNDER_REVIEW',
      'reviewApplication:APPROVED',
    ]);
    const correction = hist.versions[4].changes;
    expect(correction.map((ch) => ch.path)).to.deep.equal(['dataArrays.processingEndConditions']);
    expect(JSON.parse(correction[0].after!)).to.include('истечение 3 лет после окончания конкурса');
    const rejected = hist.versions[3].changes.find((ch) => ch.path === 'review.comment');
    expect(rejected?.after).to.contain('сроки хранения');
    const resubmitted = hist.versions[5].changes.map((ch) => ch.path);
    expect(resubmitted).to.include.members(['review.decision', 'review.comment', 'status', 'submittedAt', 'dueDate']);
    expect(hist.versions[5].changes.find((ch) => ch.path === 'review.decision')).to.deep.equal({ path: 'review.decision', before: '"REJECTED"' });
  });
});
