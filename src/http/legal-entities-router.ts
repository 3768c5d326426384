import { Router, type Request, type Response } from 'express';
import { AppError } from '../errors/app-error.js';
import { innError, isInn } from '../consumers/identifiers.js';
import type { MinjustClient } from '../consumers/types.js';
import type { CallContext } from '../operations/types.js';

export interface LegalEntitiesRouterDeps {
  minjust: MinjustClient;
  /**
   * Who is asking, for the X-Road userId and the logs. Default: `res.locals.requestId` (request
   * context middleware) and `res.locals.userId` (the PIN of the verified BIS ID token, set by the API auth).
   */
  context?: (req: Request, res: Response) => Pick<CallContext, 'userId' | 'requestId'>;
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
    if (!isInn(inn)) throw new AppError('VALIDATION_FAILED', { fields: [innError('inn')] });
    const r = await deps.minjust.getSubjectByTin(inn, context(req, res));
    // Names and contacts of a head are personal data: no shared caches.
    res.set('Cache-Control', 'no-store');
    res.json({ data: r.data, source: r.source, fetchedAt: r.fetchedAt, stale: r.stale, ageSeconds: r.ageSeconds ?? 0 });
  });
  return router;
}
