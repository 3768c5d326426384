import { AppError } from '../../errors/app-error.js';
import type { CallContext } from '../../operations/types.js';
import { wrapperXml } from '../body-xml.js';
import { innError, isInn, isPin, pinError } from '../identifiers.js';
import type { BisCertificate, BisClient, BisPerson } from '../types.js';
import { upstreamAppError } from '../upstream-error.js';
import type { XRoadCaller, XRoadCall } from '../xroad-caller.js';
import { BIS_NS, BIS_OPS, decideAuthority, decodeCertificates, decodePerson, type AuthorityDecision } from './bis-mapping.js';

type Ctx = Pick<CallContext, 'userId' | 'requestId'>;

export interface BisClientDeps {
  xroad: XRoadCaller;
  /** Clock for certificate expiry. */
  now: () => Date;
}

/**
 * BIS through the security server. Nothing here is cached: identity and authority answers are
 * always live, and when BIS cannot answer the caller gets UPSTREAM_UNAVAILABLE, never a guess
 * (issue 4: "never a stale BIS authority decision").
 */
export class BisXRoadClient implements BisClient {
  constructor(private readonly deps: BisClientDeps) {}

  async getPersonByPin(pin: string, ctx?: Ctx): Promise<BisPerson> {
    assertPin(pin);
    const person = await this.call(ctx, pin, {
      serviceCode: BIS_OPS.person.serviceCode,
      bodyXml: wrapperXml(BIS_NS, BIS_OPS.person.request, [['pin', pin]]),
      decode: (w) => decodePerson(pin, w),
    });
    if (!person) throw new AppError('NOT_FOUND', { detail: PERSON_NOT_FOUND });
    return person;
  }

  async getSignatureCertificates(pin: string, ctx?: Ctx): Promise<BisCertificate[]> {
    assertPin(pin);
    return this.call(ctx, pin, {
      serviceCode: BIS_OPS.certificates.serviceCode,
      bodyXml: wrapperXml(BIS_NS, BIS_OPS.certificates.request, [['pin', pin]]),
      decode: decodeCertificates,
    });
  }

  /** Fails closed: any error (BIS down, bad answer) is thrown, never turned into "allowed". */
  async mayActFor(pin: string, inn: string, ctx?: Ctx): Promise<AuthorityDecision> {
    if (!isInn(inn)) throw new AppError('VALIDATION_FAILED', { fields: [innError('inn')] });
    const certs = await this.getSignatureCertificates(pin, ctx);
    return decideAuthority(certs, inn, this.deps.now());
  }

  private async call<T>(ctx: Ctx | undefined, pin: string, c: Pick<XRoadCall<T>, 'serviceCode' | 'bodyXml' | 'decode'>): Promise<T> {
    try {
      const reply = await this.deps.xroad.call({ ...c, userId: ctx?.userId, requestId: ctx?.requestId, subjects: [{ kind: 'pin', value: pin }], idempotent: true });
      return reply.value;
    } catch (e) {
      throw upstreamAppError(e);
    }
  }
}

function assertPin(pin: string): void {
  if (!isPin(pin)) throw new AppError('VALIDATION_FAILED', { fields: [pinError('pin')] });
}

const PERSON_NOT_FOUND = {
  ky: 'Бирдиктүү идентификациялоо системасында бул ПИН менен адам жок.',
  ru: 'В Единой системе идентификации нет лица с этим ПИН.',
  en: 'The unified identification system has no person with this PIN.',
};
