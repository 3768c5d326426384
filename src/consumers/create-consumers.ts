import path from 'node:path';
import type { Config, UpstreamConfig } from '../config/schema.js';
import type { ExchangeLogWriter } from '../exchange-log/types.js';
import type { Logger } from '../log/logger.js';
import type { KeyStore } from '../pki/key-store.js';
import type { TrustStore } from '../pki/trust-store.js';
import type { Store } from '../store/store.js';
import { BisXRoadClient } from './bis/bis-xroad-client.js';
import { createIdTokenVerifier, type IdTokenVerifier } from './bis/id-token-verifier.js';
import { StoreMinjustCache } from './minjust/minjust-cache.js';
import { MinjustXRoadClient } from './minjust/minjust-xroad-client.js';
import type { BreakerState, GuardOptions } from './resilience.js';
import type { BisClient, MinjustClient } from './types.js';
import { XRoadClient } from './xroad-client.js';

export interface ConsumersDeps {
  config: Config;
  keys: KeyStore;
  trust: TrustStore;
  store: Store;
  exchangeLog: ExchangeLogWriter;
  logger: Logger;
  /** Clock for cache freshness and certificate expiry (signature timestamps use real time). */
  now?: () => Date;
  /**
   * Where the stand-ins listen when the sandbox picks its own ports (config is frozen): security
   * server URLs and the OIDC issuer/JWKS that replace the configured ones.
   */
  overrides?: { minjustUrl?: string; bisUrl?: string; oidc?: Partial<Config['api']['oidc']> };
  /** Backoff tuning, mainly for tests. */
  guard?: GuardOptions;
}

export interface Consumers {
  minjust: MinjustClient;
  bis: BisClient;
  idTokens: IdTokenVerifier;
  /** Circuit-breaker state per upstream, for /readyz. */
  health(): Record<string, BreakerState>;
  /** Deletes MoJ copies older than `cacheRetentionDays` (also done at start and hourly); returns how many. */
  purgeMinjustCache(): Promise<number>;
  /** Stops breaker and purge timers and closes keep-alive connections. */
  close(): void;
}

const PURGE_EVERY_MS = 3_600_000;

/** Wires the MoJ and BIS clients, their X-Road transport and resilience, and the ID-token verifier. */
export function createConsumers(deps: ConsumersDeps): Consumers {
  const { config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const xroad = (name: string, upstream: UpstreamConfig, url?: string): XRoadClient =>
    new XRoadClient({
      name,
      upstream: url ? { ...upstream, url } : upstream,
      client: config.xroad.client,
      keys: deps.keys,
      trust: deps.trust,
      exchangeLog: deps.exchangeLog,
      logger: logger.child({ upstream: name }),
      timestamp: config.xroad.timestamp,
      limits: config.xroad.limits,
      certsDir: path.resolve(config.certs.dir),
      guard: deps.guard,
    });
  const minjustX = xroad('minjust', config.consumers.minjust, deps.overrides?.minjustUrl);
  const bisX = xroad('bis', config.consumers.bis, deps.overrides?.bisUrl);
  const cache = new StoreMinjustCache(deps.store.knex);
  const purgeMinjustCache = (): Promise<number> => cache.purgeFetchedBefore(now().getTime() - config.consumers.minjust.cacheRetentionDays * 86_400_000);
  const purge = (): void => {
    purgeMinjustCache().then(
      (n) => n > 0 && logger.info('expired MoJ copies deleted', { count: n }),
      (e: Error) => logger.warn('MoJ cache purge failed; retried at the next run', { err: e.message }),
    );
  };
  purge();
  const purgeTimer = setInterval(purge, PURGE_EVERY_MS).unref();
  return {
    minjust: new MinjustXRoadClient({
      xroad: minjustX,
      cache,
      cacheTtlSeconds: config.consumers.minjust.cacheTtlSeconds,
      logger: logger.child({ upstream: 'minjust' }),
      now,
    }),
    bis: new BisXRoadClient({ xroad: bisX, now }),
    // Token expiry is judged on real time, like signature timestamps.
    idTokens: createIdTokenVerifier({ ...config.api.oidc, ...deps.overrides?.oidc }),
    health: () => ({ minjust: minjustX.state(), bis: bisX.state() }),
    purgeMinjustCache,
    close() {
      clearInterval(purgeTimer);
      minjustX.shutdown();
      bisX.shutdown();
    },
  };
}
