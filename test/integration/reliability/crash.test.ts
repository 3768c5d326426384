import { expect } from 'chai';
import { postgresAvailable } from '../../helpers/stores.js';
import { runCrashScenario } from '../../../fixtures/reliability/crash-scenario.js';

/** Short version of test/reliability/crash.test.ts: three SIGKILLs of the real adapter process under a mixed write load. */
for (const store of ['sqlite', 'postgres'] as const) {
  describe(`crash durability, short [${store}]`, function () {
    this.timeout(60_000);
    before(async function () {
      if (store === 'postgres' && !(await postgresAvailable())) {
        console.warn('      PostgreSQL not reachable: crash durability runs on SQLite only');
        this.skip();
      }
    });

    it('keeps every acknowledged write exactly once, numbers gap-free, the log chain intact, across 3 SIGKILLs', async () => {
      const r = await runCrashScenario({ store, kills: 3, minRunMs: 400, maxRunMs: 1200, concurrency: 6 });
      console.log(`      ${JSON.stringify({ ...r, problems: r.problems.length })}`);
      expect(r.problems, r.problems.slice(0, 20).join('\n')).to.deep.equal([]);
      expect(r.kills).to.equal(3);
      expect(r.registrationsChecked).to.be.greaterThan(0);
      expect(r.logVerify?.ok).to.equal(true);
    });
  });
}
