import crypto from 'node:crypto';
import http from 'node:http';
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/loader.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger, type Logger } from '../../../src/log/logger.js';
import { createExchangeLog, type ExchangeLog } from '../../../src/exchange-log/exchange-log.js';
import { createOpsRouter } from '../../../src/http/ops-router.js';
import type { Store } from '../../../src/store/store.js';
import { testSigner } from '../../../fixtures/exchange-log/sample-records.js';
import type { Router } from 'express';

export const TOKENS = { operator: 'operator-token-0123456789abcdef', auditor: 'auditor-token-0123456789abcdef' };
const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function opsConfig(): Config {
  return loadConfig({
    env: { NODE_ENV: 'test' },
    overrides: {
      operators: { tokens: { 'alice-operator': { role: 'operator', tokenSha256: sha(TOKENS.operator) }, 'bob-auditor': { role: 'auditor', tokenSha256: sha(TOKENS.auditor) } } },
      exchangeLog: { checkpointEvery: 10 },
    },
  });
}

/** Log lines written by the app's logger, parsed. */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly stream = new PassThrough();
  readonly logger: Logger;
  constructor() {
    this.stream.on('data', (d: Buffer) => {
      for (const l of d.toString().split('\n')) if (l.trim()) this.lines.push(JSON.parse(l) as Record<string, unknown>);
    });
    this.logger = createLogger({ level: 'info', stream: this.stream });
  }
  find(message: string): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.message === message);
  }
}

export interface OpsServer {
  url: string;
  log: ExchangeLog;
  capture: LogCapture;
  close(): Promise<void>;
}

/** The lead's app with the ops router (and any extra router) mounted, listening on 127.0.0.1:0. */
export async function startOps(store: Store, extra: Array<{ path: string; router: Router }> = []): Promise<OpsServer> {
  const config = opsConfig();
  const capture = new LogCapture();
  const log = createExchangeLog({ store, config, signer: testSigner(), logger: capture.logger });
  const { app } = createApp({ config, store, logger: capture.logger, mounts: [{ path: '/ops/v1', router: createOpsRouter({ log, config, logger: capture.logger }) }, ...extra] });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    capture,
    async close() {
      await log.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
