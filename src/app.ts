import type { RequestListener } from 'node:http';
import express, { type Express, type Request, type RequestHandler, type Response, type Router } from 'express';
import helmet from 'helmet';
import type { Config } from './config/schema.js';
import type { Store } from './store/store.js';
import type { Logger } from './log/logger.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { requestContext } from './http/request-context.js';
import { createHealthRouter, type Readiness } from './http/health-router.js';
import { errorHandler, sendProblem } from './http/problem.js';
import { directListener, type DirectRoute } from './http/direct-route.js';
import { AppError } from './errors/app-error.js';

export interface Mount {
  path: string;
  router: Router;
  /** Routes of this mount served ahead of express (their paths are under `path`); the router serves them too. */
  direct?: DirectRoute[];
}

export interface AppDeps {
  config: Config;
  store: Store;
  logger: Logger;
  metrics?: Metrics;
  readiness?: Readiness;
  /** Routers of the transports and features, mounted in order after health and metrics. */
  mounts?: Mount[];
  upstreams?: () => Record<string, string>;
}

export interface BuiltApp {
  app: Express;
  /** The HTTP server's request listener: the mounts' direct routes, then `app`. */
  listener: RequestListener;
  metrics: Metrics;
  readiness: Readiness;
}

/**
 * helmet's headers for this configuration, worked out once: with static directives they depend on
 * nothing in the request, so they are set from this list instead of by helmet's dozen middlewares.
 */
export function staticHeaderList(middleware: RequestHandler): Array<[string, string]> {
  const headers = new Map<string, string>();
  const probe = {
    setHeader: (name: string, value: unknown) => void headers.set(name, String(value)),
    removeHeader: (name: string) => void headers.delete(name),
  };
  let called = false;
  void middleware({ headers: {} } as Request, probe as unknown as Response, () => {
    called = true;
  });
  if (!called) throw new Error('the header middleware did not finish synchronously');
  return [...headers];
}

/** One middleware setting a fixed list of headers. */
export function staticHeaders(list: ReadonlyArray<readonly [string, string]>): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of list) res.setHeader(name, value);
    next();
  };
}

/** Builds the express app; it does not listen, so tests serve it on port 0. */
export function createApp(deps: AppDeps): BuiltApp {
  const metrics = deps.metrics ?? createMetrics();
  const readiness = deps.readiness ?? { shuttingDown: false };
  const app = express();
  app.disable('x-powered-by');
  // No ETag: every answer is signed or personal and marked no-store; hashing each body buys nothing.
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(requestContext(deps.logger));
  app.use(metrics.middleware);
  const headers = staticHeaderList(
    helmet({
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], connectSrc: ["'self'"], frameAncestors: ["'none'"] },
      },
    }),
  );
  app.use(staticHeaders(headers));
  app.use(createHealthRouter({ store: deps.store, metrics, readiness, upstreams: deps.upstreams }));
  for (const m of deps.mounts ?? []) app.use(m.path, m.router);
  app.use((req, res) => sendProblem(req, res, new AppError('NOT_FOUND', { detail: { ky: `Жол табылган жок.`, ru: `Путь не найден.`, en: `No such path.` } })));
  app.use(errorHandler(deps.logger));
  const direct = (deps.mounts ?? []).flatMap((m) => (m.direct ?? []).map((r) => ({ ...r, path: `${m.path.replace(/\/$/, '')}${r.path}` })));
  return { app, listener: directListener(app, direct, { logger: deps.logger, metrics, headers }), metrics, readiness };
}
