import fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { replay, runFuzz, type SavedInput } from './run.js';

/**
 * `npm run fuzz -- --iterations N [--seed S] [--first I] [--concurrency C]`: structure-aware fuzzing of POST /xroad.
 * Exits 1 when an invariant was violated; the reproducing inputs are saved under fuzz-findings/
 * (git-ignored). `npm run fuzz -- --replay fuzz-findings/….json` sends one saved input again.
 */
const int = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

const program = new Command('fuzz')
  .option('--iterations <n>', 'iterations to run', int('iterations'), 10_000)
  .option('--seed <s>', 'PRNG seed', int('seed'), 1)
  .option('--first <i>', 'first iteration: with the same seed, replays a window of a longer run', int('first'), 0)
  .option('--concurrency <c>', 'requests in flight', int('concurrency'), 4)
  .option('--findings <dir>', 'where reproducing inputs are saved', 'fuzz-findings')
  .option('--max-response-ms <ms>', 'longest acceptable answer', int('max-response-ms'), 5000)
  .option('--worker', 'run the target on a worker thread (default: the fuzzer\'s own thread)')
  .option('--replay <file>', 'send one saved input again and check the answer')
  .parse();

const o = program.opts<{ iterations: number; seed: number; first: number; concurrency: number; findings: string; maxResponseMs: number; replay?: string; worker?: boolean }>();

if (o.replay) {
  const saved = JSON.parse(fs.readFileSync(o.replay, 'utf8')) as SavedInput;
  const r = await replay(saved);
  console.log(`replayed ${o.replay}: HTTP ${r.status} ${r.outcome}`);
  for (const [inv, msg] of r.problems) console.log(`  ${inv}: ${msg}`);
  if (!r.problems.length) console.log('  no invariant violated now');
  process.exit(r.problems.length ? 1 : 0);
}

console.log(`[fuzz] seed=${o.seed} iterations=${o.iterations} concurrency=${o.concurrency}`);
const s = await runFuzz({
  iterations: o.first + o.iterations,
  first: o.first,
  seed: o.seed,
  concurrency: o.concurrency,
  findingsDir: o.findings,
  maxResponseMs: o.maxResponseMs,
  worker: o.worker,
  progressEvery: 10_000,
  log: (line) => console.log(line),
});
console.log(`[fuzz] done: ${s.iterations} iterations in ${s.seconds.toFixed(1)} s (${s.perSecond.toFixed(0)} it/s), seed ${s.seed}`);
console.log(`[fuzz] latency ms: p50 ${s.latencyMs.p50} p99 ${s.latencyMs.p99} max ${s.latencyMs.max}; RSS MiB: warm-up max ${s.rss.baselineMiB}, max ${s.rss.maxMiB}; exchange-log records ${s.exchangesLogged}`);
console.log(`[fuzz] HTTP statuses: ${Object.entries(s.statuses).map(([k, v]) => `${k}=${v}`).join(' ')}`);
console.log(`[fuzz] outcomes (${Object.keys(s.outcomes).length} distinct):`);
for (const [k, v] of Object.entries(s.outcomes).sort((a, b) => b[1] - a[1])) console.log(`  ${String(v).padStart(9)}  ${k}`);
console.log(`[fuzz] accepted (200) answers by mutation: ${Object.entries(s.acceptedBy).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ') || 'none'}`);
console.log(`[fuzz] answer time by mutation (s): ${Object.entries(s.msBy).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k}=${(v / 1000).toFixed(1)}`).join(' ')}`);
console.log(`[fuzz] findings: ${s.findings.length}`);
for (const f of s.findings) console.log(`  it=${f.iteration} ${f.invariant}: ${f.message.slice(0, 400)} [${f.seed} ${f.mutations.join(',')}]${f.file ? ` -> ${f.file}` : ''}`);
process.exit(s.findings.length ? 1 : 0);
