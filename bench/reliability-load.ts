import { parseArgs } from 'node:util';
import { memoryCurve, runLoadScenario } from '../fixtures/reliability/load-scenario.js';

/**
 * The long load run of issue 9 on its own: `npx tsx bench/reliability-load.ts --minutes 10
 * [--rate N] [--store sqlite|postgres]`. Without --rate it measures the peak for 10 s and runs at
 * 70 % of it. Prints progress, the report and the memory curve; exits 1 when an invariant broke.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
  },
});
const minutes = Number(values.minutes);
const r = await runLoadScenario({
  store: values.store === 'postgres' ? 'postgres' : 'sqlite',
  durationMs: minutes * 60_000,
  rate: values.rate ? Number(values.rate) : undefined,
  peakMs: 10_000,
  sampleEveryMs: 10_000,
  warmupMs: Math.min(60_000, (minutes * 60_000) / 5),
  log: (l) => console.log(l),
});
console.log(JSON.stringify({ ...r, memory: undefined }, null, 2));
console.log(memoryCurve(r.memory));
if (r.problems.length > 0 || r.rssEndMiB > 1.2 * r.rssWarmMiB) process.exitCode = 1;
