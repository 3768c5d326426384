/**
 * `npm run bench:compare`: two adapters side by side, one on the bench's configuration and one
 * with configuration overrides, under signed getHolder load in alternating slices.
 *
 *   npm run bench:compare -- --with '{"xroad":{"messageIds":{"readClaims":"upfront"}}}' [--store sqlite|postgres]
 *     [--concurrency 8] [--slices 8] [--seconds 3] [--holders 10000]
 *
 * Both processes stay up the whole time, each on its own fresh store, and take turns (the order
 * flips every round), so a machine that speeds up or slows down during the run moves both alike.
 * Prints each side's median requests/s and p99 over the slices, its CPU, main-thread and GC µs per
 * request over all of them, and the ratios of the overridden side to the default one; writes
 * bench/results/compare-<timestamp>.json. Every tenth answer's signature is verified.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresAvailable } from '../test/helpers/stores.js';
import { cpuOf, type ServerHandle } from './lib/child.js';
import { optionReader, progressLine } from './lib/options.js';
import { prepareStore, startAdapter, type BenchEnv } from './lib/bench-env.js';
import { runLoad } from './lib/load.js';
import { getHolderRequest, RequestPool, responseChecker, soapPost } from './lib/messages.js';
import { seededInn } from './lib/seed.js';
import type { AdapterStats } from './servers/adapter-server.js';

interface Options {
  overrides: Record<string, unknown>;
  store: 'sqlite' | 'postgres';
  concurrency: number;
  slices: number;
  seconds: number;
  holders: number;
}

function parseArgs(argv: string[]): Options {
  const val = optionReader(argv, ['with', 'store', 'concurrency', 'slices', 'seconds', 'holders']);
  const raw = val('with');
  if (raw === undefined) throw new Error('--with needs the configuration overrides to compare, as JSON');
  let overrides: unknown;
  try {
    overrides = JSON.parse(raw);
  } catch (e) {
    throw new Error(`--with is not JSON: ${(e as Error).message}`);
  }
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) throw new Error('--with is a JSON object of configuration overrides');
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const n = Number(val(name) ?? dflt);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} is an integer from ${min} to ${max}`);
    return n;
  };
  const store = (val('store') ?? 'sqlite') as Options['store'];
  if (store !== 'sqlite' && store !== 'postgres') throw new Error('--store is sqlite or postgres');
  return { overrides: overrides as Record<string, unknown>, store, concurrency: int('concurrency', 8, 1, 256), slices: int('slices', 8, 2, 100), seconds: int('seconds', 3, 1, 60), holders: int('holders', 10_000, 1, 1_000_000) };
}

const say = progressLine();
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

interface Side {
  label: string;
  env: BenchEnv;
  server: ServerHandle;
  requests: number;
  errors: number;
  cpuUs: number;
  mainUs: number;
  gcUs: number;
  rps: number[];
  p99: number[];
  invalid: number;
  checked: number;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.store === 'postgres' && !(await postgresAvailable())) throw new Error('PostgreSQL is not reachable (DATABASE_URL_TEST or postgres://postgres@127.0.0.1:5432/test)');
  say(`compare on ${o.store}, c=${o.concurrency}, ${o.slices} slices of ${o.seconds} s each side; ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`overrides: ${JSON.stringify(o.overrides)}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'adapter-compare-'));
  const sides: Side[] = [];
  try {
    for (const [label, overrides] of [
      ['defaults', {}],
      ['with overrides', o.overrides],
    ] as const) {
      say(`preparing "${label}"`);
      const env = await prepareStore(o.store, o.holders, tmp, 0, say, path.join(tmp, `certs-${sides.length}`));
      const server = await startAdapter(env, { workers: 1, overrides }, 0);
      sides.push({ label, env, server, requests: 0, errors: 0, cpuUs: 0, mainUs: 0, gcUs: 0, rps: [], p99: [], invalid: 0, checked: 0 });
    }
    const check = responseChecker(sides[0].env.trust);
    const pool = (s: Side, n: number) => new RequestPool(() => getHolderRequest(s.env.keys, seededInn(Math.floor(Math.random() * o.holders)))).fill(n);
    const load = (s: Side, p: RequestPool, seconds: number) => runLoad({ port: s.server.port, concurrency: o.concurrency, seconds, warmupSeconds: 0, next: () => soapPost(p.take()), ok: check.ok, sampleEvery: 10 });
    for (const s of sides) {
      say(`warming up "${s.label}"`);
      await load(s, pool(s, 4000), 4);
    }
    for (let round = 0; round < o.slices; round++) {
      for (const s of round % 2 ? [...sides].reverse() : sides) {
        // Signed ahead (so the load generator's RSA work stays out of the slice): half as many again
        // as the side's last slice answered (1,500/s before any), the pool signing on demand beyond.
        const rate = s.rps.at(-1) ?? 1000;
        const p = pool(s, Math.ceil(rate * 1.5 * (o.seconds + 0.5)));
        await load(s, p, 0.5);
        const before = (await s.server.stats()) as AdapterStats;
        const r = await load(s, p, o.seconds);
        const after = (await s.server.stats()) as AdapterStats;
        s.requests += r.requests;
        s.errors += r.errors;
        s.cpuUs += cpuOf(after) - cpuOf(before);
        s.mainUs += (after.mainThreadUs ?? NaN) - (before.mainThreadUs ?? NaN);
        s.gcUs += ((after.gcMs ?? NaN) - (before.gcMs ?? NaN)) * 1000;
        s.rps.push(r.rps);
        s.p99.push(r.p99ms);
        for (const sample of r.samples) {
          s.checked += 1;
          if (check.verify(sample.body)) s.invalid += 1;
        }
        say(`  round ${round + 1}/${o.slices} "${s.label}": ${r.rps.toFixed(0)} req/s, p99 ${r.p99ms.toFixed(1)} ms`);
      }
    }
    const per = (s: Side, us: number) => us / Math.max(1, s.requests);
    const rows = sides.map((s) => ({
      label: s.label,
      rps: median(s.rps),
      p99ms: median(s.p99),
      cpuUsPerReq: per(s, s.cpuUs),
      mainThreadUsPerReq: per(s, s.mainUs),
      gcUsPerReq: per(s, s.gcUs),
      errors: s.errors,
      signatures: { checked: s.checked, invalid: s.invalid },
      slices: { rps: s.rps, p99ms: s.p99 },
    }));
    const [a, b] = rows;
    const ratio = (k: 'rps' | 'p99ms' | 'cpuUsPerReq' | 'mainThreadUsPerReq' | 'gcUsPerReq') => b[k] / a[k];
    const lines = [
      `side              req/s (median)  p99 ms (median)  cpu µs/req  main µs/req  GC µs/req  errors  signatures invalid`,
      ...rows.map((r) => `${r.label.padEnd(16)}  ${r.rps.toFixed(0).padStart(14)}  ${r.p99ms.toFixed(1).padStart(15)}  ${r.cpuUsPerReq.toFixed(0).padStart(10)}  ${r.mainThreadUsPerReq.toFixed(0).padStart(11)}  ${r.gcUsPerReq.toFixed(0).padStart(9)}  ${String(r.errors).padStart(6)}  ${r.signatures.invalid}/${r.signatures.checked}`),
      `overrides/defaults: req/s ${ratio('rps').toFixed(3)}×, p99 ${ratio('p99ms').toFixed(3)}×, cpu ${ratio('cpuUsPerReq').toFixed(3)}×, main thread ${ratio('mainThreadUsPerReq').toFixed(3)}×, GC ${ratio('gcUsPerReq').toFixed(3)}×`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `compare-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ options: o, node: process.version, cpus: os.cpus().length, sides: rows }, null, 2)}\n`);
    process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
    const bad = rows.some((r) => r.errors > 0 || r.signatures.invalid > 0);
    if (bad) process.exitCode = 1;
  } finally {
    for (const s of sides) await s.server.stop().catch(() => undefined);
    for (const s of sides) await s.env.store.dispose().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:compare failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
