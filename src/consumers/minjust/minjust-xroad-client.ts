import { AppError } from '../../errors/app-error.js';
import type { Logger } from '../../log/logger.js';
import type { CallContext } from '../../operations/types.js';
import type { XmlElement } from '../../xroad/xml/types.js';
import { wrapperXml, readFlatFields } from '../body-xml.js';
import type { XRoadCaller } from '../xroad-caller.js';
import type { LegalEntity, MinjustClient, Sourced } from '../types.js';
import { UpstreamError, upstreamAppError } from '../upstream-error.js';
import { innError, isInn } from '../identifiers.js';
import type { MinjustCache } from './minjust-cache.js';
import { isEmptySubject, mapSubject, MINJUST_FIELDS, MINJUST_NS, MINJUST_REQUEST, MINJUST_RESPONSE, MINJUST_SERVICE_CODE, type MinjustFields } from './minjust-mapping.js';

export interface MinjustClientDeps {
  xroad: XRoadCaller;
  cache: MinjustCache;
  /** Fresh for this long; older copies are served only when MoJ cannot answer. */
  cacheTtlSeconds: number;
  logger: Logger;
  /** Clock for cache freshness and ages. */
  now: () => Date;
}

/**
 * MoJ `getSubjectByTin` through the security server, with the cache of issue 4: a fresh copy is
 * served without a call; otherwise MoJ is asked, and when it cannot answer (down, timing out, breaker
 * open) a stale copy is served marked `stale` with its age. Only verified, well-formed answers are
 * cached; a wrongly signed, malformed or mismatched answer is an error and leaves the cache alone.
 */
export class MinjustXRoadClient implements MinjustClient {
  constructor(private readonly deps: MinjustClientDeps) {}

  async getSubjectByTin(inn: string, ctx?: Pick<CallContext, 'userId' | 'requestId'>): Promise<Sourced<LegalEntity>> {
    if (!isInn(inn)) throw new AppError('VALIDATION_FAILED', { fields: [innError('inn')] });
    const { cache, logger } = this.deps;
    const cached = await cache.get(inn).catch((e: unknown) => {
      // A store hiccup must not stop a live lookup.
      logger.warn('MoJ cache read failed', { err: (e as Error).message, requestId: ctx?.requestId });
      return undefined;
    });
    const nowMs = this.deps.now().getTime();
    if (cached && nowMs - cached.fetchedAtMs < this.deps.cacheTtlSeconds * 1000) {
      return { data: cached.entity, source: cached.source, fetchedAt: new Date(cached.fetchedAtMs).toISOString(), stale: false, ageSeconds: ageOf(cached.fetchedAtMs, nowMs) };
    }
    let reply;
    try {
      reply = await this.deps.xroad.call({
        serviceCode: MINJUST_SERVICE_CODE,
        bodyXml: wrapperXml(MINJUST_NS, MINJUST_REQUEST, [['tin', inn]]),
        decode: (wrapper) => decodeSubject(inn, wrapper),
        userId: ctx?.userId,
        requestId: ctx?.requestId,
        subjects: [{ kind: 'inn', value: inn }],
        idempotent: true,
      });
    } catch (e) {
      if (cached && e instanceof UpstreamError && e.unavailable) {
        logger.warn('MoJ unavailable: serving the cached copy marked stale', { kind: e.kind, requestId: ctx?.requestId });
        return { data: cached.entity, source: cached.source, fetchedAt: new Date(cached.fetchedAtMs).toISOString(), stale: true, ageSeconds: ageOf(cached.fetchedAtMs, nowMs) };
      }
      throw upstreamAppError(e);
    }
    if (reply.value === undefined) throw new AppError('NOT_FOUND', { detail: NOT_FOUND_DETAIL });
    const fetchedAtMs = this.deps.now().getTime();
    const source = this.deps.xroad.serviceId(MINJUST_SERVICE_CODE);
    await cache.put(inn, { entity: reply.value, source, fetchedAtMs, messageId: reply.messageId }).catch((e: unknown) => {
      logger.warn('MoJ cache write failed', { err: (e as Error).message, requestId: ctx?.requestId });
    });
    return { data: reply.value, source, fetchedAt: new Date(fetchedAtMs).toISOString(), stale: false, ageSeconds: 0 };
  }
}

const NOT_FOUND_DETAIL = {
  ky: 'Юстиция министрлигинин маалымат базасында бул ИНН менен юридикалык жак жок.',
  ru: 'В базе данных Министерства юстиции нет юридического лица с этим ИНН.',
  en: 'The Ministry of Justice database has no legal entity with this INN.',
};

function ageOf(fetchedAtMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - fetchedAtMs) / 1000));
}

/**
 * The response wrapper → a mapped entity, or undefined when MoJ knows nothing of the INN (an empty
 * wrapper). A wrapper of another name or an answer about another INN is malformed.
 */
export function decodeSubject(inn: string, wrapper: XmlElement): LegalEntity | undefined {
  if (wrapper.local !== MINJUST_RESPONSE || wrapper.ns !== MINJUST_NS) {
    throw new UpstreamError('malformed', 'minjust', `expected ${MINJUST_RESPONSE} in ${MINJUST_NS}, got ${wrapper.local}`);
  }
  let fields: MinjustFields;
  try {
    fields = readFlatFields(wrapper, MINJUST_NS, MINJUST_FIELDS);
  } catch (e) {
    throw new UpstreamError('malformed', 'minjust', (e as Error).message, { cause: e });
  }
  if (isEmptySubject(fields)) return undefined;
  if (fields.tin !== undefined && fields.tin !== inn) throw new UpstreamError('malformed', 'minjust', 'the answer is about another INN');
  return mapSubject(inn, fields);
}
