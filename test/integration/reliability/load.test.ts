import { expect } from 'chai';
import { memoryCurve, runLoadScenario } from '../../../fixtures/reliability/load-scenario.js';

/** Short version of test/reliability/load.test.ts: 15 s of mixed signed SOAP load at 70 % of a briefly measured peak. */
describe('load, short [sqlite]', function () {
  this.timeout(90_000);

  it('15 s at 70 % of peak: zero errors, flat memory, the log chain intact', async () => {
    // 15 s end while the heap still grows to its working size: 1.5× here; the 10-minute run holds 1.2×.
    const r = await runLoadScenario({ durationMs: 15_000, peakMs: 3000, sampleEveryMs: 2500, warmupMs: 5000, rssGrowthLimit: 1.5 });
    console.log(`      ${JSON.stringify({ ...r, memory: undefined, problems: r.problems.length })}\n${memoryCurve(r.memory)}`);
    expect(r.problems, r.problems.slice(0, 20).join('\n')).to.deep.equal([]);
    expect(r.errors).to.equal(0);
    expect(r.requests).to.be.greaterThan(0);
    expect(r.writes).to.be.greaterThan(0);
    expect(r.reads).to.be.greaterThan(0);
    expect(r.rssEndMiB).to.be.at.most(1.5 * r.rssWarmMiB);
    expect(r.logVerify?.ok).to.equal(true);
  });
});
