import { expect } from 'chai';
import { postgresAvailable } from '../../helpers/stores.js';
import { runStoreFaultScenario } from '../../../fixtures/reliability/store-fault-scenario.js';

/** Short version of test/reliability/store-fault.test.ts: one cut of the adapter's PostgreSQL connection under load. */
describe('store faults, short [postgres]', function () {
  this.timeout(60_000);
  before(async function () {
    if (!(await postgresAvailable())) {
      console.warn('      PostgreSQL not reachable: the store-fault test needs it');
      this.skip();
    }
  });

  it('while the database is out of reach: /readyz 503, fast Server.UpstreamUnavailable; then 200 and service again by itself, nothing acknowledged lost', async () => {
    const r = await runStoreFaultScenario({ warmMs: 1500, cutMs: 2500, afterMs: 3500, concurrency: 4, boundMs: 6000 });
    console.log(`      ${JSON.stringify({ ...r, problems: r.problems.length })}`);
    expect(r.problems, r.problems.slice(0, 20).join('\n')).to.deep.equal([]);
    const [round] = r.rounds;
    expect(round.duringCut.faults).to.have.property('Server.UpstreamUnavailable');
    expect(round.duringCut.maxMs).to.be.below(6000);
    expect(round.readyz200AfterMs).to.be.a('number');
    expect(r.logVerify?.ok).to.equal(true);
  });
});
