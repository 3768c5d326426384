import { loadConfig, ConfigError } from './config/loader.js';
import { createLogger } from './log/logger.js';
import { buildAdapter } from './adapter.js';
import { startServer } from './server.js';
import { StoreUnavailableError } from './store/store.js';
import { KeyFileError } from './pki/key-store.js';

/** Exit codes a supervisor can act on (README: Running). */
export const EXIT = { OK: 0, CONFIG: 2, STORE: 3, KEYS: 4, START: 1 } as const;

function fail(code: number, message: string): never {
  process.stderr.write(`registry-adapter: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(EXIT.CONFIG, e.message);
    throw e;
  }
  const logger = createLogger({ level: config.logging.level });
  let adapter;
  try {
    adapter = await buildAdapter(config, logger);
  } catch (e) {
    if (e instanceof StoreUnavailableError) fail(EXIT.STORE, e.message);
    if (e instanceof KeyFileError) fail(EXIT.KEYS, e.message);
    if (e instanceof ConfigError) fail(EXIT.CONFIG, e.message);
    fail(EXIT.START, `start failed: ${(e as Error).message}`);
  }
  const running = await startServer({
    listener: adapter.listener,
    readiness: adapter.readiness,
    host: config.server.host,
    port: config.server.port,
    graceMs: config.server.shutdownGraceMs,
    logger,
    onClosed: () => adapter.close(),
  }).catch((e: Error) => fail(EXIT.START, `cannot listen on ${config.server.host}:${config.server.port}: ${e.message}`));
  const base = `http://${config.server.host === '0.0.0.0' ? 'localhost' : config.server.host}:${running.port}`;
  logger.info('listening', {
    port: running.port,
    url: base,
    store: config.store.client,
    sandbox: config.sandbox.enabled,
    wsdl: Object.keys(config.xroad.providers).map((s) => `${base}/wsdl/${s}.wsdl`),
    xroad: `${base}/xroad`,
    api: `${base}/api/v1/openapi.json`,
    console: `${base}/console/`,
    ops: `${base}/ops/v1`,
  });
  let signals = 0;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      signals += 1;
      if (signals > 1) fail(EXIT.START, `second ${sig}: exiting without draining`);
      running.shutdown(sig).then(
        () => process.exit(EXIT.OK),
        (e: Error) => fail(EXIT.START, `shutdown failed: ${e.message}`),
      );
    });
  }
}

main().catch((e: Error) => fail(EXIT.START, e.message));
