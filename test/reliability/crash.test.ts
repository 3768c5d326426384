import { expect } from 'chai';
import { postgresAvailable } from '../helpers/stores.js';
import { runCrashScenario } from '../../fixtures/reliability/crash-scenario.js';

const KILLS = Number(process.env.RELIABILITY_KILLS ?? 12);

/** Heavy crash durability (issue 9): ≥ 10 SIGKILLs of the real adapter process in the middle of a mixed write load. */
for (const store of ['sqlite', 'postgres'] as const) {
  describe(`crash durability [${store}]`, function () {
    this.timeout(30 * 60_000);
    before(async function () {
      if (store === 'postgres' && !(await postgresAvailable())) {
        console.warn('      PostgreSQL not reachable: crash durability runs on SQLite only');
        this.skip();
      }
    });

    it(`keeps every acknowledged write exactly once, numbers gap-free, the log chain intact, across ${KILLS} SIGKILLs`, async () => {
      const r = await runCrashScenario({ store, kills: KILLS, minRunMs: 1000, maxRunMs: 5000, concurrency: 8, log: (l) => console.log(`      ${l}`) });
      console.log(`      [${store}] ${JSON.stringify({ ...r, problems: r.problems.length })}`);
      expect(r.problems, r.problems.slice(0, 20).join('\n')).to.deep.equal([]);
      expect(r.kills).to.equal(KILLS);
      expect(r.logVerify?.ok).to.equal(true);
    });
  });
}
