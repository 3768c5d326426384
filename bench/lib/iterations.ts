import http from 'node:http';
import { percentile, sendRequest, type BenchRequest } from './load.js';

export interface IterationResult {
  concurrency: number;
  seconds: number;
  iterations: number;
  requests: number;
  errors: number;
  /** First failing answer, for the report. */
  firstError?: string;
  iterationsPerSec: number;
  rps: number;
  /** Per request (each step of an iteration). */
  p50ms: number;
  p99ms: number;
  /** Per iteration (all its steps in order). */
  iterationP99ms: number;
}

/**
 * Closed-loop load where one iteration is several requests in order (stage I, then stage II of
 * one holder): `concurrency` workers, keep-alive, counted after the warm-up. An iteration stops at
 * its first failing step; the failure counts as one error.
 */
export async function runIterations(opts: {
  port: number;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  steps: (i: number) => Array<() => BenchRequest>;
  ok: (status: number, body: Buffer) => boolean;
}): Promise<IterationResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const send = (req: BenchRequest) => sendRequest(agent, opts.port, req);
  const t0 = performance.now();
  const from = t0 + opts.warmupSeconds * 1000;
  const until = from + opts.seconds * 1000;
  const reqLat: number[] = [];
  const iterLat: number[] = [];
  let counter = 0;
  let errors = 0;
  let requests = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const steps = opts.steps(counter++);
      const start = performance.now();
      const lat: number[] = [];
      let failed = false;
      for (const step of steps) {
        const req = step();
        const s = performance.now();
        try {
          const res = await send(req);
          if (!opts.ok(res.status, res.body)) {
            failed = true;
            firstError ??= `${res.status} ${res.body.toString('utf8').slice(0, 600)}`;
          }
        } catch (e) {
          failed = true;
          firstError ??= (e as Error).message;
        }
        lat.push(performance.now() - s);
        if (failed) break;
      }
      const end = performance.now();
      if (start >= from && end <= until) {
        iterLat.push(end - start);
        reqLat.push(...lat);
        requests += lat.length;
        if (failed) errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  agent.destroy();
  reqLat.sort((a, b) => a - b);
  iterLat.sort((a, b) => a - b);
  return {
    concurrency: opts.concurrency,
    seconds: opts.seconds,
    iterations: iterLat.length,
    requests,
    errors,
    firstError,
    iterationsPerSec: iterLat.length / opts.seconds,
    rps: requests / opts.seconds,
    p50ms: percentile(reqLat, 50),
    p99ms: percentile(reqLat, 99),
    iterationP99ms: percentile(iterLat, 99),
  };
}
