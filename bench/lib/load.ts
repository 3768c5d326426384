import http from 'node:http';

/** One request the load generator sends. */
export interface BenchRequest {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface LoadResult {
  concurrency: number;
  seconds: number;
  requests: number;
  errors: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  /** Every measured request's latency, ms, ascending. */
  latencies: number[];
  /** Responses kept for checking (every `sampleEvery`-th). */
  samples: Array<{ status: number; body: Buffer }>;
}

/** Sends one request to 127.0.0.1:`port` over `agent` and reads the whole answer (POST when it has a body and names no method, else GET). */
export function sendRequest(agent: http.Agent, port: number, req: BenchRequest): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: '127.0.0.1', port, path: req.path, method: req.method ?? (req.body ? 'POST' : 'GET'), headers: { ...(req.headers ?? {}), ...(req.body ? { 'content-length': String(req.body.length) } : {}) }, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (req.body) r.write(req.body);
    r.end();
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * Closed-loop load: `concurrency` workers each send the next request as soon as the previous
 * answered, for `seconds` (after `warmupSeconds` not counted). Keep-alive connections, one per
 * worker. `ok(status, body)` decides success; every `sampleEvery`-th response is kept.
 */
export async function runLoad(opts: {
  port: number;
  concurrency: number;
  seconds: number;
  warmupSeconds?: number;
  next: (i: number) => BenchRequest;
  ok: (status: number, body: Buffer) => boolean;
  sampleEvery?: number;
  /** Target rate (requests/s) for open-loop pacing; closed loop when absent. */
  rate?: number;
  /** Send no more than this many requests in all (the run may end earlier, after `seconds`). */
  stopAfter?: number;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  const samples: LoadResult['samples'] = [];
  let counter = 0;
  let errors = 0;
  let measured = 0;
  const warm = (opts.warmupSeconds ?? 1) * 1000;
  const t0 = performance.now();
  const measureFrom = t0 + warm;
  const until = measureFrom + opts.seconds * 1000;
  const interval = opts.rate ? (1000 * opts.concurrency) / opts.rate : 0;

  const send = (req: BenchRequest) => sendRequest(agent, opts.port, req);

  const worker = async (w: number): Promise<void> => {
    let nextAt = performance.now() + (interval * w) / opts.concurrency;
    while (performance.now() < until && (opts.stopAfter === undefined || counter < opts.stopAfter)) {
      if (interval) {
        const wait = nextAt - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        nextAt += interval;
      }
      const i = counter++;
      const start = performance.now();
      let good = false;
      let res: { status: number; body: Buffer } | undefined;
      try {
        res = await send(opts.next(i));
        good = opts.ok(res.status, res.body);
      } catch {
        good = false;
      }
      const end = performance.now();
      if (start >= measureFrom && end <= until) {
        measured += 1;
        latencies.push(end - start);
        if (!good) errors += 1;
        if (res && opts.sampleEvery && measured % opts.sampleEvery === 0) samples.push(res);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  // A run cut short by stopAfter counts the time it took, not the time it was allowed.
  const seconds = Math.min(opts.seconds, Math.max(1e-3, (performance.now() - measureFrom) / 1000));
  return {
    concurrency: opts.concurrency,
    seconds,
    requests: measured,
    errors,
    rps: measured / seconds,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    latencies,
    samples,
  };
}
