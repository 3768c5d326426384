/**
 * The real adapter for the benchmark, as `npm start` builds it (src/adapter.ts buildAdapter), in
 * its own process so that its CPU time is measured apart from the load generator's:
 *   BENCH_CONFIG   JSON overrides of the test configuration (store, certs dir, sandbox ports 0)
 *   BENCH_PERSONS  how many bench persons the BIS stand-in knows (signed-write scenario)
 *   BENCH_WORKERS  N > 1: N adapter processes behind node:cluster on one port (PostgreSQL only)
 *   BENCH_CPU_PROF a folder: each adapter process writes a V8 CPU profile there when it stops
 * Listens on an ephemeral loopback port and answers the stats requests of bench/lib/child.ts
 * (CPU and RSS summed over the workers).
 */
import cluster, { type Worker } from 'node:cluster';
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAdapter, type Adapter } from '../../src/adapter.js';
import { loadConfig } from '../../src/config/loader.js';
import { silentLogger } from '../../src/log/logger.js';
import { SAMPLE_PERSONS } from '../../fixtures/sandbox/sample-data.js';
import { askStats, listeningPort, type ProcStats } from '../lib/child.js';
import { benchPersons } from '../lib/seed.js';

const workers = Math.max(1, Number(process.env.BENCH_WORKERS ?? 1));

/** Process stats plus the main (JavaScript) thread's own CPU, read from /proc on Linux. */
export interface AdapterStats extends ProcStats {
  /** CPU µs of the main thread alone; the rest of the process CPU is libuv's pool (SQLite, crypto) and V8's helpers. */
  mainThreadUs?: number;
  /** Milliseconds V8's garbage collector has held the main thread, in all. */
  gcMs?: number;
  /** The longest of those pauses since the previous stats read. */
  gcLongestMs?: number;
  /** V8 heap in use, bytes (live objects plus garbage not yet collected). */
  heapUsed?: number;
  /** Exchange-log records and batches committed so far (records ÷ batches is the mean batch). */
  logRecords?: number;
  logBatches?: number;
}

/** This process's garbage-collection pauses, as V8 reports them. */
const gc = { totalMs: 0, longestMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.totalMs += e.duration;
    gc.longestMs = Math.max(gc.longestMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });

function gcSinceLastRead(): Pick<AdapterStats, 'gcMs' | 'gcLongestMs'> {
  const longest = gc.longestMs;
  gc.longestMs = 0;
  return { gcMs: gc.totalMs, gcLongestMs: longest };
}

const TICK_US = 10_000; // USER_HZ = 100 on Linux

function mainThreadUs(): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_US;
  } catch {
    return undefined;
  }
}

/** The adapter this process serves, once built (a cluster primary serves none). */
let served: Adapter | undefined;

const ownStats = (): AdapterStats => {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const log = served?.exchangeLog.writerStats;
  return { cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rss: mem.rss, heapUsed: mem.heapUsed, mainThreadUs: mainThreadUs(), ...gcSinceLastRead(), logRecords: log?.records ?? 0, logBatches: log?.batches ?? 0 };
};

/** Starts the V8 sampling profiler in this process; the returned function writes the .cpuprofile. */
function startProfiler(dir: string): () => Promise<void> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  const started = post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 200 })).then(() => post('Profiler.start'));
  return async () => {
    await started;
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `adapter-${process.pid}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

async function serveAdapter(): Promise<{ port: number; stop: () => Promise<void> }> {
  const writeProfile = process.env.BENCH_CPU_PROF ? startProfiler(process.env.BENCH_CPU_PROF) : undefined;
  const overrides = JSON.parse(process.env.BENCH_CONFIG ?? '{}') as Record<string, unknown>;
  const config = loadConfig({ env: { NODE_ENV: 'test' }, overrides: overrides as never });
  SAMPLE_PERSONS.push(...benchPersons(Number(process.env.BENCH_PERSONS ?? 0)));
  const adapter: Adapter = await buildAdapter(config, silentLogger());
  served = adapter;
  const server = http.createServer(adapter.listener);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await adapter.close();
    await writeProfile?.();
  };
  return { port: (server.address() as AddressInfo).port, stop };
}

/** Answers stats requests from the bench and stops cleanly (exchange log flushed) on SIGTERM. */
function answerBench(port: number, stats: () => Promise<ProcStats>, stop: () => Promise<void>): void {
  process.send?.({ port });
  process.on('message', (m: { cmd?: string; id?: number }) => {
    if (m.cmd === 'stats') void stats().then((s) => process.send?.({ statsId: m.id, stats: s }));
  });
  process.once('SIGTERM', () => {
    void stop()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
}

async function primary(): Promise<void> {
  const list: Worker[] = [];
  const ports = await Promise.all(
    Array.from({ length: workers }, () => {
      const w = cluster.fork();
      list.push(w);
      return listeningPort(w, 'adapter worker');
    }),
  );
  const stats = async (): Promise<ProcStats> => {
    const all = [ownStats(), ...(await Promise.all(list.map((w) => askStats(w))))];
    return all.reduce((a: AdapterStats, b: AdapterStats) => ({
      cpuUserUs: a.cpuUserUs + b.cpuUserUs,
      cpuSystemUs: a.cpuSystemUs + b.cpuSystemUs,
      rss: a.rss + b.rss,
      mainThreadUs: a.mainThreadUs !== undefined && b.mainThreadUs !== undefined ? a.mainThreadUs + b.mainThreadUs : undefined,
      gcMs: (a.gcMs ?? 0) + (b.gcMs ?? 0),
      gcLongestMs: Math.max(a.gcLongestMs ?? 0, b.gcLongestMs ?? 0),
      heapUsed: (a.heapUsed ?? 0) + (b.heapUsed ?? 0),
      logRecords: (a.logRecords ?? 0) + (b.logRecords ?? 0),
      logBatches: (a.logBatches ?? 0) + (b.logBatches ?? 0),
    }));
  };
  const stop = async (): Promise<void> => {
    await Promise.all(list.map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : (w.once('exit', () => resolve()), w.process.kill('SIGTERM'))))));
  };
  answerBench(ports[0], stats, stop);
}

async function single(): Promise<void> {
  const { port, stop } = await serveAdapter();
  answerBench(port, async () => ownStats(), stop);
}

const main = workers > 1 && cluster.isPrimary ? primary : single;
main().catch((e: Error) => {
  process.send?.({ error: e.message });
  process.exit(1);
});
