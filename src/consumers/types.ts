import type { CallContext } from '../operations/types.js';

/** Legal-entity data from the Ministry of Justice, mapped to the holders registry's stage-I fields. */
export interface LegalEntity {
  inn: string;
  /** Full name in the state language, Kyrgyz (MoJ fullNameGl). */
  name?: string;
  /** Full name in the official language, Russian (MoJ fullNameOl). Either name fills the holder's name. */
  nameOfficial?: string;
  /** MoJ statSubCode. */
  okpo?: string;
  /** MoJ registrCode. */
  registrationCode?: string;
  legalAddress: {
    region?: string;
    district?: string;
    city?: string;
    village?: string;
    microdistrict?: string;
    street?: string;
    house?: string;
    room?: string;
  };
  head?: string;
  email?: string;
  phone?: string;
  ownershipForm?: string;
  subordination?: string;
  description?: string;
  /** Stage-I fields MoJ did not give: the user fills them by hand. */
  missingFields: string[];
}

export interface Sourced<T> {
  data: T;
  source: string;
  fetchedAt: string;
  stale: boolean;
  /** Age in seconds when stale. */
  ageSeconds?: number;
}

export interface MinjustClient {
  /** Throws AppError NOT_FOUND when MoJ does not know the INN; UPSTREAM_UNAVAILABLE when down and nothing cached. */
  getSubjectByTin(inn: string, ctx?: Pick<CallContext, 'userId' | 'requestId'>): Promise<Sourced<LegalEntity>>;
}

export interface BisPerson {
  pin: string;
  surname: string;
  name: string;
  patronymic?: string;
  email?: string;
  phone?: string;
}

export interface BisCertificate {
  serial: string;
  ownerKind: 'person' | 'organisation';
  organisationName?: string;
  organisationInn?: string;
  validUntil: string;
  revoked: boolean;
  suspended: boolean;
}

export interface BisClient {
  getPersonByPin(pin: string, ctx?: Pick<CallContext, 'userId' | 'requestId'>): Promise<BisPerson>;
  getSignatureCertificates(pin: string, ctx?: Pick<CallContext, 'userId' | 'requestId'>): Promise<BisCertificate[]>;
  /** Live check, never cached: a valid, unrevoked, unsuspended, unexpired organisation certificate of that INN. */
  mayActFor(pin: string, inn: string, ctx?: Pick<CallContext, 'userId' | 'requestId'>): Promise<{ allowed: boolean; reason?: 'NO_CERTIFICATE' | 'EXPIRED' | 'REVOKED' | 'SUSPENDED' | 'OTHER_ORGANISATION' }>;
}
