import { expect } from 'chai';
import { memoryCurve, runLoadScenario } from '../../fixtures/reliability/load-scenario.js';

/**
 * Heavy load (issue 9): RELIABILITY_MINUTES (default 10) of mixed signed SOAP reads and writes at
 * 70 % of the peak measured first (or RELIABILITY_RATE requests/s), on RELIABILITY_STORE (sqlite).
 * Also runnable alone: `npx tsx bench/reliability-load.ts --minutes 10 [--rate N]`.
 */
const minutes = Number(process.env.RELIABILITY_MINUTES ?? 10);
const rate = process.env.RELIABILITY_RATE ? Number(process.env.RELIABILITY_RATE) : undefined;
const store = process.env.RELIABILITY_STORE === 'postgres' ? 'postgres' : 'sqlite';

describe(`load [${store}]`, function () {
  this.timeout((minutes + 5) * 60_000);

  it(`${minutes} min at 70 % of peak: zero errors, flat memory, the log chain intact`, async () => {
    const r = await runLoadScenario({ store, durationMs: minutes * 60_000, rate, peakMs: 10_000, sampleEveryMs: 10_000, warmupMs: Math.min(60_000, minutes * 60_000 / 5), log: (l) => console.log(`      ${l}`) });
    console.log(`      ${JSON.stringify({ ...r, memory: undefined, problems: r.problems.length })}\n${memoryCurve(r.memory)}`);
    expect(r.problems, r.problems.slice(0, 20).join('\n')).to.deep.equal([]);
    expect(r.errors).to.equal(0);
    expect(r.rssEndMiB).to.be.at.most(1.2 * r.rssWarmMiB);
    expect(r.logVerify?.ok).to.equal(true);
  });
});
