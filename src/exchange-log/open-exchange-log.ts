import path from 'node:path';
import type { Config } from '../config/schema.js';
import { openStore, type Store } from '../store/store.js';
import { KeyStore } from '../pki/key-store.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { createExchangeLog, type ExchangeLog } from './exchange-log.js';

/** The member whose key signs checkpoints: the adapter's own client subsystem (`xroad.client`). */
export function checkpointSignerMember(config: Config): string {
  return config.xroad.client.split('/')[2];
}

/**
 * Opens the store and the exchange log from configuration alone, for the CLI's `log …` commands
 * (`registerLogCommands(program, () => openExchangeLog(loadConfig()))`). The store is not migrated
 * here: that is `migrate`'s job.
 */
export async function openExchangeLog(config: Config, logger: Logger = silentLogger()): Promise<{ log: ExchangeLog; store: Store; close(): Promise<void> }> {
  const signer = new KeyStore(path.resolve(config.certs.dir)).identity(checkpointSignerMember(config));
  const store = await openStore(config.store);
  const log = createExchangeLog({ store, config, signer, logger });
  return {
    log,
    store,
    async close() {
      try {
        await log.close();
      } finally {
        await store.close();
      }
    },
  };
}
