import { loadConfig } from '../../../src/config/loader.js';
import type { Config } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log/logger.js';
import { createExchangeLog, type ExchangeLog, type ExchangeLogDeps } from '../../../src/exchange-log/exchange-log.js';
import type { Store } from '../../../src/store/store.js';
import { testSigner } from '../../../fixtures/exchange-log/sample-records.js';

export type LogSettings = Partial<Config['exchangeLog']>;

/** The test configuration with exchange-log settings overridden. */
export function logConfig(settings: LogSettings = {}): Config {
  return loadConfig({ env: { NODE_ENV: 'test' }, overrides: { exchangeLog: settings } });
}

/** An exchange log over the store with the test signer and a silent logger. */
export function openLog(store: Store, settings: LogSettings = {}, extra: Partial<ExchangeLogDeps> = {}): ExchangeLog {
  return createExchangeLog({ store, config: logConfig(settings), signer: testSigner(), logger: silentLogger(), ...extra });
}
