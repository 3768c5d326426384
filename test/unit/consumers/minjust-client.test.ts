import { expect } from 'chai';
import { AppError } from '../../../src/errors/app-error.js';
import { silentLogger } from '../../../src/log/logger.js';
import { parseXml } from '../../../src/xroad/xml/parser.js';
import { MemoryMinjustCache } from '../../../src/consumers/minjust/minjust-cache.js';
import { decodeSubject, MinjustXRoadClient } from '../../../src/consumers/minjust/minjust-xroad-client.js';
import { mapSubject, MINJUST_NS } from '../../../src/consumers/minjust/minjust-mapping.js';
import { UpstreamError } from '../../../src/consumers/upstream-error.js';
import { FakeCaller, rejection as rejected } from './helpers.js';

const INN = '01001202210023';

const AGENCY_XML = `<m:getSubjectByTinResponse xmlns:m="${MINJUST_NS}">
  <m:fullNameGl>Мекеме "Министрлер Кабинетине караштуу Персоналдык маалыматтарды коргоо боюнча мамлекеттик агенттик"</m:fullNameGl>
  <m:fullNameOl>Учреждение "Государственное агентство по защите персональных данных при Кабинете Министров Кыргызской Республики"</m:fullNameOl>
  <m:registrCode>123456-3301-У-е</m:registrCode>
  <m:statSubCode>31296230</m:statSubCode>
  <m:tin>${INN}</m:tin>
  <m:region>г. Бишкек</m:region>
  <m:district>Октябрьский район</m:district>
  <m:city>Бишкек</m:city>
  <m:vilage/>
  <m:street>ул. Токтоналиева</m:street>
  <m:house>96</m:house>
  <m:phones>0771557772</m:phones>
  <m:email1>info@dpa.gov.kg</m:email1>
  <m:chief>Кутнаева Нурия Асылбековна</m:chief>
  <m:unknownFutureField>ignored</m:unknownFutureField>
</m:getSubjectByTinResponse>`;

const rejection = (p: Promise<unknown>): Promise<AppError> => rejected<AppError>(p);

describe('consumers/minjust client', () => {
  let clock: Date;
  const make = (steps: Array<string | Error>, cache = new MemoryMinjustCache()) => {
    const xroad = new FakeCaller(steps);
    const client = new MinjustXRoadClient({ xroad, cache, cacheTtlSeconds: 3600, logger: silentLogger(), now: () => clock });
    return { xroad, client, cache };
  };
  beforeEach(() => {
    clock = new Date('2026-03-02T08:00:00Z');
  });

  it('maps the Tunduk fields to stage-I data and lists what MoJ did not give', async () => {
    const { client, xroad } = make([AGENCY_XML]);
    const r = await client.getSubjectByTin(INN, { userId: '21503199000017', requestId: 'r1' });
    expect(r.stale).to.equal(false);
    expect(r.source).to.equal('central-server/GOV/70000024/minjust-service/getSubjectByTin');
    expect(r.fetchedAt).to.equal('2026-03-02T08:00:00.000Z');
    expect(r.data).to.deep.include({
      inn: INN,
      nameOfficial: 'Учреждение "Государственное агентство по защите персональных данных при Кабинете Министров Кыргызской Республики"',
      okpo: '31296230',
      registrationCode: '123456-3301-У-е',
      head: 'Кутнаева Нурия Асылбековна',
      email: 'info@dpa.gov.kg',
      phone: '0771557772',
    });
    expect(r.data.legalAddress).to.deep.equal({ region: 'г. Бишкек', district: 'Октябрьский район', city: 'Бишкек', street: 'ул. Токтоналиева', house: '96' });
    expect(r.data.missingFields).to.deep.equal(['ownershipForm', 'subordination']);
    // The request: the TIN in the MoJ namespace, the user's PIN passed on, the INN as the exchange's subject.
    expect(xroad.calls[0].bodyXml).to.equal(`<t:getSubjectByTinRequest xmlns:t="http://tunduk.gov.kg"><t:tin>${INN}</t:tin></t:getSubjectByTinRequest>`);
    expect(xroad.calls[0]).to.deep.include({ serviceCode: 'getSubjectByTin', userId: '21503199000017', requestId: 'r1', idempotent: true });
    expect(xroad.calls[0].subjects).to.deep.equal([{ kind: 'inn', value: INN }]);
  });

  it('never invents: missing fields stay absent and are listed', () => {
    const e = mapSubject(INN, { fullNameOl: 'ОсОО "Пример"', vilage: 'с. Кок-Жар', statSubCode: '12345678' });
    expect(e.name).to.equal(undefined);
    expect(e.legalAddress).to.deep.equal({ village: 'с. Кок-Жар' });
    expect(e.missingFields).to.deep.equal([
      'legalAddress.region',
      'legalAddress.district',
      'legalAddress.street',
      'legalAddress.house',
      'ownershipForm',
      'subordination',
      'head',
      'email',
      'phone',
    ]);
    expect(Object.keys(e)).to.not.include.members(['head', 'email', 'phone']);
  });

  it('accepts unqualified fields; refuses a repeated field, another INN, or another wrapper', () => {
    const unq = parseXml(`<m:getSubjectByTinResponse xmlns:m="${MINJUST_NS}"><tin>${INN}</tin><fullNameOl>X</fullNameOl></m:getSubjectByTinResponse>`);
    expect(decodeSubject(INN, unq)?.nameOfficial).to.equal('X');
    const bad = [
      `<m:getSubjectByTinResponse xmlns:m="${MINJUST_NS}"><m:tin>${INN}</m:tin><m:chief>A</m:chief><m:chief>B</m:chief></m:getSubjectByTinResponse>`,
      `<m:getSubjectByTinResponse xmlns:m="${MINJUST_NS}"><m:tin>01001202210029</m:tin></m:getSubjectByTinResponse>`,
      `<m:getSubjectByTinResponse xmlns:m="urn:other"><m:tin>${INN}</m:tin></m:getSubjectByTinResponse>`,
      `<m:somethingElse xmlns:m="${MINJUST_NS}"/>`,
      `<m:getSubjectByTinResponse xmlns:m="${MINJUST_NS}"><m:chief><b>nested</b></m:chief></m:getSubjectByTinResponse>`,
    ];
    for (const xml of bad) {
      expect(() => decodeSubject(INN, parseXml(xml)), xml).to.throw(UpstreamError).with.property('kind', 'malformed');
    }
  });

  it('an empty answer means MoJ does not know the INN: NOT_FOUND, nothing cached', async () => {
    const { client, cache } = make([`<m:getSubjectByTinResponse xmlns:m="${MINJUST_NS}"/>`]);
    const e = await rejection(client.getSubjectByTin('01001202210099'));
    expect(e).to.be.instanceOf(AppError);
    expect(e.code).to.equal('NOT_FOUND');
    expect(cache.rows.size).to.equal(0);
  });

  it('refuses a malformed INN before any call, with a field error in three languages', async () => {
    const { client, xroad } = make([]);
    for (const bad of ['0100120221002', '0100120221002a', '', ' 01001202210023']) {
      const e = await rejection(client.getSubjectByTin(bad));
      expect(e.code).to.equal('VALIDATION_FAILED');
      expect(e.fields[0]).to.deep.include({ field: 'inn', reason: 'INN_FORMAT' });
      expect(e.fields[0].message.ky).to.be.a('string').and.not.empty;
    }
    expect(xroad.calls).to.have.length(0);
  });

  it('serves a fresh cached copy without calling MoJ, then asks again after the TTL', async () => {
    const { client, xroad } = make([AGENCY_XML, AGENCY_XML]);
    await client.getSubjectByTin(INN);
    clock = new Date(clock.getTime() + 1800_000);
    const cached = await client.getSubjectByTin(INN);
    expect(xroad.calls).to.have.length(1);
    expect(cached).to.deep.include({ stale: false, ageSeconds: 1800, fetchedAt: '2026-03-02T08:00:00.000Z' });
    clock = new Date(clock.getTime() + 1800_000);
    const refreshed = await client.getSubjectByTin(INN);
    expect(xroad.calls).to.have.length(2);
    expect(refreshed).to.deep.include({ stale: false, ageSeconds: 0, fetchedAt: '2026-03-02T09:00:00.000Z' });
  });

  it('when MoJ cannot answer, serves the old copy marked stale with its age', async () => {
    for (const kind of ['timeout', 'transport', 'http', 'open', 'busy'] as const) {
      const { client } = make([AGENCY_XML, new UpstreamError(kind, 'minjust', kind)]);
      clock = new Date('2026-03-02T08:00:00Z');
      await client.getSubjectByTin(INN);
      clock = new Date(clock.getTime() + 2 * 86_400_000);
      const r = await client.getSubjectByTin(INN);
      expect(r, kind).to.deep.include({ stale: true, ageSeconds: 172_800, fetchedAt: '2026-03-02T08:00:00.000Z' });
      expect(r.data.okpo).to.equal('31296230');
    }
  });

  it('with nothing cached, MoJ down is UPSTREAM_UNAVAILABLE', async () => {
    const { client } = make([new UpstreamError('timeout', 'minjust', 'no answer')]);
    expect((await rejection(client.getSubjectByTin(INN))).code).to.equal('UPSTREAM_UNAVAILABLE');
  });

  it('a bad signature, a malformed answer or an echo mismatch is an error even with a cached copy, and the cache is kept as it was', async () => {
    const cases: Array<[UpstreamError, string]> = [
      [new UpstreamError('signature', 'minjust', 'bad'), 'UPSTREAM_INVALID_SIGNATURE'],
      [new UpstreamError('malformed', 'minjust', 'bad'), 'UPSTREAM_INVALID_RESPONSE'],
      [new UpstreamError('echo', 'minjust', 'bad'), 'UPSTREAM_INVALID_RESPONSE'],
    ];
    for (const [err, code] of cases) {
      const { client, cache } = make([AGENCY_XML, err]);
      clock = new Date('2026-03-02T08:00:00Z');
      await client.getSubjectByTin(INN);
      const before = structuredClone(cache.rows.get(INN));
      clock = new Date(clock.getTime() + 2 * 86_400_000);
      expect((await rejection(client.getSubjectByTin(INN))).code).to.equal(code);
      expect(cache.rows.get(INN)).to.deep.equal(before);
    }
  });

  it('a provider fault maps to a typed error: Client.NotFound → NOT_FOUND, others → UPSTREAM_FAULT', async () => {
    const nf = make([new UpstreamError('fault', 'minjust', 'x', { faultCode: 'Client.NotFound' })]);
    expect((await rejection(nf.client.getSubjectByTin(INN))).code).to.equal('NOT_FOUND');
    const other = make([new UpstreamError('fault', 'minjust', 'x', { faultCode: 'Client.BadRequest' })]);
    expect((await rejection(other.client.getSubjectByTin(INN))).code).to.equal('UPSTREAM_FAULT');
  });

  it('a store failure does not stop a live lookup', async () => {
    const broken = new MemoryMinjustCache();
    broken.get = async () => {
      throw new Error('store down');
    };
    broken.put = async () => {
      throw new Error('store down');
    };
    const { client } = make([AGENCY_XML], broken);
    expect((await client.getSubjectByTin(INN)).data.okpo).to.equal('31296230');
  });
});
