import fs from 'node:fs';
import path from 'node:path';
import { ERRORS } from '../../src/errors/catalogue.js';
import { clientKey } from '../../src/operations/types.js';
import { parseEnvelope, verifyEnvelope, type ReceivedEnvelope } from '../../src/xroad/envelope.js';
import { NS } from '../../src/xroad/namespaces.js';
import { childElements, firstChild, textOf } from '../../src/xroad/xml/dom.js';
import type { XmlLimits } from '../../src/xroad/xml/types.js';
import { verifyWsSecurity } from '../../src/xroad/wssec/ws-security-verifier.js';
import { trust } from '../integration/transport/harness.js';
import { buildCorpus, type Corpus } from './corpus.js';
import { makeInput, type FuzzInput } from './mutators.js';
import { guardNetwork } from './network-guard.js';
import { Rng } from './prng.js';
import { startFuzzTarget, startWorkerTarget, XRoadClient, type FuzzTargetHandle, type WireRequest, type WireResponse } from './target.js';

export interface FuzzOptions {
  iterations: number;
  seed: number;
  /** First iteration (default 0): with the same seed, replays a window of a longer run. */
  first?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Where reproducing inputs are saved (default: no files). */
  findingsDir?: string;
  /** Progress and summary lines (default: none). */
  log?: (line: string) => void;
  progressEvery?: number;
  /** RSS sampled every this many iterations (default 1000). */
  rssEvery?: number;
  /** Iterations before the RSS baseline is fixed (default min(5000, iterations / 4)). */
  rssWarmup?: number;
  /** Allowed RSS growth over the warm-up maximum (default 256 MiB). */
  rssGrowthBytes?: number;
  /** Longest acceptable answer (default 5000 ms; the machine is shared). */
  maxResponseMs?: number;
  /** Stop after this many findings (default 20). */
  maxFindings?: number;
  /** The target's frozen clock (default: now, to the second). */
  now?: Date;
  /**
   * Run the target on a worker thread (the second core) instead of this thread. Faster on an idle
   * machine; on a busy one the extra thread costs more CPU than it saves.
   */
  worker?: boolean;
}

export interface Finding {
  iteration: number;
  invariant: string;
  message: string;
  seed: string;
  mutations: string[];
  file?: string;
}

export interface FuzzSummary {
  seed: number;
  iterations: number;
  seconds: number;
  perSecond: number;
  /** Answers by outcome: `ok` or `faultcode/CODE`. */
  outcomes: Record<string, number>;
  statuses: Record<string, number>;
  /** Accepted (200) answers per mutation name: where signed-again inputs got through. */
  acceptedBy: Record<string, number>;
  /** Total answer time per mutation name (where the time goes). */
  msBy: Record<string, number>;
  findings: Finding[];
  rss: { baselineMiB: number; maxMiB: number; samplesMiB: number[] };
  latencyMs: { p50: number; p99: number; max: number };
  exchangesLogged: number;
}

const FAULT_CODES = new Set(Object.values(ERRORS).map((e) => e.faultCode));
const RESPONSE_LIMITS: Partial<XmlLimits> = { maxBytes: 64 * 1024 * 1024, maxDepth: 256, maxElements: 1_000_000, maxAttributes: 256, maxAttributeLength: 1024 * 1024, maxNameLength: 1024 };
const MiB = 1024 * 1024;

export interface CheckContext {
  now: Date;
  /** provider subsystem key → member code that signs its answers. */
  providers: Map<string, string>;
  /** Member that signs faults for services not provided here. */
  fallbackMember: string;
  maxResponseMs: number;
}

export interface Checked {
  outcome: string;
  problems: Array<[invariant: string, message: string]>;
}

/** The invariants of one answer (see the file header of mutators.ts for `mustFail`). */
export function checkResponse(res: WireResponse, input: Pick<FuzzInput, 'mustFail'>, ctx: CheckContext): Checked {
  const problems: Checked['problems'] = [];
  let outcome = `http-${res.status}`;
  if (!(res.status === 200 || (res.status >= 400 && res.status < 600))) problems.push(['status', `HTTP ${res.status}`]);
  if (res.ms > ctx.maxResponseMs) problems.push(['latency', `answered in ${Math.round(res.ms)} ms`]);
  if (!/^text\/xml\b/i.test(res.contentType)) problems.push(['content-type', `Content-Type ${res.contentType}`]);
  const text = res.body.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(res.body)) problems.push(['encoding', 'the answer is not valid UTF-8']);
  let env: ReceivedEnvelope;
  try {
    env = parseEnvelope(text, RESPONSE_LIMITS);
  } catch (e) {
    problems.push(['well-formed', `the answer is not a SOAP envelope: ${(e as Error).message}; ${text.slice(0, 300)}`]);
    return { outcome, problems };
  }
  const w = env.bodyWrapper;
  if (!w) problems.push(['shape', 'the answer Body does not hold exactly one element']);
  else if (w.ns === NS.soapenv && w.local === 'Fault') {
    let faultCode = '';
    let code = '';
    try {
      faultCode = textOf(firstChild(w, '', 'faultcode') as never);
      const error = childElements(firstChild(w, '', 'detail') as never)[0];
      const codeEl = error && childElements(error).find((c) => c.local === 'code');
      code = codeEl ? textOf(codeEl) : '';
      const langs = error ? childElements(error).filter((c) => c.local === 'message').map((c) => c.attrs.find((a) => a.ns === NS.xml && a.local === 'lang')?.value) : [];
      if (['ky', 'ru', 'en'].some((l) => !langs.includes(l))) problems.push(['fault', 'the fault detail lacks a ky/ru/en message']);
    } catch (e) {
      problems.push(['fault', `unreadable fault: ${(e as Error).message}`]);
    }
    outcome = `${faultCode}/${code}`;
    if (!FAULT_CODES.has(faultCode)) problems.push(['fault', `faultcode ${faultCode} is not in the catalogue`]);
    const spec = (ERRORS as Record<string, { faultCode: string }>)[code];
    if (!spec) problems.push(['fault', `detail code ${code} is not in the catalogue`]);
    else if (spec.faultCode !== faultCode) problems.push(['fault', `detail code ${code} goes with ${spec.faultCode}, not ${faultCode}`]);
    if (code === 'INTERNAL') problems.push(['internal-error', 'hostile input caused an internal error']);
    if (res.status === 200) problems.push(['status', 'a fault with HTTP 200']);
  } else {
    outcome = 'ok';
    if (res.status !== 200) problems.push(['status', `a response with HTTP ${res.status}`]);
    if (!w.local.endsWith('Response')) problems.push(['shape', `answer wrapper ${w.local}`]);
    if (input.mustFail) problems.push(['unsigned-accepted', 'a request whose signed content was changed (not signed again) was answered with a response']);
  }
  const sigProblem = verifyAnswer(env, ctx);
  if (sigProblem) problems.push(['signature', sigProblem]);
  return { outcome, problems };
}

/** The answer must be signed by the provider named in its (echoed) xrd:service, or by the adapter's own member for services not provided here. */
function verifyAnswer(env: ReceivedEnvelope, ctx: CheckContext): string | undefined {
  const opts = { trust, now: ctx.now, maxAgeSeconds: 300, futureSkewSeconds: 60 };
  if (env.headers) {
    const s = env.headers.service;
    const provided = s.subsystemCode ? ctx.providers.get(clientKey(s)) : undefined;
    try {
      verifyEnvelope(env, { ...opts, signerRole: 'service', ...(provided ? {} : { signer: { memberClass: 'GOV', memberCode: ctx.fallbackMember } }) });
      return undefined;
    } catch (e) {
      return `answer signature: ${(e as Error).message}`;
    }
  }
  // No readable X-Road headers to bind to: signed by one of the adapter's members.
  const securities = env.header ? childElements(env.header).filter((e) => e.ns === NS.wsse && e.local === 'Security') : [];
  const members = [ctx.fallbackMember, ...ctx.providers.values()];
  let last = '';
  for (const memberCode of new Set(members)) {
    try {
      verifyWsSecurity({ root: env.root, body: env.body, headerChildren: env.headerChildren, securities }, { ...opts, signer: { memberClass: 'GOV', memberCode }, pinKeys: [] });
      return undefined;
    } catch (e) {
      last = (e as Error).message;
    }
  }
  return `answer signature (no headers): ${last}`;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface SavedInput {
  seed: number;
  iteration: number;
  invariant: string;
  message: string;
  now: string;
  seedName: string;
  mutations: string[];
  mustFail: boolean;
  contentType?: string;
  soapAction?: string;
  bodyBase64: string;
  response?: { status: number; contentType: string; text: string };
}

function save(dir: string | undefined, s: SavedInput): string | undefined {
  if (!dir) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `seed${s.seed}-it${s.iteration}-${s.invariant}.json`);
  fs.writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`);
  fs.writeFileSync(file.replace(/\.json$/, '.body'), Buffer.from(s.bodyBase64, 'base64'));
  return file;
}

export function checkContext(target: FuzzTargetHandle, maxResponseMs: number): CheckContext {
  const providers = new Map<string, string>();
  // As the endpoint does: a service of any configured provider subsystem is answered with that provider's key.
  for (const key of Object.values(target.config.xroad.providers)) providers.set(key, key.split('/')[2]);
  return { now: target.now, providers, fallbackMember: target.config.xroad.client.split('/')[2], maxResponseMs };
}

/**
 * Runs the fuzzer: starts the target, builds the corpus, and sends `iterations` mutated requests
 * (`concurrency` in flight), checking each answer, the process (no unhandled rejection or
 * uncaught exception), the network (no outbound connection), memory (RSS after warm-up) and the
 * exchange log (one record per answer).
 */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const log = opts.log ?? (() => undefined);
  const concurrency = opts.concurrency ?? 4;
  const rssEvery = opts.rssEvery ?? 1000;
  const warmup = opts.rssWarmup ?? Math.min(5000, Math.floor(opts.iterations / 4));
  const growth = opts.rssGrowthBytes ?? 256 * MiB;
  const maxFindings = opts.maxFindings ?? 20;
  const now = opts.now ?? new Date(Math.floor(Date.now() / 1000) * 1000);

  const findings: Finding[] = [];
  const inFlight = new Map<number, FuzzInput>();
  let stop = false;
  const record = (iteration: number, invariant: string, message: string, input?: FuzzInput, res?: WireResponse): void => {
    const file = input
      ? save(opts.findingsDir, {
          seed: opts.seed,
          iteration,
          invariant,
          message,
          now: now.toISOString(),
          seedName: input.seed,
          mutations: input.mutations,
          mustFail: input.mustFail,
          contentType: input.wire.contentType,
          soapAction: input.wire.soapAction,
          bodyBase64: input.wire.body.toString('base64'),
          ...(res ? { response: { status: res.status, contentType: res.contentType, text: res.body.toString('utf8').slice(0, 65536) } } : {}),
        })
      : undefined;
    findings.push({ iteration, invariant, message, seed: input?.seed ?? '', mutations: input?.mutations ?? [], ...(file ? { file } : {}) });
    log(`FINDING #${findings.length} it=${iteration} ${invariant}: ${message} [${input?.seed} ${input?.mutations.join(',')}]${file ? ` -> ${file}` : ''}`);
    if (findings.length >= maxFindings) stop = true;
  };
  const processProblem = (kind: string) => (e: unknown) => {
    const message = `${kind}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    if (inFlight.size === 0) record(-1, kind, message);
    for (const [i, input] of inFlight) record(i, kind, message, input);
  };
  const onRejection = processProblem('unhandledRejection');
  const onException = processProblem('uncaughtException');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);

  let port = 0;
  let currentIteration = -1;
  const unguard = guardNetwork(
    () => port,
    (what) => record(currentIteration, 'outbound-connection', what, inFlight.get(currentIteration)),
  );

  let target: FuzzTargetHandle;
  try {
    target = !opts.worker
      ? await startFuzzTarget(now)
      : await startWorkerTarget(now, (kind, message) => {
          if (inFlight.size === 0) record(-1, kind, message);
          for (const [i, input] of inFlight) record(i, kind, message, input);
        });
  } catch (e) {
    // Without a target there is no run: the rest of the process gets its network back.
    unguard();
    throw e;
  }
  port = target.port;
  const client = new XRoadClient(target.host, target.port);
  const summary: FuzzSummary = {
    seed: opts.seed,
    iterations: 0,
    seconds: 0,
    perSecond: 0,
    outcomes: {},
    statuses: {},
    acceptedBy: {},
    msBy: {},
    findings,
    rss: { baselineMiB: 0, maxMiB: 0, samplesMiB: [] },
    latencyMs: { p50: 0, p99: 0, max: 0 },
    exchangesLogged: 0,
  };
  try {
    const corpus: Corpus = await buildCorpus(target, client);
    const ctx = checkContext(target, opts.maxResponseMs ?? 5000);
    const limits = target.config.xroad.limits;
    const latencies: number[] = [];
    let next = opts.first ?? 0;
    let done = 0;
    let answered = 0;
    let baseline = 0;
    const started = performance.now();
    const sent0 = await target.loggedExchanges();

    const one = async (i: number): Promise<void> => {
      const input = makeInput(Rng.forIteration(opts.seed, i), corpus, limits);
      inFlight.set(i, input);
      currentIteration = i;
      let res: WireResponse;
      try {
        res = await client.post(input.wire, Math.max(30_000, (opts.maxResponseMs ?? 5000) * 2));
      } catch (e) {
        record(i, 'no-answer', (e as Error).message, input);
        return;
      } finally {
        inFlight.delete(i);
      }
      answered += 1;
      latencies.push(res.ms);
      const checked = checkResponse(res, input, ctx);
      summary.outcomes[checked.outcome] = (summary.outcomes[checked.outcome] ?? 0) + 1;
      summary.statuses[res.status] = (summary.statuses[res.status] ?? 0) + 1;
      if (checked.outcome === 'ok') for (const m of input.mutations) summary.acceptedBy[m] = (summary.acceptedBy[m] ?? 0) + 1;
      for (const m of input.mutations) summary.msBy[m] = (summary.msBy[m] ?? 0) + res.ms;
      for (const [invariant, message] of checked.problems) record(i, invariant, message, input, res);
    };

    const worker = async (): Promise<void> => {
      while (!stop && next < opts.iterations) {
        const i = next++;
        await one(i);
        // This worker's count, fixed before any await below: the others go on counting meanwhile.
        const d = ++done;
        if (d % rssEvery === 0) {
          // Empties the in-memory exchange log (it keeps every body), counting its records.
          const logged = (await target.loggedExchanges()) - sent0;
          if (Math.abs(logged - answered) > concurrency) record(i, 'exchange-log', `${answered} answers but ${logged} exchange-log records`);
          // With --expose-gc (npm run fuzz) the sample follows a full collection on both threads, so a
          // burst of large inputs waiting for the collector is not taken for a leak.
          (globalThis as { gc?: () => void }).gc?.();
          const rss = process.memoryUsage.rss();
          summary.rss.samplesMiB.push(Math.round(rss / MiB));
          if (d <= Math.max(warmup, rssEvery)) baseline = Math.max(baseline, rss);
          else if (baseline && rss > baseline + growth) record(i, 'memory', `RSS ${Math.round(rss / MiB)} MiB after warm-up maximum ${Math.round(baseline / MiB)} MiB`);
          summary.rss.maxMiB = Math.max(summary.rss.maxMiB, Math.round(rss / MiB));
        }
        if (opts.progressEvery && d % opts.progressEvery === 0) {
          const s = (performance.now() - started) / 1000;
          const top = Object.entries(summary.outcomes).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k}=${v}`).join(' ');
          log(`[fuzz] ${done}/${opts.iterations} ${(done / s).toFixed(0)} it/s rss=${Math.round(process.memoryUsage.rss() / MiB)}MiB findings=${findings.length} ${top}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    // Reads are logged without waiting; give the last ones a moment.
    await new Promise((r) => setTimeout(r, 50));
    const logged = (await target.loggedExchanges()) - sent0;
    summary.exchangesLogged = logged;
    if (logged !== answered) record(-1, 'exchange-log', `${answered} answers but ${logged} exchange-log records`);

    summary.iterations = done;
    summary.seconds = (performance.now() - started) / 1000;
    summary.perSecond = done / summary.seconds;
    summary.rss.baselineMiB = Math.round(baseline / MiB);
    latencies.sort((a, b) => a - b);
    summary.latencyMs = { p50: Math.round(percentile(latencies, 50) * 10) / 10, p99: Math.round(percentile(latencies, 99) * 10) / 10, max: Math.round((latencies[latencies.length - 1] ?? 0) * 10) / 10 };
  } finally {
    client.close();
    await target.close();
    unguard();
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
  return summary;
}

/** Sends one saved input to a fresh target with the saved clock and checks the answer again. */
export async function replay(saved: SavedInput): Promise<{ outcome: string; problems: Checked['problems']; status: number; text: string }> {
  const now = new Date(saved.now);
  const target = await startFuzzTarget(now);
  const client = new XRoadClient(target.host, target.port);
  try {
    // The corpus walk puts the registries in the states the run had when it started.
    await buildCorpus(target, client);
    const wire: WireRequest = { body: Buffer.from(saved.bodyBase64, 'base64'), contentType: saved.contentType, soapAction: saved.soapAction };
    const res = await client.post(wire, 30_000);
    const checked = checkResponse(res, { mustFail: saved.mustFail }, checkContext(target, 5000));
    return { ...checked, status: res.status, text: res.body.toString('utf8') };
  } finally {
    client.close();
    await target.close();
  }
}
