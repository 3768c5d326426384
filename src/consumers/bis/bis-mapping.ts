import type { XmlElement } from '../../xroad/xml/types.js';
import { fieldElements, readFlatFields } from '../body-xml.js';
import { isInn } from '../identifiers.js';
import type { BisCertificate, BisClient, BisPerson } from '../types.js';
import { UpstreamError } from '../upstream-error.js';

/** Body namespace of the BIS services (wsdl/consumed/bis-service.wsdl). */
export const BIS_NS = 'http://tunduk.gov.kg';

export const BIS_OPS = {
  person: { serviceCode: 'getPersonByPin', request: 'getPersonByPinRequest', response: 'getPersonByPinResponse' },
  certificates: { serviceCode: 'getSignatureCertificates', request: 'getSignatureCertificatesRequest', response: 'getSignatureCertificatesResponse' },
} as const;

const PERSON_FIELDS = ['pin', 'surname', 'name', 'patronymic', 'email', 'phone'] as const;
const CERT_FIELDS = ['serial', 'ownerKind', 'organisationName', 'organisationInn', 'validUntil', 'revoked', 'suspended'] as const;

const malformed = (message: string, cause?: unknown): UpstreamError => new UpstreamError('malformed', 'bis', message, { cause });

function expectWrapper(wrapper: XmlElement, local: string): void {
  if (wrapper.local !== local || wrapper.ns !== BIS_NS) throw malformed(`expected ${local} in ${BIS_NS}, got ${wrapper.local}`);
}

function flat<K extends string>(el: XmlElement, known: readonly K[]): Partial<Record<K, string>> {
  try {
    return readFlatFields(el, BIS_NS, known);
  } catch (e) {
    throw malformed((e as Error).message, e);
  }
}

/** getPersonByPinResponse → the person, or undefined when BIS does not know the PIN (an empty wrapper). */
export function decodePerson(pin: string, wrapper: XmlElement): BisPerson | undefined {
  expectWrapper(wrapper, BIS_OPS.person.response);
  const f = flat(wrapper, PERSON_FIELDS);
  if (Object.keys(f).length === 0) return undefined;
  if (f.pin !== pin) throw malformed('the answer is about another person');
  if (!f.surname || !f.name) throw malformed('surname and name are required');
  const person: BisPerson = { pin, surname: f.surname, name: f.name };
  if (f.patronymic) person.patronymic = f.patronymic;
  if (f.email) person.email = f.email;
  if (f.phone) person.phone = f.phone;
  return person;
}

function xsBoolean(value: string | undefined, field: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw malformed(`${field} is not an xs:boolean`);
}

/** getSignatureCertificatesResponse → every certificate of the person (none when BIS knows none). */
export function decodeCertificates(wrapper: XmlElement): BisCertificate[] {
  expectWrapper(wrapper, BIS_OPS.certificates.response);
  return fieldElements(wrapper, BIS_NS, 'certificate').map((el) => {
    const f = flat(el, CERT_FIELDS);
    if (!f.serial) throw malformed('certificate without serial');
    if (f.ownerKind !== 'person' && f.ownerKind !== 'organisation') throw malformed('ownerKind is neither person nor organisation');
    if (!f.validUntil || Number.isNaN(validUntilMs(f.validUntil))) throw malformed('validUntil is not an xs:date or xs:dateTime');
    if (f.ownerKind === 'organisation' && !(f.organisationInn && isInn(f.organisationInn))) throw malformed('organisation certificate without a 14-digit INN');
    const cert: BisCertificate = {
      serial: f.serial,
      ownerKind: f.ownerKind,
      validUntil: f.validUntil,
      revoked: xsBoolean(f.revoked, 'revoked'),
      suspended: xsBoolean(f.suspended, 'suspended'),
    };
    if (f.organisationName) cert.organisationName = f.organisationName;
    if (f.organisationInn) cert.organisationInn = f.organisationInn;
    return cert;
  });
}

/**
 * End of validity in epoch ms. An xs:dateTime without offset is read as Bishkek time; a bare xs:date
 * means valid through the end of that day in Bishkek (UTC+6, no daylight saving), as BIS shows it.
 */
export function validUntilMs(value: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T23:59:59.999+06:00`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)) return Date.parse(`${value}+06:00`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return Date.parse(value);
  return Number.NaN;
}

export type AuthorityDecision = Awaited<ReturnType<BisClient['mayActFor']>>;

/**
 * May the holder of these certificates act for `inn` at `now`? Only a valid (not expired), unrevoked,
 * unsuspended organisation certificate of exactly that INN says yes. A refusal names the most telling
 * reason among that INN's certificates: revoked, then suspended, then expired.
 */
export function decideAuthority(certs: BisCertificate[], inn: string, now: Date): AuthorityDecision {
  const org = certs.filter((c) => c.ownerKind === 'organisation');
  const forInn = org.filter((c) => c.organisationInn === inn);
  const t = now.getTime();
  if (forInn.some((c) => !c.revoked && !c.suspended && validUntilMs(c.validUntil) >= t)) return { allowed: true };
  if (forInn.length === 0) return { allowed: false, reason: org.length > 0 ? 'OTHER_ORGANISATION' : 'NO_CERTIFICATE' };
  if (forInn.some((c) => c.revoked)) return { allowed: false, reason: 'REVOKED' };
  if (forInn.some((c) => c.suspended)) return { allowed: false, reason: 'SUSPENDED' };
  return { allowed: false, reason: 'EXPIRED' };
}
