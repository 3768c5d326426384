import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { AppError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from './metrics.js';
import { logUnhandled, problemBody } from './problem.js';
import { requestIdentity } from './request-context.js';

/** What the shared per-request work gives a direct route, and the outcome it reports back for the metrics. */
export interface RequestFrame {
  requestId: string;
  log: Logger;
  outcome?: string;
}

/**
 * A hot route served on node's HTTP server without express: one method and one exact path (any
 * query string). `accepts` may leave a request to the express app, which serves the same route for
 * every case the direct one does not take (a compressed body, say). `serve` answers the request.
 */
export interface DirectRoute {
  method: string;
  path: string;
  accepts?: (req: IncomingMessage) => boolean;
  serve(req: IncomingMessage, res: ServerResponse, frame: RequestFrame): Promise<void>;
}

/**
 * Reads a request body up to `limit` bytes. Too large (declared or read): PAYLOAD_TOO_LARGE, the rest
 * is read and dropped so the answer can follow on the same connection; cut off or failed: INVALID_XML.
 * Never rejects, so the caller answers and logs every case like any other exchange.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; error?: AppError }> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > limit;
    let size = 0;
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: AppError): void => {
      if (settled) return;
      settled = true;
      resolve({ body: error ? Buffer.alloc(0) : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), error });
    };
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(tooLarge ? new AppError('PAYLOAD_TOO_LARGE') : undefined));
    req.on('error', (e) => finish(new AppError('INVALID_XML', { cause: e })));
    req.on('close', () => {
      if (!req.complete) finish(new AppError('INVALID_XML', { cause: new Error('request aborted') }));
    });
  });
}

/** Sends a complete answer. */
export function sendBytes(res: ServerResponse, answer: { status: number; contentType: string; body: Buffer }): void {
  res.statusCode = answer.status;
  res.setHeader('Content-Type', answer.contentType);
  res.setHeader('Content-Length', answer.body.length);
  res.end(answer.body);
}

/**
 * The server's request listener: the direct routes first, with the same request id, logger, security
 * headers and metrics as the app's middleware gives every request; everything else goes to `app`.
 * Express's routing and response helpers cost a signed read about a tenth of its CPU (bench A).
 */
export function directListener(
  app: RequestListener,
  routes: readonly DirectRoute[],
  common: { logger: Logger; metrics?: Metrics; headers?: ReadonlyArray<readonly [string, string]> },
): RequestListener {
  const byKey = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  if (byKey.size === 0) return app;
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const route = byKey.get(`${req.method} ${q < 0 ? url : url.slice(0, q)}`);
    if (!route || (route.accepts && !route.accepts(req))) {
      app(req, res);
      return;
    }
    const { requestId, log } = requestIdentity(req.headers['x-request-id'], common.logger);
    const frame: RequestFrame = { requestId, log };
    common.metrics?.track(res, route.method, () => route.path, () => frame.outcome);
    for (const [name, value] of common.headers ?? []) res.setHeader(name, value);
    res.setHeader('X-Request-Id', requestId);
    route.serve(req, res, frame).catch((err: unknown) => {
      logUnhandled(log, err, route.path);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const problem = new AppError('INTERNAL');
      frame.outcome = problem.faultCode;
      sendBytes(res, { status: problem.httpStatus, contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(problemBody(problem, req.headers['accept-language']))) });
    });
  };
}
