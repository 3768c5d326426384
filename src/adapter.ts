import path from 'node:path';
import type { Config } from './config/schema.js';
import type { Logger } from './log/logger.js';
import { openStore, type Store } from './store/store.js';
import { ensureDevPki } from './pki/dev-pki.js';
import { KeyStore } from './pki/key-store.js';
import { TrustStore } from './pki/trust-store.js';
import { createApp, type BuiltApp, type Mount } from './app.js';

/** Everything the running adapter is made of, so main, the CLI and end-to-end tests build it the same way. */
export interface Adapter extends BuiltApp {
  config: Config;
  store: Store;
  keys: KeyStore;
  trust: TrustStore;
  /** Flushes and closes everything the adapter opened, in order. */
  close(): Promise<void>;
}

/** Member codes named in config, so the development PKI issues a certificate for each. */
function configuredMembers(config: Config): Array<{ memberClass: string; memberCode: string }> {
  const ids = [...Object.values(config.xroad.providers), config.xroad.client, config.consumers.minjust.service, config.consumers.bis.service];
  return ids.map((id) => {
    const [, memberClass, memberCode] = id.split('/');
    return { memberClass, memberCode };
  });
}

export interface BuildOptions {
  /** Store to use instead of opening one from config (tests). */
  store?: Store;
  extraMounts?: Mount[];
}

/**
 * The composition root: opens the store and runs migrations, prepares keys (generating the
 * development PKI when configured), and wires transports and features into one app.
 */
export async function buildAdapter(config: Config, logger: Logger, opts: BuildOptions = {}): Promise<Adapter> {
  const certsDir = path.resolve(config.certs.dir);
  if (config.certs.generateDev) {
    const pki = ensureDevPki(certsDir, configuredMembers(config));
    if (pki.created) logger.info('development certificates generated', { dir: config.certs.dir, members: pki.members.length });
  }
  const keys = new KeyStore(certsDir);
  // Parse every key the adapter signs with now: a bad key file stops the start, not the first message.
  for (const id of [...Object.values(config.xroad.providers), config.xroad.client]) keys.identity(id.split('/')[2]);
  const trust = new TrustStore(
    config.xroad.trust.caFiles.map((f) => keys.readPem(f)),
    Object.fromEntries(Object.entries(config.xroad.trust.pinned).map(([client, files]) => [client, files.map((f) => keys.readPem(f))])),
  );
  const store = opts.store ?? (await openStore(config.store));
  const closers: Array<() => Promise<void>> = [];
  try {
    const { applied } = await store.migrate();
    if (applied.length) logger.info('migrations applied', { applied });
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  const built = createApp({ config, store, logger, mounts: [...(opts.extraMounts ?? [])] });
  closers.push(() => store.close());
  return {
    ...built,
    config,
    store,
    keys,
    trust,
    async close() {
      for (const c of closers) {
        try {
          await c();
        } catch (e) {
          logger.error('error while closing', { err: (e as Error).message });
        }
      }
    },
  };
}
