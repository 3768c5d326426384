import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from './http/health-router.js';
import type { Logger } from './log/logger.js';

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Requests being served right now. */
  inFlight(): number;
  /**
   * Graceful stop: readiness goes 503, no new connections, in-flight requests get up to
   * `graceMs` to finish, then `onClosed` (flush logs, close store) runs once.
   */
  shutdown(reason: string): Promise<void>;
}

export interface ServerOptions {
  /** The request listener (BuiltApp.listener). */
  listener: RequestListener;
  readiness: Readiness;
  host: string;
  port: number;
  graceMs: number;
  logger: Logger;
  onClosed?: () => Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const server = http.createServer(opts.listener);
  // Slowloris bounds; keep-alive shorter than typical proxies' so they close first.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  let active = 0;
  server.on('request', (_req, res) => {
    active += 1;
    res.on('close', () => {
      active -= 1;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      opts.readiness.shuttingDown = true;
      opts.logger.info('shutting down', { reason, inFlight: active });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), opts.graceMs);
      });
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      const result = await Promise.race([closed.then(() => 'drained' as const), timedOut]);
      clearInterval(idleSweep);
      clearTimeout(timer);
      if (result === 'timeout') {
        opts.logger.warn('grace period over, closing remaining connections', { inFlight: active });
        server.closeAllConnections();
        await closed;
      }
      if (opts.onClosed) await opts.onClosed();
      opts.logger.info('stopped', { reason });
    })();
    return stopping;
  };
  return { server, port, inFlight: () => active, shutdown };
}
