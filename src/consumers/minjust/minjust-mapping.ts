import type { LegalEntity } from '../types.js';

/** Body namespace of the Ministry of Justice service (CONTRACT §1). */
export const MINJUST_NS = 'http://tunduk.gov.kg';
export const MINJUST_SERVICE_CODE = 'getSubjectByTin';
export const MINJUST_REQUEST = 'getSubjectByTinRequest';
export const MINJUST_RESPONSE = 'getSubjectByTinResponse';

/** Response fields as Tunduk publishes them (CONTRACT §1); `vilage` is spelled so by the provider. */
export const MINJUST_FIELDS = [
  'fullNameGl',
  'fullNameOl',
  'registrCode',
  'statSubCode',
  'tin',
  'region',
  'district',
  'city',
  'vilage',
  'microdistrict',
  'street',
  'house',
  'room',
  'phones',
  'email1',
  'chief',
  'description',
] as const;

export type MinjustField = (typeof MINJUST_FIELDS)[number];
export type MinjustFields = Partial<Record<MinjustField, string>>;

/**
 * Stage-I fields of the holders registry (seed 000 §3.1) that MoJ may or may not fill, with the test
 * for "given". Ownership form and subordination are not among the fields MoJ publishes, so they are
 * always left to the user.
 */
const STAGE_ONE: Array<[string, (e: LegalEntity) => unknown]> = [
  ['name', (e) => e.name ?? e.nameOfficial],
  ['legalAddress.region', (e) => e.legalAddress.region],
  ['legalAddress.district', (e) => e.legalAddress.district],
  // "city/village*" is one field of the form: either fills it.
  ['legalAddress.city', (e) => e.legalAddress.city ?? e.legalAddress.village],
  ['legalAddress.street', (e) => e.legalAddress.street],
  ['legalAddress.house', (e) => e.legalAddress.house],
  ['ownershipForm', (e) => e.ownershipForm],
  ['subordination', (e) => e.subordination],
  ['head', (e) => e.head],
  ['okpo', (e) => e.okpo],
  ['email', (e) => e.email],
  ['phone', (e) => e.phone],
];

/** True when MoJ said nothing about the INN (an empty response wrapper). */
export function isEmptySubject(fields: MinjustFields): boolean {
  return Object.keys(fields).length === 0;
}

/**
 * Maps MoJ fields to the holder's stage-I data. Only what MoJ sent is copied; nothing is derived
 * or guessed, and every stage-I field left empty is listed in `missingFields` (to be filled by hand).
 * The caller has checked that `fields.tin`, when present, is the INN asked for.
 */
export function mapSubject(inn: string, fields: MinjustFields): LegalEntity {
  const entity: LegalEntity = {
    inn,
    name: fields.fullNameGl,
    nameOfficial: fields.fullNameOl,
    okpo: fields.statSubCode,
    registrationCode: fields.registrCode,
    legalAddress: {
      region: fields.region,
      district: fields.district,
      city: fields.city,
      village: fields.vilage,
      microdistrict: fields.microdistrict,
      street: fields.street,
      house: fields.house,
      room: fields.room,
    },
    head: fields.chief,
    email: fields.email1,
    phone: fields.phones,
    description: fields.description,
    missingFields: [],
  };
  dropUndefined(entity as unknown as Record<string, unknown>);
  dropUndefined(entity.legalAddress);
  entity.missingFields = STAGE_ONE.filter(([, given]) => given(entity) === undefined).map(([path]) => path);
  return entity;
}

function dropUndefined(o: Record<string, unknown>): void {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
}
