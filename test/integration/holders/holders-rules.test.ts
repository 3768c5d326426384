import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import type { LegalEntity } from '../../../src/consumers/types.js';
import { AGENCY_ACTOR_PIN, AGENCY_INN, AGENCY_LEGAL_ENTITY, AGENCY_STAGE_1, AGENCY_STAGE_2, AGENCY_STAGE_3, AGENCY_TYPED_FIELDS } from '../../../fixtures/holders/agency-example.js';
import { AGENCY_CLIENT, OTHER_MINISTRY_CLIENT, caller, innFor, makeHarness, rejection, reviewer, type Harness } from './holders-harness.js';

const OTHER_PIN = '11208198500024';

forEachStore('holders: who may act for the organisation (BIS, live)', (c) => {
  let h: Harness;
  const svc = () => h.registry.service;
  before(() => {
    h = makeHarness(c.store);
  });

  it('needs the end user’s PIN', async () => {
    const none = await rejection(svc().registerHolder(AGENCY_STAGE_1, caller({ userId: undefined })));
    expect(none.code).to.equal('UNAUTHENTICATED');
    expect(none.text.en).to.contain('personal number');
    const bad = await rejection(svc().registerHolder(AGENCY_STAGE_1, caller({ userId: 'EE38001085718' })));
    expect(bad.code).to.equal('UNAUTHENTICATED');
    expect(h.bis.calls).to.equal(0);
  });

  const refusals = [
    ['EXPIRED', 'certificateExpired', 'истёк'],
    ['REVOKED', 'certificateRevoked', 'отозван'],
    ['SUSPENDED', 'certificateSuspended', '119'],
    ['NO_CERTIFICATE', 'certificateNoCertificate', 'нет облачной'],
  ] as const;
  for (const [reason, fieldReason, ruText] of refusals) {
    it(`refuses a ${reason.toLowerCase().replace('_', ' ')} certificate with the reason`, async () => {
      const inn = innFor(100 + refusals.findIndex((r) => r[0] === reason));
      h.bis.refuse(OTHER_PIN, inn, reason);
      const e = await rejection(svc().registerHolder({ ...AGENCY_STAGE_1, inn }, caller({ userId: OTHER_PIN })));
      expect(e.code).to.equal('NOT_AUTHORIZED_FOR_ORGANISATION');
      expect(e.faultCode).to.equal('Client.AccessDenied');
      expect(e.text.ru).to.contain(ruText);
      expect(e.fields).to.deep.equal([{ field: 'inn', reason: fieldReason, message: e.detail }]);
      expect((await rejection(svc().getApplicationStatus({ inn }, caller()))).code).to.equal('NOT_FOUND');
    });
  }

  it('refuses a certificate of another organisation', async () => {
    const inn = innFor(110);
    const e = await rejection(svc().registerHolder({ ...AGENCY_STAGE_1, inn }, caller({ userId: AGENCY_ACTOR_PIN })));
    expect(e.code).to.equal('NOT_AUTHORIZED_FOR_ORGANISATION');
    expect(e.fields[0]).to.include({ field: 'inn', reason: 'certificateOtherOrganisation' });
  });

  it('fails closed when BIS is down, before MoJ is asked or anything is stored', async () => {
    h.bis.down = true;
    const mojCalls = h.minjust.calls;
    try {
      const e = await rejection(svc().registerHolder(AGENCY_STAGE_1, caller()));
      expect(e.code).to.equal('UPSTREAM_UNAVAILABLE');
      expect(e.faultCode).to.equal('Server.UpstreamUnavailable');
      expect(h.minjust.calls).to.equal(mojCalls);
      expect((await rejection(svc().getApplicationStatus({ inn: AGENCY_INN }, caller()))).code).to.equal('NOT_FOUND');
    } finally {
      h.bis.down = false;
    }
  });

  it('fails closed when BIS answers with something unexpected', async () => {
    const original = h.bis.mayActFor.bind(h.bis);
    h.bis.mayActFor = async () => {
      throw new TypeError('unexpected answer');
    };
    try {
      const e = await rejection(svc().registerHolder(AGENCY_STAGE_1, caller()));
      expect(e.code).to.equal('UPSTREAM_UNAVAILABLE');
    } finally {
      h.bis.mayActFor = original;
    }
  });

  it('asks BIS again on every write: a certificate revoked after stage I stops stage II', async () => {
    await svc().registerHolder(AGENCY_STAGE_1, caller());
    const calls = h.bis.calls;
    h.bis.refuse(AGENCY_ACTOR_PIN, AGENCY_INN, 'REVOKED');
    try {
      const e = await rejection(svc().submitDataArrays(AGENCY_STAGE_2, caller()));
      expect(e.code).to.equal('NOT_AUTHORIZED_FOR_ORGANISATION');
      expect(h.bis.calls).to.equal(calls + 1);
      expect((await svc().getApplicationStatus({ inn: AGENCY_INN }, caller())).status).to.equal('DRAFT');
    } finally {
      h.bis.allow(AGENCY_ACTOR_PIN, AGENCY_INN);
    }
    h.bis.down = true;
    try {
      expect((await rejection(svc().submitDataArrays(AGENCY_STAGE_2, caller()))).code).to.equal('UPSTREAM_UNAVAILABLE');
    } finally {
      h.bis.down = false;
    }
  });

  it('reviews need the reviewer’s PIN (the ACL decides who may call)', async () => {
    const e = await rejection(svc().reviewApplication({ inn: AGENCY_INN, decision: 'APPROVED' }, reviewer({ userId: undefined })));
    expect(e.code).to.equal('UNAUTHENTICATED');
  });
});

forEachStore('holders: stage I prefill from the Ministry of Justice', (c) => {
  let h: Harness;
  const svc = () => h.registry.service;
  let n = 200;
  /** A fresh holder known to MoJ as `entity` (without inn), that the actor may act for. */
  const holder = (entity: Omit<LegalEntity, 'inn'> | undefined): string => {
    const inn = innFor(n++);
    if (entity) h.minjust.add({ ...entity, inn });
    h.bis.allow(AGENCY_ACTOR_PIN, inn);
    return inn;
  };
  before(() => {
    h = makeHarness(c.store);
  });
  afterEach(() => {
    h.minjust.mode = 'fresh';
  });

  it('marks every prefilled field of a stale MoJ copy as stale, with its age, and still registers', async () => {
    const inn = holder(AGENCY_LEGAL_ENTITY);
    h.minjust.mode = 'stale';
    const out = await svc().registerHolder({ ...AGENCY_STAGE_1, inn }, caller());
    const name = out.sources.find((s) => s.field === 'name');
    expect(name).to.deep.equal({ field: 'name', source: 'MINJUST', origin: 'minjust-cache', fetchedAt: '2026-11-20T09:00:00.000Z', stale: true, ageSeconds: 200000 });
    expect(out.sources.filter((s) => s.source === 'MINJUST').every((s) => s.stale === true)).to.equal(true);
    expect(out.status).to.equal('DRAFT');
  });

  it('asks the holder for every mandatory field MoJ lacks, naming each', async () => {
    const { head: _h, phone: _p, okpo: _o, ...partial } = AGENCY_LEGAL_ENTITY;
    const inn = holder({ ...partial, legalAddress: { region: 'БИШКЕК', city: 'БИШКЕК' } });
    const e = await rejection(svc().registerHolder({ ...AGENCY_STAGE_1, inn }, caller()));
    expect(e.code).to.equal('VALIDATION_FAILED');
    expect(e.fields.map((f) => [f.field, f.reason])).to.deep.equal([
      ['legalAddress.district', 'required'],
      ['legalAddress.streetHouse', 'required'],
      ['head', 'required'],
      ['okpo', 'required'],
      ['phone', 'required'],
    ]);
    expect(e.fields[2].message.ru).to.contain('в базе Министерства юстиции значения нет');
    const out = await svc().registerHolder(
      { ...AGENCY_STAGE_1, inn, legalAddress: { district: 'ОКТЯБРЬСКИЙ РАЙОН', streetHouse: 'ул. Токтоналиева 96' }, head: AGENCY_TYPED_FIELDS.head, okpo: AGENCY_TYPED_FIELDS.okpo, phone: AGENCY_TYPED_FIELDS.phone },
      caller(),
    );
    const src = Object.fromEntries(out.sources.map((s) => [s.field, s.source]));
    expect(src).to.include({ 'legalAddress.region': 'MINJUST', 'legalAddress.district': 'HOLDER', head: 'HOLDER', okpo: 'HOLDER', email: 'MINJUST', name: 'MINJUST' });
  });

  it('refuses a typed value that contradicts MoJ, and accepts one that agrees but for case and spaces', async () => {
    const inn = holder(AGENCY_LEGAL_ENTITY);
    const e = await rejection(svc().registerHolder({ ...AGENCY_STAGE_1, inn, okpo: '12345678', email: 'other@dpa.gov.kg' }, caller()));
    expect(e.fields.map((f) => [f.field, f.reason])).to.deep.equal([
      ['okpo', 'conflictWithSource'],
      ['email', 'conflictWithSource'],
    ]);
    expect(e.fields[0].message.en).to.contain('Ministry of Justice');
    const ok = await svc().registerHolder({ ...AGENCY_STAGE_1, inn, email: 'INFO@dpa.gov.kg', head: 'Кутнаева  Нурия Асылбековна' }, caller());
    expect(ok.holder.email).to.equal('info@dpa.gov.kg');
  });

  it('does not prefill a MoJ value that fails the field’s format (two phones in one field)', async () => {
    const inn = holder({ ...AGENCY_LEGAL_ENTITY, phone: '0312 550 101; 0555 101 202' });
    const e = await rejection(svc().registerHolder({ ...AGENCY_STAGE_1, inn }, caller()));
    expect(e.fields.map((f) => [f.field, f.reason])).to.deep.equal([['phone', 'required']]);
    const out = await svc().registerHolder({ ...AGENCY_STAGE_1, inn, phone: '0555 101 202' }, caller());
    expect(out.holder.phone).to.equal('0555 101 202');
    expect(out.sources.find((s) => s.field === 'phone')?.source).to.equal('HOLDER');
  });

  it('uses the legal address as the current one unless the holder corrects it', async () => {
    const inn = holder(AGENCY_LEGAL_ENTITY);
    const { currentAddress: _c, ...noCorrection } = AGENCY_STAGE_1;
    const out = await svc().registerHolder({ ...noCorrection, inn }, caller());
    expect(out.holder.currentAddress).to.deep.equal(out.holder.legalAddress);
    expect(out.sources.find((s) => s.field === 'currentAddress.streetHouse')?.source).to.equal('MINJUST');
  });

  it('lets the holder type everything when MoJ does not know the INN', async () => {
    const inn = holder(undefined);
    const typed = {
      ...AGENCY_STAGE_1,
      inn,
      name: 'Учреждение "Новое"',
      legalAddress: { region: 'ОШ', city: 'ОШ', district: 'ОШ', streetHouse: 'ул. Курманжан Датка 1' },
      head: 'Исаев Бакыт',
      okpo: '87654321',
      email: 'info@new.kg',
      phone: '+996 3222 55555',
    };
    const out = await svc().registerHolder(typed, caller());
    expect(out.sources.every((s) => s.source === 'HOLDER')).to.equal(true);
    expect(out.holder.name).to.equal('Учреждение "Новое"');
  });

  it('fails when MoJ is down and has nothing cached', async () => {
    const inn = holder(AGENCY_LEGAL_ENTITY);
    h.minjust.mode = 'down';
    expect((await rejection(svc().registerHolder({ ...AGENCY_STAGE_1, inn }, caller()))).code).to.equal('UPSTREAM_UNAVAILABLE');
    h.minjust.mode = 'broken';
    expect((await rejection(svc().registerHolder({ ...AGENCY_STAGE_1, inn }, caller()))).code).to.equal('UPSTREAM_UNAVAILABLE');
  });

  it('saving stage I again fetches MoJ again and versions what changed', async () => {
    const inn = holder(AGENCY_LEGAL_ENTITY);
    await svc().registerHolder({ ...AGENCY_STAGE_1, inn }, caller());
    h.minjust.add({ ...AGENCY_LEGAL_ENTITY, inn, head: 'Жаңы Жетекчи' });
    const out = await svc().registerHolder(
      { ...AGENCY_STAGE_1, inn, currentAddress: { ...AGENCY_STAGE_1.currentAddress!, streetHouse: 'проспект Чуй 114' } },
      caller({ now: new Date('2026-11-24T04:00:00Z') }),
    );
    expect(out.version).to.equal(2);
    const hist = await svc().getHolderHistory({ inn });
    expect(hist.versions[1].changes).to.deep.equal([
      { path: 'holder.currentAddress.streetHouse', before: '"проспект Чуй 265а"', after: '"проспект Чуй 114"' },
      { path: 'holder.head', before: '"Кутнаева Нурия Асылбековна"', after: '"Жаңы Жетекчи"' },
    ]);
  });
});

forEachStore('holders: illegal transitions and edits', (c) => {
  let h: Harness;
  const svc = () => h.registry.service;
  const inn = AGENCY_INN;
  before(() => {
    h = makeHarness(c.store);
  });

  it('stage II before stage I: no application', async () => {
    const e = await rejection(svc().submitDataArrays(AGENCY_STAGE_2, caller()));
    expect(e.code).to.equal('NOT_FOUND');
    expect(e.text.en).to.contain('complete stage I first');
  });

  it('stage III and review on a draft: Client.InvalidState naming DRAFT', async () => {
    await svc().registerHolder(AGENCY_STAGE_1, caller());
    for (const call of [() => svc().submitPersonalDataList(AGENCY_STAGE_3, caller()), () => svc().reviewApplication({ inn, decision: 'APPROVED' }, reviewer())]) {
      const e = await rejection(call());
      expect(e.code).to.equal('INVALID_STATE');
      expect(e.faultCode).to.equal('Client.InvalidState');
      expect(e.text.ky).to.contain('DRAFT («Долбоор»)');
    }
  });

  it('a review of a registered application that was never submitted', async () => {
    await svc().submitDataArrays(AGENCY_STAGE_2, caller());
    const e = await rejection(svc().reviewApplication({ inn, decision: 'REJECTED', comment: 'x' }, reviewer()));
    expect(e.code).to.equal('INVALID_STATE');
    expect(e.text.en).to.contain('REGISTERED');
  });

  it('no edits while under review, and nothing changes', async () => {
    await svc().submitPersonalDataList(AGENCY_STAGE_3, caller());
    const before = await svc().getHolder({ inn }, caller({ client: AGENCY_CLIENT }));
    for (const call of [
      () => svc().registerHolder(AGENCY_STAGE_1, caller()),
      () => svc().submitDataArrays(AGENCY_STAGE_2, caller()),
      () => svc().submitPersonalDataList(AGENCY_STAGE_3, caller()),
    ]) {
      const e = await rejection(call());
      expect(e.code).to.equal('INVALID_STATE');
      expect(e.text.ru).to.contain('UNDER_REVIEW («На рассмотрении»)');
    }
    const after = await svc().getHolder({ inn }, caller({ client: AGENCY_CLIENT }));
    expect(after.version).to.equal(before.version);
  });

  it('a decision only once per submission', async () => {
    await svc().reviewApplication({ inn, decision: 'APPROVED' }, reviewer());
    for (const decision of ['APPROVED', 'REJECTED'] as const) {
      const e = await rejection(svc().reviewApplication({ inn, decision, comment: 'again' }, reviewer()));
      expect(e.code).to.equal('INVALID_STATE');
      expect(e.text.en).to.contain('APPROVED');
    }
  });

  it('after approval the holder may edit stages I and II (kept APPROVED) and resubmit the list for agreement', async () => {
    const s1 = await svc().registerHolder({ ...AGENCY_STAGE_1, subordination: 'Кабинет Министров Кыргызской Республики' }, caller());
    expect(s1.status).to.equal('APPROVED');
    const s2 = await svc().submitDataArrays({ ...AGENCY_STAGE_2, securityMeasures: ['ANTIVIRUS'] }, caller());
    expect(s2).to.include({ status: 'APPROVED', registrationNumber: '2-00001', newlyRegistered: false });
    const s3 = await svc().submitPersonalDataList({ ...AGENCY_STAGE_3, specialCategories: ['HEALTH'] }, caller());
    expect(s3.status).to.equal('UNDER_REVIEW');
  });

  it('drafts are not public: getHolder hides them from all but the allowed clients', async () => {
    const draft = innFor(300);
    h.minjust.add({ ...AGENCY_LEGAL_ENTITY, inn: draft });
    h.bis.allow(AGENCY_ACTOR_PIN, draft);
    await svc().registerHolder({ ...AGENCY_STAGE_1, inn: draft }, caller());
    expect((await rejection(svc().getHolder({ inn: draft }, caller({ client: OTHER_MINISTRY_CLIENT })))).code).to.equal('NOT_FOUND');
    expect((await svc().getHolder({ inn: draft }, caller({ client: AGENCY_CLIENT }))).status).to.equal('DRAFT');
    expect((await svc().listHolders({ inn: draft })).items).to.deep.equal([]);
  });
});
