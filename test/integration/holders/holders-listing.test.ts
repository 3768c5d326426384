import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import type { ApplicationStatus } from '../../../src/registries/holders/vocabularies.js';
import type { HolderList } from '../../../src/registries/holders/holders-schemas.js';
import { AGENCY_ACTOR_PIN, AGENCY_LEGAL_ENTITY, AGENCY_STAGE_1, AGENCY_STAGE_2, AGENCY_STAGE_3 } from '../../../fixtures/holders/agency-example.js';
import { caller, innFor, makeHarness, rejection, reviewer, type Harness } from './holders-harness.js';

interface Sample {
  n: number;
  name: string;
  /** Stage II confirmation instant (UTC). */
  registeredAt?: string;
  status: ApplicationStatus;
}

/** Registration dates are Bishkek dates: 2026-03-02T18:10Z is already 3 March there. */
const SAMPLES: Sample[] = [
  { n: 1, name: 'Учреждение "Агентство Альфа"', registeredAt: '2026-03-01T06:00:00Z', status: 'UNDER_REVIEW' },
  { n: 2, name: 'ОсОО "Бета Сервис"', registeredAt: '2026-03-02T17:30:00Z', status: 'REGISTERED' },
  { n: 3, name: 'ОАО "Гамма 100%"', registeredAt: '2026-03-02T18:10:00Z', status: 'APPROVED' },
  { n: 4, name: 'Мекеме "Өзгөчө Агенттик"', registeredAt: '2026-03-05T06:00:00Z', status: 'REJECTED' },
  { n: 5, name: 'ИП "Дельта_Плюс"', registeredAt: '2026-03-06T06:00:00Z', status: 'REGISTERED' },
  { n: 6, name: 'ОсОО "Черновик"', status: 'DRAFT' },
];

async function addHolder(h: Harness, s: Sample): Promise<void> {
  const inn = innFor(s.n);
  h.minjust.add({ ...AGENCY_LEGAL_ENTITY, inn, name: s.name });
  h.bis.allow(AGENCY_ACTOR_PIN, inn);
  const svc = h.registry.service;
  const now = new Date(s.registeredAt ?? '2026-03-01T06:00:00Z');
  await svc.registerHolder({ ...AGENCY_STAGE_1, inn }, caller({ now }));
  if (s.status === 'DRAFT') return;
  await svc.submitDataArrays({ ...AGENCY_STAGE_2, inn }, caller({ now }));
  if (s.status === 'REGISTERED') return;
  await svc.submitPersonalDataList({ ...AGENCY_STAGE_3, inn }, caller({ now }));
  if (s.status === 'APPROVED') await svc.reviewApplication({ inn, decision: 'APPROVED' }, reviewer({ now }));
  if (s.status === 'REJECTED') await svc.reviewApplication({ inn, decision: 'REJECTED', comment: 'Неполные сведения.' }, reviewer({ now }));
}

forEachStore('holders: the public list, its filters and paging', (c) => {
  let h: Harness;
  const list = (input: Record<string, unknown>): Promise<HolderList> => h.registry.service.listHolders(input as never);
  const nums = (l: HolderList): number[] => l.items.map((i) => Number(i.inn.slice(-5)));

  before(async () => {
    h = makeHarness(c.store);
    for (const s of SAMPLES) await addHolder(h, s);
  });

  it('lists registered holders only, in registration order, with the public fields', async () => {
    const l = await list({});
    expect(nums(l)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(l.items.map((i) => i.status)).to.deep.equal(['UNDER_REVIEW', 'REGISTERED', 'APPROVED', 'REJECTED', 'REGISTERED']);
    expect(l.items.map((i) => i.registrationNumber)).to.deep.equal(['2-00001', '2-00002', '2-00003', '2-00004', '2-00005']);
    expect(Object.keys(l.items[0]).sort()).to.deep.equal(['inn', 'name', 'registeredAt', 'registrationNumber', 'status', 'statusLabel']);
    expect(l.items[2].registeredAt).to.equal('2026-03-03T00:10:00+06:00');
    expect(l.nextCursor).to.equal(undefined);
  });

  it('pages with a cursor', async () => {
    const p1 = await list({ limit: 2 });
    expect(nums(p1)).to.deep.equal([1, 2]);
    const p2 = await list({ limit: 2, cursor: p1.nextCursor });
    expect(nums(p2)).to.deep.equal([3, 4]);
    const p3 = await list({ limit: '2', cursor: p2.nextCursor });
    expect(nums(p3)).to.deep.equal([5]);
    expect(p3.nextCursor).to.equal(undefined);
  });

  it('filters by a case-insensitive name substring, Cyrillic and Kyrgyz letters included', async () => {
    expect(nums(await list({ name: 'АГЕНТ' }))).to.deep.equal([1, 4]);
    expect(nums(await list({ name: 'өзгөчө' }))).to.deep.equal([4]);
    expect(nums(await list({ name: 'бета сервис' }))).to.deep.equal([2]);
  });

  it('treats % and _ in the name filter as plain characters', async () => {
    expect(nums(await list({ name: '%' }))).to.deep.equal([3]);
    expect(nums(await list({ name: '_' }))).to.deep.equal([5]);
    expect(nums(await list({ name: '0%' }))).to.deep.equal([3]);
  });

  it('filters by INN and by status', async () => {
    expect(nums(await list({ inn: innFor(4) }))).to.deep.equal([4]);
    expect(nums(await list({ inn: innFor(6) }))).to.deep.equal([]);
    expect(nums(await list({ status: 'REGISTERED' }))).to.deep.equal([2, 5]);
    expect(nums(await list({ status: 'DRAFT' }))).to.deep.equal([]);
  });

  it('filters by registration date range in Bishkek dates, inclusive', async () => {
    expect(nums(await list({ registeredFrom: '2026-03-02', registeredTo: '2026-03-02' }))).to.deep.equal([2]);
    expect(nums(await list({ registeredFrom: '2026-03-03' }))).to.deep.equal([3, 4, 5]);
    expect(nums(await list({ registeredTo: '2026-03-01' }))).to.deep.equal([1]);
  });

  it('pages through a filtered list', async () => {
    const p1 = await list({ status: 'REGISTERED', limit: 1 });
    expect(nums(p1)).to.deep.equal([2]);
    const p2 = await list({ status: 'REGISTERED', limit: 1, cursor: p1.nextCursor });
    expect(nums(p2)).to.deep.equal([5]);
    expect(p2.nextCursor).to.equal(undefined);
  });

  it('refuses a cursor it did not issue', async () => {
    for (const cursor of ['garbage', Buffer.from('v2:3').toString('base64url'), 'a b']) {
      const e = await rejection(list({ cursor }));
      expect(e.code).to.equal('VALIDATION_FAILED');
      expect(e.fields[0]).to.include({ field: 'cursor', reason: 'pattern' });
    }
  });

  it('stays stable while new holders register between pages', async () => {
    const p1 = await list({ limit: 3 });
    await addHolder(h, { n: 7, name: 'ОсОО "Жаңы"', registeredAt: '2026-03-07T06:00:00Z', status: 'REGISTERED' });
    const p2 = await list({ limit: 3, cursor: p1.nextCursor });
    expect([...nums(p1), ...nums(p2)]).to.deep.equal([1, 2, 3, 4, 5, 7]);
    expect(p2.nextCursor).to.equal(undefined);
  });
});
