import { Router, type Request, type Response } from 'express';
import { AppError } from '../errors/app-error.js';
import { innError, isInn } from '../consumers/identifiers.js';
import type { MinjustClient } from '../consumers/types.js';
import type { CallContext } from '../operations/types.js';
import type { OpenApiPaths } from './openapi.js';

export interface LegalEntitiesRouterDeps {
  minjust: MinjustClient;
  /**
   * Who is asking, for the X-Road userId and the logs. Default: `res.locals.requestId` (request
   * context middleware) and `res.locals.userId` (the PIN of the verified BIS ID token, set by the API auth).
   */
  context?: (req: Request, res: Response) => Pick<CallContext, 'userId' | 'requestId'>;
  /**
   * Whether the authenticated API client may read MoJ data (names and contacts of a head are
   * personal data). Default: everyone the API auth let in.
   */
  mayRead?: (res: Response) => boolean;
}

const defaultContext = (_req: Request, res: Response): Pick<CallContext, 'userId' | 'requestId'> => ({
  requestId: String(res.locals.requestId ?? ''),
  userId: typeof res.locals.userId === 'string' ? res.locals.userId : undefined,
});

/**
 * `GET /legal-entities/:inn` (mounted under /api/v1 behind the API auth): the MoJ data for the
 * holders registry's stage I, with where and when it came from and whether it is a stale copy
 * (CONTRACT §6, issue 4). Errors go to the app's error handler as AppError (problem JSON in the
 * caller's language).
 */
export function createLegalEntitiesRouter(deps: LegalEntitiesRouterDeps): Router {
  const router = Router();
  const context = deps.context ?? defaultContext;
  router.get('/legal-entities/:inn', async (req, res) => {
    const inn = String(req.params.inn);
    if (deps.mayRead && !deps.mayRead(res)) throw new AppError('ACCESS_DENIED');
    if (!isInn(inn)) throw new AppError('VALIDATION_FAILED', { fields: [innError('inn')] });
    const r = await deps.minjust.getSubjectByTin(inn, context(req, res));
    // Names and contacts of a head are personal data: no shared caches.
    res.set('Cache-Control', 'no-store');
    res.json({ data: r.data, source: r.source, fetchedAt: r.fetchedAt, stale: r.stale, ageSeconds: r.ageSeconds ?? 0 });
  });
  return router;
}

const ADDRESS_SCHEMA = {
  type: 'object',
  properties: Object.fromEntries(['region', 'district', 'city', 'village', 'microdistrict', 'street', 'house', 'room'].map((k) => [k, { type: 'string' }])),
};

/** The route in OpenAPI terms, for `createApiRouter({ routes: [{ router, openApiPaths }] })`. */
export const LEGAL_ENTITIES_OPENAPI: OpenApiPaths = {
  '/legal-entities/{inn}': {
    get: {
      operationId: 'getLegalEntity',
      summary: 'Legal entity data from the Ministry of Justice, for stage I of the holders registry',
      description:
        'Юстиция министрлигинин юридикалык жак боюнча маалыматтары / Сведения Министерства юстиции о юридическом лице / Ministry of Justice data on a legal entity. ' +
        'Fields MoJ did not give are absent and listed in `missingFields` (to be filled by hand). When MoJ cannot answer, a cached copy is served with `stale: true` and its age.',
      tags: ['legal-entities'],
      parameters: [
        { name: 'inn', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]{14}$' }, description: 'INN (TIN) of the organisation, 14 digits.' },
        { name: 'Accept-Language', in: 'header', required: false, schema: { type: 'string' }, description: 'ky, ru or en: the language of `message` in errors.' },
      ],
      responses: {
        '200': {
          description: 'The mapped MoJ data with its provenance.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['data', 'source', 'fetchedAt', 'stale', 'ageSeconds'],
                properties: {
                  data: {
                    type: 'object',
                    required: ['inn', 'legalAddress', 'missingFields'],
                    properties: {
                      inn: { type: 'string' },
                      name: { type: 'string', description: 'Full name in the state language (MoJ fullNameGl).' },
                      nameOfficial: { type: 'string', description: 'Full name in the official language (MoJ fullNameOl).' },
                      okpo: { type: 'string' },
                      registrationCode: { type: 'string' },
                      legalAddress: ADDRESS_SCHEMA,
                      head: { type: 'string' },
                      email: { type: 'string' },
                      phone: { type: 'string' },
                      ownershipForm: { type: 'string' },
                      subordination: { type: 'string' },
                      description: { type: 'string' },
                      missingFields: { type: 'array', items: { type: 'string' }, description: 'Stage-I fields MoJ did not give, e.g. "head", "legalAddress.street".' },
                    },
                  },
                  source: { type: 'string', description: 'The X-Road service the data came from.' },
                  fetchedAt: { type: 'string', format: 'date-time' },
                  stale: { type: 'boolean', description: 'True when MoJ could not answer and an older copy is shown.' },
                  ageSeconds: { type: 'integer', minimum: 0 },
                },
              },
            },
          },
        },
        default: { description: 'An error (problem document): ACCESS_DENIED (the client may not file holder applications), VALIDATION_FAILED, NOT_FOUND, UPSTREAM_UNAVAILABLE, …', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    },
  },
};
