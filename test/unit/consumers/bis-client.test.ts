import { expect } from 'chai';
import type { AppError } from '../../../src/errors/app-error.js';
import { BisXRoadClient } from '../../../src/consumers/bis/bis-xroad-client.js';
import { BIS_NS, decideAuthority, validUntilMs } from '../../../src/consumers/bis/bis-mapping.js';
import { UpstreamError } from '../../../src/consumers/upstream-error.js';
import { isInn, isPin } from '../../../src/consumers/identifiers.js';
import type { BisCertificate } from '../../../src/consumers/types.js';
import { FakeCaller, rejection } from './helpers.js';

const PIN = '21503199000017';
const INN = '01001202210023';
const NOW = new Date('2026-03-02T08:00:00Z');

const cert = (c: string): string => `<b:certificate>${c}</b:certificate>`;
const certsXml = (...certs: string[]): string => `<b:getSignatureCertificatesResponse xmlns:b="${BIS_NS}">${certs.join('')}</b:getSignatureCertificatesResponse>`;
const org = (inn: string, validUntil: string, revoked = false, suspended = false, serial = '01AB'): string =>
  cert(
    `<b:serial>${serial}</b:serial><b:ownerKind>organisation</b:ownerKind><b:organisationName>Org ${inn}</b:organisationName>` +
      `<b:organisationInn>${inn}</b:organisationInn><b:validUntil>${validUntil}</b:validUntil><b:revoked>${revoked}</b:revoked><b:suspended>${suspended}</b:suspended>`,
  );
const personal = cert('<b:serial>02CD</b:serial><b:ownerKind>person</b:ownerKind><b:validUntil>2027-01-01T00:00:00Z</b:validUntil><b:revoked>false</b:revoked><b:suspended>false</b:suspended>');

describe('consumers/bis client', () => {
  const make = (steps: Array<string | Error>) => {
    const xroad = new FakeCaller(steps, 'central-server/GOV/70000001/bis-service');
    return { xroad, client: new BisXRoadClient({ xroad, now: () => NOW }) };
  };

  it('reads a person by PIN, sending the PIN in the BIS namespace and naming it as the subject', async () => {
    const { client, xroad } = make([
      `<b:getPersonByPinResponse xmlns:b="${BIS_NS}"><b:pin>${PIN}</b:pin><b:surname>Асанов</b:surname><b:name>Бакыт</b:name><b:patronymic>Маратович</b:patronymic><b:email>b.asanov@dpa.gov.kg</b:email></b:getPersonByPinResponse>`,
    ]);
    const p = await client.getPersonByPin(PIN, { userId: PIN, requestId: 'r' });
    expect(p).to.deep.equal({ pin: PIN, surname: 'Асанов', name: 'Бакыт', patronymic: 'Маратович', email: 'b.asanov@dpa.gov.kg' });
    expect(xroad.calls[0].bodyXml).to.equal(`<t:getPersonByPinRequest xmlns:t="${BIS_NS}"><t:pin>${PIN}</t:pin></t:getPersonByPinRequest>`);
    expect(xroad.calls[0]).to.deep.include({ serviceCode: 'getPersonByPin', userId: PIN, idempotent: true });
    expect(xroad.calls[0].subjects).to.deep.equal([{ kind: 'pin', value: PIN }]);
  });

  it('an unknown PIN is NOT_FOUND; an answer about another person is refused', async () => {
    const { client } = make([`<b:getPersonByPinResponse xmlns:b="${BIS_NS}"/>`, `<b:getPersonByPinResponse xmlns:b="${BIS_NS}"><b:pin>11203198500021</b:pin><b:surname>X</b:surname><b:name>Y</b:name></b:getPersonByPinResponse>`]);
    expect((await rejection<AppError>(client.getPersonByPin(PIN))).code).to.equal('NOT_FOUND');
    expect((await rejection<AppError>(client.getPersonByPin(PIN))).code).to.equal('UPSTREAM_INVALID_RESPONSE');
  });

  it('validates PIN and INN before calling', async () => {
    const { client, xroad } = make([]);
    for (const bad of ['31503199000017', '23013199000017', '2150319900001', '21502199000017x']) {
      const e = await rejection<AppError>(client.getSignatureCertificates(bad));
      expect(e.code, bad).to.equal('VALIDATION_FAILED');
      expect(e.fields[0].reason).to.equal('PIN_FORMAT');
    }
    expect((await rejection<AppError>(client.mayActFor(PIN, '123'))).fields[0].reason).to.equal('INN_FORMAT');
    expect(xroad.calls).to.have.length(0);
  });

  it('reads certificates: owner kind, organisation and INN, validity, revoked and suspended', async () => {
    const { client } = make([certsXml(personal, org(INN, '2027-04-30T23:59:59+06:00', false, true))]);
    const certs = await client.getSignatureCertificates(PIN);
    expect(certs).to.deep.equal([
      { serial: '02CD', ownerKind: 'person', validUntil: '2027-01-01T00:00:00Z', revoked: false, suspended: false },
      { serial: '01AB', ownerKind: 'organisation', organisationName: `Org ${INN}`, organisationInn: INN, validUntil: '2027-04-30T23:59:59+06:00', revoked: false, suspended: true },
    ]);
  });

  it('refuses malformed certificates', async () => {
    const bad = [
      cert('<b:ownerKind>person</b:ownerKind><b:validUntil>2027-01-01</b:validUntil><b:revoked>false</b:revoked><b:suspended>false</b:suspended>'),
      cert('<b:serial>1</b:serial><b:ownerKind>robot</b:ownerKind><b:validUntil>2027-01-01</b:validUntil><b:revoked>false</b:revoked><b:suspended>false</b:suspended>'),
      cert('<b:serial>1</b:serial><b:ownerKind>person</b:ownerKind><b:validUntil>soon</b:validUntil><b:revoked>false</b:revoked><b:suspended>false</b:suspended>'),
      cert('<b:serial>1</b:serial><b:ownerKind>person</b:ownerKind><b:validUntil>2027-01-01</b:validUntil><b:revoked>no</b:revoked><b:suspended>false</b:suspended>'),
      cert('<b:serial>1</b:serial><b:ownerKind>organisation</b:ownerKind><b:validUntil>2027-01-01</b:validUntil><b:revoked>false</b:revoked><b:suspended>false</b:suspended>'),
    ];
    for (const c of bad) {
      const { client } = make([certsXml(c)]);
      expect((await rejection<AppError>(client.getSignatureCertificates(PIN))).code, c).to.equal('UPSTREAM_INVALID_RESPONSE');
    }
  });

  describe('mayActFor', () => {
    const cases: Array<[string, string[], { allowed: boolean; reason?: string }]> = [
      ['a valid organisation certificate of that INN', [org(INN, '2027-04-30T23:59:59+06:00')], { allowed: true }],
      ['valid through the end of the given day (bare date)', [org(INN, '2026-03-02')], { allowed: true }],
      ['expired', [org(INN, '2026-03-01T23:59:59+06:00')], { allowed: false, reason: 'EXPIRED' }],
      ['revoked', [org(INN, '2027-04-30', true)], { allowed: false, reason: 'REVOKED' }],
      ['suspended', [org(INN, '2027-04-30', false, true)], { allowed: false, reason: 'SUSPENDED' }],
      ['another organisation only', [org('01511201010011', '2027-04-30')], { allowed: false, reason: 'OTHER_ORGANISATION' }],
      ['a personal certificate only', [personal], { allowed: false, reason: 'NO_CERTIFICATE' }],
      ['no certificates', [], { allowed: false, reason: 'NO_CERTIFICATE' }],
      ['one revoked and one valid of the same INN', [org(INN, '2027-04-30', true, false, 'A'), org(INN, '2027-04-30', false, false, 'B')], { allowed: true }],
      ['two organisations, the asked one valid', [org('01511201010011', '2027-04-30'), org(INN, '2027-04-30')], { allowed: true }],
    ];
    for (const [title, certs, expected] of cases) {
      it(title, async () => {
        const { client } = make([certsXml(...certs)]);
        expect(await client.mayActFor(PIN, INN)).to.deep.equal(expected);
      });
    }

    it('asks BIS every time (never cached)', async () => {
      const { client, xroad } = make([certsXml(org(INN, '2027-04-30')), certsXml(org(INN, '2027-04-30', true))]);
      expect((await client.mayActFor(PIN, INN)).allowed).to.equal(true);
      expect((await client.mayActFor(PIN, INN)).allowed).to.equal(false);
      expect(xroad.calls).to.have.length(2);
    });

    it('fails closed when BIS is down: UPSTREAM_UNAVAILABLE, never "allowed"', async () => {
      for (const kind of ['timeout', 'transport', 'open', 'http', 'busy'] as const) {
        const { client } = make([new UpstreamError(kind, 'bis', kind)]);
        expect((await rejection<AppError>(client.mayActFor(PIN, INN))).code, kind).to.equal('UPSTREAM_UNAVAILABLE');
      }
      const { client } = make([new UpstreamError('signature', 'bis', 'bad')]);
      expect((await rejection<AppError>(client.mayActFor(PIN, INN))).code).to.equal('UPSTREAM_INVALID_SIGNATURE');
    });
  });

  it('decideAuthority compares with the clock it is given', () => {
    const c: BisCertificate[] = [{ serial: '1', ownerKind: 'organisation', organisationInn: INN, validUntil: '2026-03-02T14:00:00+06:00', revoked: false, suspended: false }];
    expect(decideAuthority(c, INN, new Date('2026-03-02T07:59:59Z')).allowed).to.equal(true);
    expect(decideAuthority(c, INN, new Date('2026-03-02T08:00:01Z'))).to.deep.equal({ allowed: false, reason: 'EXPIRED' });
    expect(validUntilMs('2026-03-02T14:00:00')).to.equal(Date.parse('2026-03-02T08:00:00Z'));
  });

  it('identifier checks follow DOMAIN: INN 14 digits; PIN 1|2 + a real birth date + 5 digits', () => {
    expect(isInn(INN)).to.equal(true);
    expect(isPin('12902200000011')).to.equal(true); // 29 Feb 2000
    expect(isPin('12902190000011')).to.equal(false); // 29 Feb 1900 did not exist
    expect(isPin('03101199000011')).to.equal(false);
  });
});
