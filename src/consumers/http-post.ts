import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { UpstreamConfig } from '../config/schema.js';
import { UpstreamError } from './upstream-error.js';

export interface PostResult {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface HttpTarget {
  url: URL;
  /** Keep-alive agent; with client certificate and CA for HTTPS to the security server. */
  agent: http.Agent;
}

/**
 * One keep-alive agent per upstream. HTTPS presents the adapter's TLS client certificate to the
 * security server and trusts the configured CA (the system CAs when none is given).
 */
export function httpTarget(upstream: Pick<UpstreamConfig, 'url' | 'tls' | 'concurrency'>, certsDir: string): HttpTarget {
  const url = new URL(upstream.url);
  const maxSockets = upstream.concurrency;
  if (url.protocol === 'http:') return { url, agent: new http.Agent({ keepAlive: true, maxSockets }) };
  if (url.protocol !== 'https:') throw new TypeError(`unsupported security server URL scheme ${url.protocol}`);
  const file = (name: string): Buffer => fs.readFileSync(path.isAbsolute(name) ? name : path.join(certsDir, name));
  const tls = upstream.tls;
  return {
    url,
    agent: new https.Agent({
      keepAlive: true,
      maxSockets,
      cert: tls ? file(tls.certFile) : undefined,
      key: tls ? file(tls.keyFile) : undefined,
      ca: tls?.caFile ? file(tls.caFile) : undefined,
      minVersion: 'TLSv1.2',
    }),
  };
}

/**
 * POSTs one SOAP message and reads the whole answer, up to `maxBytes`. Rejects with
 * UpstreamError: 'transport' for connection problems, 'malformed' for an oversized answer, and the
 * signal's reason when it aborts (the guard's timeout).
 */
export function postXml(
  target: HttpTarget,
  body: string,
  opts: { signal: AbortSignal; maxBytes: number; upstream: string; headers?: Record<string, string> },
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const { url } = target;
    const payload = Buffer.from(body, 'utf8');
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'POST',
      agent: target.agent,
      signal: opts.signal,
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        'Content-Length': String(payload.length),
        Accept: 'text/xml, multipart/related',
        // SOAP 1.1 requires the header; X-Road routes on xrd:service, so it carries nothing.
        SOAPAction: '""',
        ...opts.headers,
      },
    });
    let settled = false;
    // First outcome wins: destroying a response may emit further errors that must not replace it.
    const fail = (e: unknown): void => {
      if (settled) return;
      settled = true;
      if (opts.signal.aborted) reject(opts.signal.reason);
      else if (e instanceof UpstreamError) reject(e);
      else reject(new UpstreamError('transport', opts.upstream, `security server not reachable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e }));
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        fail(new UpstreamError('malformed', opts.upstream, `answer of ${declared} bytes exceeds the limit of ${opts.maxBytes}`, { statusCode: res.statusCode }));
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) {
          fail(new UpstreamError('malformed', opts.upstream, `answer exceeds the limit of ${opts.maxBytes} bytes`, { statusCode: res.statusCode }));
          res.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('answer cut short')));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
      });
    });
    req.end(payload);
  });
}
