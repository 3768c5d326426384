import { Router } from 'express';
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

export interface Readiness {
  /** Set when shutdown begins: readiness answers 503 from then on. */
  shuttingDown: boolean;
}

export interface HealthDeps {
  store: Store;
  metrics: Metrics;
  readiness: Readiness;
  /** Upstream breaker states, reported but not failing readiness: reads keep working when MoJ is down. */
  upstreams?: () => Record<string, string>;
  storePingTimeoutMs?: number;
}

/** `/healthz` (the process answers), `/readyz` (store reachable and not shutting down), `/metrics`. */
export function createHealthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const upstreams = deps.upstreams?.() ?? {};
    if (deps.readiness.shuttingDown) {
      res.status(503).json({ status: 'shutting-down', store: 'unknown', upstreams });
      return;
    }
    try {
      await deps.store.ping(deps.storePingTimeoutMs ?? 1000);
      res.json({ status: 'ready', store: 'ok', upstreams });
    } catch {
      res.status(503).json({ status: 'not-ready', store: 'unreachable', upstreams });
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
