import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/loader.js';
import type { Config } from '../../../src/config/schema.js';
import { createConsumers, type Consumers } from '../../../src/consumers/create-consumers.js';
import type { ExchangeLogWriter, ExchangeRecordInput } from '../../../src/exchange-log/types.js';
import { silentLogger } from '../../../src/log/logger.js';
import { ensureDevPki } from '../../../src/pki/dev-pki.js';
import { KeyStore } from '../../../src/pki/key-store.js';
import { TrustStore } from '../../../src/pki/trust-store.js';
import type { Store } from '../../../src/store/store.js';

/** Development PKI made once per test run (RSA key generation is the slow part). */
let pki: { dir: string; keys: KeyStore; trust: TrustStore } | undefined;
export function testPki(): { dir: string; keys: KeyStore; trust: TrustStore } {
  if (!pki) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumers-pki-'));
    ensureDevPki(dir);
    const keys = new KeyStore(dir);
    pki = { dir, keys, trust: new TrustStore([keys.readPem('ca.crt')]) };
  }
  return pki;
}

/** An exchange log that keeps records in memory, and can be told to fail. */
export class MemoryExchangeLog implements ExchangeLogWriter {
  records: ExchangeRecordInput[] = [];
  failing = false;
  async append(r: ExchangeRecordInput): Promise<{ seq: number }> {
    if (this.failing) throw new Error('log store down');
    this.records.push(r);
    return { seq: this.records.length };
  }
}

type UpstreamOverrides = Partial<Omit<Config['consumers']['bis'], 'breaker'>> & { breaker?: Partial<Config['consumers']['bis']['breaker']> };

/** Test config: fast budgets, small breaker thresholds; per-test overrides on top. */
export function testConfig(over: { minjust?: UpstreamOverrides & { cacheTtlSeconds?: number }; bis?: UpstreamOverrides } = {}): Config {
  const upstream = (o: UpstreamOverrides = {}) => ({
    timeoutMs: 1500,
    attemptTimeoutMs: 400,
    retries: 2,
    concurrency: 4,
    ...o,
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 300, ...o.breaker },
  });
  return loadConfig({
    env: { NODE_ENV: 'test' },
    overrides: {
      certs: { dir: testPki().dir, generateDev: false },
      consumers: { minjust: { ...upstream(over.minjust), cacheTtlSeconds: over.minjust?.cacheTtlSeconds ?? 3600 }, bis: upstream(over.bis) },
    },
  });
}

export interface ConsumersFixture {
  consumers: Consumers;
  log: MemoryExchangeLog;
  config: Config;
}

export function makeConsumers(opts: {
  config: Config;
  store: Store;
  urls: { minjustUrl: string; bisUrl: string; issuer?: string; jwksUrl?: string };
  now?: () => Date;
}): ConsumersFixture {
  const { keys, trust } = testPki();
  const log = new MemoryExchangeLog();
  const consumers = createConsumers({
    config: opts.config,
    keys,
    trust,
    store: opts.store,
    exchangeLog: log,
    logger: silentLogger(),
    now: opts.now,
    overrides: { minjustUrl: opts.urls.minjustUrl, bisUrl: opts.urls.bisUrl, oidc: opts.urls.issuer ? { issuer: opts.urls.issuer, jwksUrl: opts.urls.jwksUrl } : undefined },
    guard: { minBackoffMs: 10, maxBackoffMs: 40 },
  });
  return { consumers, log, config: opts.config };
}
