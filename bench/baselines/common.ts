import crypto from 'node:crypto';
import path from 'node:path';
import { WorkingCalendar } from '../../src/calendar/working-calendar.js';
import { loadConfig } from '../../src/config/loader.js';
import type { Config } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { OperationTable } from '../../src/operations/operation-table.js';
import type { CallContext, OperationDef } from '../../src/operations/types.js';
import { KeyStore } from '../../src/pki/key-store.js';
import { createHoldersRegistry } from '../../src/registries/holders/create-holders-registry.js';
import { openStore, type Store } from '../../src/store/store.js';
import { FakeBis, FakeMinjust } from '../../fixtures/holders/fake-consumers.js';

export interface BaselineEnv {
  config: Config;
  store: Store;
  keys: KeyStore;
  table: OperationTable;
  getHolder: OperationDef;
  /** The same lookup the adapter makes for getHolder: input check, registry read, output check. */
  lookup(inn: string, client: string, messageId: string): Promise<unknown>;
}

/**
 * What every baseline server shares with the adapter: the store the adapter's bench run seeded
 * (BENCH_CONFIG, already migrated), the same keys, and the holders registry's getHolder operation
 * called through an OperationTable exactly as the adapter's transports call it.
 */
export async function baselineEnv(): Promise<BaselineEnv> {
  const overrides = JSON.parse(process.env.BENCH_CONFIG ?? '{}') as Record<string, unknown>;
  const config = loadConfig({ env: { NODE_ENV: 'test' }, overrides: overrides as never });
  const store = await openStore(config.store);
  const keys = new KeyStore(path.resolve(config.certs.dir));
  const registry = createHoldersRegistry({
    store,
    // getHolder reads the store only; the upstreams are never asked.
    minjust: new FakeMinjust(),
    bis: new FakeBis(),
    calendar: new WorkingCalendar(config.calendar),
    logger: silentLogger(),
    contactsVisibleTo: config.holders.contactsVisibleTo,
  });
  const table = new OperationTable().register(registry.group);
  const getHolder = table.find('pd-holders-registry', 'getHolder', 'v1');
  if (!getHolder) throw new Error('getHolder is not in the holders group');
  const lookup = (inn: string, client: string, messageId: string): Promise<unknown> => {
    const [xRoadInstance, memberClass, memberCode, subsystemCode] = client.split('/');
    const ctx: CallContext = {
      transport: 'soap',
      client,
      clientId: { objectType: 'SUBSYSTEM', xRoadInstance, memberClass, memberCode, subsystemCode },
      messageId,
      requestId: crypto.randomUUID(),
      lang: 'en',
      attachments: [],
      now: new Date(),
    };
    return table.call(getHolder, { inn }, ctx);
  };
  return { config, store, keys, table, getHolder, lookup };
}
