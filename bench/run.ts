/**
 * `npm run bench` (issue 8): signed round trips against baselines measured in the same run.
 *
 *   npm run bench -- [--quick] [--store sqlite|postgres] [--workers N] [--only A,B1,...] [--soak-minutes M]
 *
 * Scenarios: B4 crypto floor; A signed getHolder over POST /xroad at concurrency 1, 8, 32 (real
 * adapter in a child process); E soak of A at 70 % of its peak; C signed write (stage I → stage II,
 * MoJ answered from the warmed cache); B1 xml-crypto SignedXml pipeline, B2 unsigned node-soap,
 * B3 express JSON (same store, same lookup); D growth: A with 1M holders vs 10k, exchange-log
 * search and verify on 1M records. Prints the table and the targets (PASS/MISS with the measured
 * ratio) and writes bench/results/<timestamp>.json. Absolute numbers are noisy on a shared
 * machine: the targets are ratios against what this run measured.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerHolderInput, submitDataArraysInput } from '../src/registries/holders/holders-schemas.js';
import { AGENCY_STAGE_1, AGENCY_STAGE_2 } from '../fixtures/holders/agency-example.js';
import { postgresAvailable } from '../test/helpers/stores.js';
import { cpuOf, type ProcStats, type ServerHandle } from './lib/child.js';
import { optionReader, progressLine } from './lib/options.js';
import { prepareStore, startAdapter, startBaseline, type BenchEnv } from './lib/bench-env.js';
import { runIterations } from './lib/iterations.js';
import { runLoad, type BenchRequest, type LoadResult } from './lib/load.js';
import { getHolderRequest, RequestPool, responseChecker, signedHoldersRequest, soapPost } from './lib/messages.js';
import { seededInn, writeInn, writePin } from './lib/seed.js';
import { evaluateTargets, formatTable, formatTargets, mb, p99Drift, pooledP99Drift, type Measured, type Row } from './lib/targets.js';
import { cryptoFloor, syscallCostUs } from './scenarios/crypto-floor.js';
import { runLogPart } from './lib/log-part.js';
import type { AdapterStats } from './servers/adapter-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ALL = ['B4', 'A', 'E', 'C', 'B1', 'B2', 'B3', 'D'] as const;
type Step = (typeof ALL)[number];

export interface Options {
  quick: boolean;
  store: 'sqlite' | 'postgres';
  workers: number;
  only: Set<Step>;
  soakMinutes: number;
  /** Folder for V8 CPU profiles of the adapter process (--cpu-prof DIR), written when it stops. */
  cpuProf?: string;
}

function parseArgs(argv: string[]): Options {
  const val = optionReader(argv, ['quick', 'store', 'workers', 'only', 'soak-minutes', 'cpu-prof']);
  const quick = argv.includes('--quick');
  const store = (val('store') ?? 'sqlite') as Options['store'];
  if (store !== 'sqlite' && store !== 'postgres') throw new Error('--store is sqlite or postgres');
  const workers = Number(val('workers') ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error('--workers is an integer from 1 to 16');
  if (workers > 1 && store !== 'postgres') throw new Error('--workers N > 1 needs --store postgres (SQLite has one writer)');
  const onlyRaw = val('only');
  const only = new Set<Step>(
    onlyRaw
      ? onlyRaw.split(',').map((s) => {
          const t = s.trim().toUpperCase() as Step;
          if (!ALL.includes(t)) throw new Error(`--only: unknown scenario ${s} (one of ${ALL.join(',')})`);
          return t;
        })
      : ALL,
  );
  const soakMinutes = Number(val('soak-minutes') ?? (quick ? 0.1 : 1));
  if (!(soakMinutes > 0)) throw new Error('--soak-minutes must be positive');
  const cpuProf = val('cpu-prof');
  return { quick, store, workers, only, soakMinutes, ...(cpuProf ? { cpuProf: path.resolve(cpuProf) } : {}) };
}

const say = progressLine();
/** A failed answer in a line: the SOAP fault's code, string and detail when it is one. */
function describeFailure(status: number, body: Buffer): string {
  const text = body.toString('utf8');
  const pick = (tag: string) => new RegExp(`<(?:[\\w-]+:)?${tag}[^>]*>([\\s\\S]*?)</(?:[\\w-]+:)?${tag}>`).exec(text)?.[1];
  const fault = pick('faultcode');
  return fault ? `${status} ${fault}: ${pick('faultstring') ?? ''} ${(pick('detail') ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400)}` : `${status} ${text.slice(0, 400)}`;
}

/** The first failing answer of each load step, kept for the JSON report. */
const failures: string[] = [];

/** Run-length settings: quick keeps the whole run under a minute, full under five. */
function timing(o: Options) {
  return o.quick
    ? { warm: 0.5, secs: 1.5, jitWarm: { requests: 600, seconds: 2 }, holdersSmall: 2_000, holdersLarge: 20_000, logRecords: 20_000, writers: 2_000, floorSecs: 1 }
    : { warm: 1, secs: 4, jitWarm: { requests: 2_500, seconds: 8 }, holdersSmall: 10_000, holdersLarge: 1_000_000, logRecords: 1_000_000, writers: 20_000, floorSecs: 3 };
}


/** Servers that have had their first, JIT warm-up run. */
const jitWarmed = new WeakSet<ServerHandle>();

/** A JIT warm-up: as many requests as asked, or as fit in the time given. */
interface JitWarmUp {
  requests: number;
  seconds: number;
  next: () => BenchRequest;
}

/** Sends `server` its JIT warm-up (see measured) unless it has had one. */
async function jitWarmUp(server: ServerHandle, jit: JitWarmUp, ok: (status: number, body: Buffer) => boolean, label = ''): Promise<void> {
  if (jitWarmed.has(server)) return;
  jitWarmed.add(server);
  const started = performance.now();
  let answered = 0;
  let failed = 0;
  const counted = (status: number, body: Buffer): boolean => {
    const good = ok(status, body);
    answered += 1;
    if (!good) failed += 1;
    return good;
  };
  await runLoad({ port: server.port, concurrency: 8, seconds: jit.seconds, warmupSeconds: 0, stopAfter: jit.requests, next: jit.next, ok: counted });
  say(`  warm-up${label ? ` of ${label}` : ''}: ${answered} requests in ${((performance.now() - started) / 1000).toFixed(1)} s${failed ? `, ${failed} failed` : ''}`);
}

/**
 * One measured load step: a warm-up run, then the measured run between two CPU readings of the
 * server, so CPU µs per request = server CPU delta ÷ requests answered in the measured window.
 * Before a server's first step, `jit` (when given) sends it `jit.requests` requests at
 * concurrency 8, or as many as fit in `jit.seconds`: V8 optimises a function after so many calls,
 * not after so many seconds, and on a slow machine a one-second warm-up leaves the compiler's
 * threads busy through the first measured steps. A's adapter and the baselines get the same;
 * D's two adapters, compared only with each other, are measured alike without it.
 */
async function measured(
  server: ServerHandle,
  opts: Omit<Parameters<typeof runLoad>[0], 'port' | 'warmupSeconds'> & { warm: number; jit?: JitWarmUp },
): Promise<{ load: LoadResult; cpuUsPerReq: number; mainThreadUsPerReq: number; gcUsPerReq: number; rss: number; logBatch: number }> {
  const { warm, jit, ...rest } = opts;
  let firstFailure: string | undefined;
  rest.ok = (status, body) => {
    const good = opts.ok(status, body);
    if (!good && firstFailure === undefined) firstFailure = describeFailure(status, body);
    return good;
  };
  if (jit) await jitWarmUp(server, jit, rest.ok);
  if (warm > 0) await runLoad({ ...rest, port: server.port, seconds: warm, warmupSeconds: 0, sampleEvery: undefined });
  const before = await server.stats();
  const load = await runLoad({ ...rest, port: server.port, warmupSeconds: 0 });
  const after = await server.stats();
  const main = (s: ProcStats) => (s as AdapterStats).mainThreadUs ?? NaN;
  const gcUs = (s: ProcStats) => ((s as AdapterStats).gcMs ?? NaN) * 1000;
  if (firstFailure) failures.push(firstFailure);
  const perReq = (us: number) => us / Math.max(1, load.requests);
  const logged = (k: 'logRecords' | 'logBatches') => ((after as AdapterStats)[k] ?? NaN) - ((before as AdapterStats)[k] ?? NaN);
  const logBatch = logged('logRecords') / logged('logBatches');
  return { load, cpuUsPerReq: perReq(cpuOf(after) - cpuOf(before)), mainThreadUsPerReq: perReq(main(after) - main(before)), gcUsPerReq: perReq(gcUs(after) - gcUs(before)), rss: after.rss, logBatch };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const T = timing(o);
  const started = Date.now();
  if (o.store === 'postgres' && !(await postgresAvailable())) throw new Error('PostgreSQL is not reachable (DATABASE_URL_TEST or postgres://postgres@127.0.0.1:5432/test)');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'adapter-bench-'));
  const rows: Row[] = [];
  const m: Measured = {};
  const extra: Record<string, unknown> = {};
  const row = (r: Row) => {
    rows.push(r);
    say(`  ${r.scenario} c=${r.concurrency}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms, errors ${r.errors}, cpu ${r.cpuUsPerReq.toFixed(0)} µs/req${r.note ? `, ${r.note}` : ''}`);
  };
  const ran = (s: Step) => o.only.has(s);
  const syscallUs = syscallCostUs();
  say(`bench: ${o.quick ? 'quick' : 'full'} run on ${o.store}${o.workers > 1 ? ` with ${o.workers} adapter workers` : ''}; scenarios ${[...o.only].join(',')}; ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; one system call ${syscallUs.toFixed(2)} µs`);

  const cleanups: Array<() => Promise<void>> = [];
  try {
    // --- B4: the crypto floor --------------------------------------------------------------
    const floorRow = (f: { perMessageUs: number }, suffix: string, keep: (us: number) => void) => {
      keep(f.perMessageUs);
      row({ scenario: `B4 crypto floor (RSA-2048 sign+verify)${suffix}`, concurrency: 1, rps: 1e6 / f.perMessageUs, p50ms: f.perMessageUs / 1000, p99ms: NaN, errors: 0, cpuUsPerReq: f.perMessageUs, rss: NaN, note: 'in-process, one core' });
    };
    if (ran('B4') || ran('A') || ran('E')) floorRow(cryptoFloor(T.floorSecs), '', (us) => (m.b4FloorUs = us));

    const needSmall = (['A', 'E', 'C', 'B1', 'B2', 'B3', 'D'] as Step[]).some(ran);
    if (!needSmall) return;
    say(`preparing the store: ${T.holdersSmall} holders`);
    const env = await prepareStore(o.store, T.holdersSmall, tmp, ran('C') ? T.writers : 0, say);
    cleanups.push(() => env.store.dispose());
    const check = responseChecker(env.trust);
    let peak = 0;
    let signatures = { checked: 0, invalid: 0, firstInvalid: undefined as string | undefined };
    const rnd = (n: number) => Math.floor(Math.random() * n);
    const pool = (holders: number) => new RequestPool(() => getHolderRequest(env.keys, seededInn(rnd(holders))));
    /** The JIT warm-up of a server's first step: signed reads, signed as they are sent. */
    const warmReads = (holders: number): JitWarmUp => {
      const p = pool(holders);
      return { ...T.jitWarm, next: () => soapPost(p.take()) };
    };
    // Enough pre-signed requests for the step: the best rate seen so far, doubled when concurrency
    // grows; before any, a guess (c=1 answered 530 req/s on a 2-core machine with fast RSA).
    let peakAt = 0;
    const poolSize = (c: number, seconds = T.warm + T.secs) => Math.min(30_000, Math.max(200, Math.ceil((peak ? peak * (c > peakAt ? 2 : 1) : c === 1 ? 700 : 1000) * 1.3 * seconds)));

    /** A at concurrency c against `server`; responses sampled and their signatures verified. */
    const readStep = async (server: ServerHandle, c: number, seeded: number, secs = T.secs, warm = T.warm, jit = true) => {
      const p = pool(seeded).fill(poolSize(c, secs + warm));
      const r = await measured(server, { concurrency: c, seconds: secs, warm, jit: jit ? warmReads(seeded) : undefined, next: () => soapPost(p.take()), ok: check.ok, sampleEvery: 10 });
      let invalid = 0;
      for (const s of r.load.samples) {
        const why = check.verify(s.body);
        if (why) {
          invalid += 1;
          signatures.firstInvalid ??= why;
        }
      }
      signatures = { ...signatures, checked: signatures.checked + r.load.samples.length, invalid: signatures.invalid + invalid };
      if (r.load.rps > peak) [peak, peakAt] = [r.load.rps, c];
      return { ...r, invalid, signedOnDemand: p.signedOnDemand };
    };
    const readRow = (label: string, r: Awaited<ReturnType<typeof readStep>>, extraNote = '') =>
      row({
        scenario: label,
        concurrency: r.load.concurrency,
        rps: r.load.rps,
        p50ms: r.load.p50ms,
        p99ms: r.load.p99ms,
        errors: r.load.errors + r.invalid,
        cpuUsPerReq: r.cpuUsPerReq,
        rss: r.rss,
        note: `main thread ${r.mainThreadUsPerReq.toFixed(0)} µs/req${Number.isFinite(r.gcUsPerReq) ? ` (GC ${r.gcUsPerReq.toFixed(0)})` : ''}${Number.isFinite(r.logBatch) ? `; log batches of ${r.logBatch.toFixed(1)}` : ''}; ${r.load.samples.length} signatures checked${r.signedOnDemand ? `, ${r.signedOnDemand} signed on demand` : ''}${extraNote}`,
      });

    // --- A, E, C on the real adapter --------------------------------------------------------
    if (ran('A') || ran('E') || ran('C')) {
      say('starting the adapter');
      const adapter = await startAdapter(env, o, ran('C') ? T.writers : 0);
      try {
        if (ran('A') || ran('E')) {
          for (const c of ran('A') ? [1, 8, 32] : [8]) {
            const r = await readStep(adapter, c, env.seeded);
            readRow(`A signed getHolder (${env.holders} holders)`, r);
            if (c === 8) {
              Object.assign(m, { aRps8: r.load.rps, aP99ms8: r.load.p99ms, aErrors8: r.load.errors, aCpuUs8: r.cpuUsPerReq });
              if (ran('A')) floorRow(cryptoFloor(T.floorSecs), ', again after A at c=8', (us) => (m.b4FloorAfterUs = us));
            }
          }
          Object.assign(m, { signaturesChecked: signatures.checked, signaturesInvalid: signatures.invalid });
          if (signatures.firstInvalid) extra.firstInvalidSignature = signatures.firstInvalid;
        }
        if (ran('E')) await soak(adapter, env, o, peak, m, row, extra, check);
        if (ran('C')) await signedWrite(adapter, env, T, row, extra);
      } finally {
        await adapter.stop();
      }
    }

    // --- B1, B2, B3: baselines on the same store and lookup ------------------------------------
    // Started together (start-up is mostly compiling), then measured one at a time while the others idle.
    const baselines = (
      [
        ['B1', 'xml-crypto-server.ts', 'B1 xml-crypto SignedXml pipeline'],
        ['B2', 'node-soap-server.ts', 'B2 node-soap, unsigned'],
        ['B3', 'express-json-server.ts', 'B3 express JSON'],
      ] as const
    ).filter(([step]) => ran(step));
    if (baselines.length) say(`starting ${baselines.map(([, , label]) => label).join(', ')}`);
    // D's large store gets seeded in the same unmeasured phase. In a full run the exchange log of D
    // grows meanwhile too (its load is the longest part of the run); its searches and verify are
    // timed right after its own load, and their note says if the seeding or a start-up still ran then.
    let busy = 0;
    let logDisturbed = false;
    const logPart = (start: boolean) =>
      runLogPart({
        records: T.logRecords,
        store: o.store,
        quick: o.quick,
        tmp,
        onLine: (line) => {
          if (/^load /.test(line)) logDisturbed = busy > 0;
          say(`  log: ${line}`);
        },
      }).then((r) => ({ ...r, disturbed: start && logDisturbed }));
    const tracked = <T,>(p: Promise<T>): Promise<T> => {
      busy += 1;
      return p.finally(() => (busy -= 1));
    };
    const seeding = ran('D')
      ? tracked(
          (async () => {
            say(`preparing the large store: ${T.holdersLarge} holders`);
            const big = await prepareStore(o.store, T.holdersLarge, tmp, 0, say, env.certsDir);
            cleanups.push(() => big.store.dispose());
            return big;
          })(),
        )
      : undefined;
    const earlyLog = ran('D') && !o.quick ? logPart(true) : undefined;
    earlyLog?.catch(() => undefined);
    seeding?.catch(() => undefined);
    // D's two adapters start as soon as the large store is seeded, while the log loads.
    const growth = seeding
      ? tracked(
          (async () => {
            const big = await seeding;
            const servers = await Promise.allSettled([startAdapter(env, o, 0), startAdapter(big, o, 0)]);
            for (const s of servers) if (s.status === 'fulfilled') cleanups.push(() => s.value.stop());
            for (const s of servers) if (s.status === 'rejected') throw s.reason;
            const [small, large] = servers.map((s) => (s as PromiseFulfilledResult<ServerHandle>).value);
            return { big, small, large };
          })(),
        )
      : undefined;
    growth?.catch(() => undefined);
    // The baselines start and get their JIT warm-up in this unmeasured phase too.
    const jsonRead = (): BenchRequest => ({ path: `/holders/${seededInn(rnd(env.seeded))}`, method: 'GET' });
    const statusOk = (status: number) => status === 200;
    const baselineServers = await Promise.allSettled(
      baselines.map(([step, file, label]) =>
        tracked(
          startBaseline(env, file).then(async (server) => {
            await jitWarmUp(server, step === 'B3' ? { ...T.jitWarm, next: jsonRead } : warmReads(env.seeded), statusOk, label);
            return server;
          }),
        ),
      ),
    );
    for (const s of baselineServers) if (s.status === 'fulfilled') cleanups.push(() => s.value.stop());
    const logResult = earlyLog && (await earlyLog);
    const grown = growth && (await growth);
    for (const [i, [step, , label]] of baselines.entries()) {
      const s = baselineServers[i];
      if (s.status === 'rejected') throw s.reason;
      const server = s.value;
      let next: () => BenchRequest;
      if (step === 'B3') next = jsonRead;
      else {
        const p = pool(env.seeded).fill(step === 'B1' ? 600 : poolSize(8));
        next = () => soapPost(p.take());
      }
      const r = await measured(server, { concurrency: 8, seconds: T.secs, warm: T.warm, next, ok: statusOk });
      await server.stop();
      row({ scenario: label, concurrency: 8, rps: r.load.rps, p50ms: r.load.p50ms, p99ms: r.load.p99ms, errors: r.load.errors, cpuUsPerReq: r.cpuUsPerReq, rss: r.rss });
      if (step === 'B1') Object.assign(m, { b1Rps8: r.load.rps, b1CpuUs8: r.cpuUsPerReq });
      if (step === 'B2') Object.assign(m, { b2Rps8: r.load.rps, b2CpuUs8: r.cpuUsPerReq });
      if (step === 'B3') Object.assign(m, { b3CpuUs8: r.cpuUsPerReq });
    }

    // --- D: growth --------------------------------------------------------------------------
    if (grown) {
      const { big, small, large } = grown;
      m.dHolders = big.holders;
      // Both stores served at once and measured in alternation, so that the load of the shared
      // machine falls on both alike: the ratio is taken on the sums of the rounds.
      try {
        const rounds = o.quick ? 2 : 3;
        const secs = Math.max(1, (T.secs * 2) / rounds);
        const sums = [0, 1].map(() => ({ requests: 0, errors: 0, cpu: 0, p50: [] as number[], p99: [] as number[], rss: 0, main: 0 }));
        for (let round = 0; round < rounds; round++) {
          for (const [i, server, seeded] of [[0, small, env.seeded], [1, large, big.seeded]] as const) {
            // No JIT warm-up here: D compares two adapters measured alike, in alternation.
            const r = await readStep(server, 8, seeded, secs, round === 0 ? T.warm : 0.3, false);
            const acc = sums[i];
            acc.requests += r.load.requests;
            acc.errors += r.load.errors + r.invalid;
            acc.cpu += r.cpuUsPerReq * r.load.requests;
            acc.main += r.mainThreadUsPerReq * r.load.requests;
            acc.p50.push(r.load.p50ms);
            acc.p99.push(r.load.p99ms);
            acc.rss = r.rss;
          }
        }
        const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
        const total = secs * rounds;
        for (const [i, holders] of [[0, env.holders], [1, big.holders]] as const) {
          const a = sums[i];
          row({ scenario: `D: A with ${holders} holders`, concurrency: 8, rps: a.requests / total, p50ms: med(a.p50), p99ms: Math.max(...a.p99), errors: a.errors, cpuUsPerReq: a.cpu / Math.max(1, a.requests), rss: a.rss, note: `${rounds} alternating rounds of ${secs.toFixed(1)} s; main thread ${(a.main / Math.max(1, a.requests)).toFixed(0)} µs/req; p99 = worst round` });
        }
        m.dRps10k = sums[0].requests / total;
        m.dRps1M = sums[1].requests / total;
      } finally {
        await Promise.all([small.stop(), large.stop()]);
      }
      await big.store.dispose();
      say(`exchange log: ${T.logRecords} records`);
      const log = logResult ?? (await logPart(false));
      if (log.disturbed) say('  note: the holders were still being seeded, or a server starting or warming up, when the log searches and verify were timed');
      Object.assign(m, { logSearchIdP50ms: log.searchByIdP50ms, logSearchHourP50ms: log.searchHourP50ms, logVerifyPerSec: log.verifyPerSec, logRecords: log.records });
      extra.exchangeLog = log;
      rows.push({ scenario: `D log search by messageId (${log.records} records)`, concurrency: 1, rps: 1000 / log.searchByIdP50ms, p50ms: log.searchByIdP50ms, p99ms: NaN, errors: 0, cpuUsPerReq: NaN, rss: NaN, note: log.disturbed ? 'in-process; timed while the holders were being seeded or a server started or warmed up' : 'in-process' });
      rows.push({ scenario: `D log search one-hour window (${log.records} records)`, concurrency: 1, rps: 1000 / log.searchHourP50ms, p50ms: log.searchHourP50ms, p99ms: NaN, errors: 0, cpuUsPerReq: NaN, rss: NaN, note: 'first page of 50' });
      rows.push({ scenario: `D log verify (${log.records} records)`, concurrency: 1, rps: log.verifyPerSec, p50ms: NaN, p99ms: NaN, errors: 0, cpuUsPerReq: NaN, rss: NaN, note: 'records/s' });
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
    const targets = evaluateTargets(m);
    const seconds = (Date.now() - started) / 1000;
    const header = `adapter bench — ${o.quick ? 'quick' : 'full'} run on ${o.store}${o.workers > 1 ? `, ${o.workers} workers` : ''}, ${os.cpus().length} CPUs, node ${process.version}, one system call ${syscallUs.toFixed(2)} µs, ${seconds.toFixed(0)} s`;
    process.stdout.write(`\n${header}\n\n${formatTable(rows)}\n\ntargets (ratios against this run's baselines)\n${formatTargets(targets)}\n`);
    const dir = path.join(here, 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    if (failures.length) {
      extra.failures = failures;
      say(`first failures: ${failures.map((f) => f.slice(0, 300)).join('\n')}`);
    }
    fs.writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), options: { ...o, only: [...o.only] }, seconds, host: { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg(), syscallUs }, rows, measured: m, targets, extra }, null, 2)}\n`);
    process.stdout.write(`\nresults: ${path.relative(process.cwd(), file)}\n`);
  }
}

/**
 * E: A at 70 % of its measured peak, open loop, for the soak time; every 10 s (5 s in a soak under
 * 5 minutes; 2 s in a quick run) the window's p99, the server's RSS, its garbage-collection time
 * and longest pause, and the machine's load average. Reported: RSS at the end ÷ RSS after the first
 * 30 s (half the soak when shorter) and the p99 drift after that: the p99 of all requests of the
 * last third of the windows against that of the first third (`pooledP99Drift`), with the earlier
 * medians-of-three-windows estimator beside it.
 */
async function soak(adapter: ServerHandle, env: BenchEnv, o: Options, peak: number, m: Measured, row: (r: Row) => void, extra: Record<string, unknown>, check: ReturnType<typeof responseChecker>): Promise<void> {
  if (!peak) {
    const probe = await runLoad({ port: adapter.port, concurrency: 8, seconds: 2, warmupSeconds: 0.5, next: () => soapPost(getHolderRequest(env.keys, seededInn(0))), ok: check.ok });
    peak = probe.rps;
  }
  const rate = Math.max(1, peak * 0.7);
  const total = o.soakMinutes * 60;
  const windowSecs = total >= 300 ? 10 : total >= 60 ? 5 : 2;
  const baselineAt = Math.min(30, total / 2);
  say(`soak: ${rate.toFixed(0)} req/s (70 % of ${peak.toFixed(0)}) for ${total.toFixed(0)} s`);
  const samples: Array<{ t: number; p99ms: number; rps: number; errors: number; rss: number; heapUsed?: number; load1: number; gcMs?: number; gcLongestMs?: number }> = [];
  const startStats: AdapterStats = await adapter.stats();
  let prevGcMs = startStats.gcMs;
  let t = 0;
  let requests = 0;
  let errors = 0;
  let rssAfter: number | undefined;
  let windowIndex = 0;
  /** Windows that end at or after the baseline count for the drift; their latencies are kept for the pooled one. */
  const afterBaselineAt = (end: number): boolean => end >= baselineAt - 1e-9;
  const afterBaselineLatencies: number[][] = [];
  const pool = new RequestPool(() => getHolderRequest(env.keys, seededInn(Math.floor(Math.random() * env.seeded))));
  while (t < total - 1e-9) {
    const secs = Math.min(windowSecs, total - t);
    pool.fill(Math.ceil(rate * secs * 1.1) - pool.remaining);
    const r = await runLoad({ port: adapter.port, concurrency: 32, seconds: secs, warmupSeconds: 0, rate, next: () => soapPost(pool.take()), ok: check.ok });
    t += secs;
    const s: AdapterStats = await adapter.stats();
    const gcMs = s.gcMs !== undefined && prevGcMs !== undefined ? s.gcMs - prevGcMs : undefined;
    prevGcMs = s.gcMs;
    samples.push({ t, p99ms: r.p99ms, rps: r.rps, errors: r.errors, rss: s.rss, heapUsed: s.heapUsed, load1: os.loadavg()[0], gcMs, gcLongestMs: s.gcLongestMs });
    requests += r.requests;
    errors += r.errors;
    windowIndex += 1;
    if (rssAfter === undefined && t >= baselineAt) rssAfter = s.rss;
    if (afterBaselineAt(t)) afterBaselineLatencies.push(r.latencies);
    const gcNote = gcMs !== undefined && s.gcLongestMs !== undefined ? `, GC ${gcMs.toFixed(0)} ms (longest pause ${s.gcLongestMs.toFixed(1)} ms)` : '';
    say(`  soak t=${t.toFixed(0)} s: ${r.rps.toFixed(0)} req/s, p99 ${r.p99ms.toFixed(1)} ms, RSS ${mb(s.rss)} MB (heap ${mb(s.heapUsed ?? NaN)})${gcNote}, machine load ${os.loadavg()[0].toFixed(2)}`);
  }
  const end = await adapter.stats();
  const afterBaseline = samples.filter((s) => afterBaselineAt(s.t));
  const byWindows = p99Drift((afterBaseline.length >= 2 ? afterBaseline : samples).map((s) => s.p99ms));
  const drift = pooledP99Drift(afterBaselineLatencies);
  Object.assign(m, { eRssAfter30s: rssAfter, eRssEnd: end.rss, eP99First: drift.first, eP99Last: drift.last, eP99WindowMedianDrift: byWindows.drift });
  extra.soak = { rate, peak, seconds: total, windowSecs, baselineAt, samples, signedOnDemand: pool.signedOnDemand, drift: { pooled: drift, windowMedians: byWindows } };
  const all = samples.map((s) => s.p99ms).sort((a, b) => a - b);
  row({ scenario: `E soak at 70 % of peak (${total.toFixed(0)} s)`, concurrency: 'open', rps: requests / total, p50ms: NaN, p99ms: all[Math.floor(all.length / 2)], errors, cpuUsPerReq: (cpuOf(end) - cpuOf(startStats)) / Math.max(1, requests), rss: end.rss, note: `median window p99; ${windowIndex} windows` });
}

/** C: stage I then stage II of a new holder per iteration, signed SOAP, MoJ from the warmed cache. */
async function signedWrite(adapter: ServerHandle, env: BenchEnv, T: ReturnType<typeof timing>, row: (r: Row) => void, extra: Record<string, unknown>): Promise<void> {
  let nextWriter = 0;
  const pair = (): [Buffer, Buffer] => {
    const j = nextWriter++;
    if (j >= T.writers) throw new Error(`signed write ran out of bench holders (${T.writers})`);
    const inn = writeInn(j);
    const userId = writePin(j);
    return [
      Buffer.from(signedHoldersRequest(env.keys, { serviceCode: 'registerHolder', schema: registerHolderInput, value: { ...AGENCY_STAGE_1, inn }, userId })),
      Buffer.from(signedHoldersRequest(env.keys, { serviceCode: 'submitDataArrays', schema: submitDataArraysInput, value: { ...AGENCY_STAGE_2, inn }, userId })),
    ];
  };
  const ready: Array<[Buffer, Buffer]> = [];
  const fill = (n: number) => {
    for (let i = 0; i < n && nextWriter < T.writers; i++) ready.push(pair());
  };
  const ok = (status: number) => status === 200;
  const c = 4;
  const run = (seconds: number, warmupSeconds: number) =>
    runIterations({
      port: adapter.port,
      concurrency: c,
      seconds,
      warmupSeconds,
      ok,
      steps: () => {
        const p = ready.shift() ?? pair();
        return [() => soapPost(p[0]), () => soapPost(p[1])];
      },
    });
  fill(Math.min(T.writers, Math.ceil(60 * T.warm)));
  await run(T.warm, 0);
  fill(Math.min(T.writers - nextWriter, 150 * T.secs) - ready.length);
  const before = await adapter.stats();
  const r = await run(T.secs, 0);
  const after = await adapter.stats();
  if (r.firstError) extra.signedWriteFirstError = r.firstError;
  row({
    scenario: 'C signed write: stage I → stage II',
    concurrency: c,
    rps: r.rps,
    p50ms: r.p50ms,
    p99ms: r.p99ms,
    errors: r.errors,
    cpuUsPerReq: (cpuOf(after) - cpuOf(before)) / Math.max(1, r.requests),
    rss: after.rss,
    note: `${r.iterationsPerSec.toFixed(1)} holders registered/s, iteration p99 ${r.iterationP99ms.toFixed(1)} ms`,
  });
}

main().catch((e: Error) => {
  say(`bench failed: ${e.stack ?? e.message}`);
  process.exitCode = 1;
});
