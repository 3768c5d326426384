import { expect } from 'chai';
import { AGENCY_INN } from '../../fixtures/holders/agency-example.js';
import { FAULT_KINDS, type FaultPlan } from '../../fixtures/sandbox/fault-control.js';
import { testPki } from '../integration/consumers/consumers-fixture.js';
import { sha256, sleep, startWiredAdapter, until, type WiredAdapter } from '../e2e/reliability/reliability-harness.js';

const WEB_UI = 'central-server/GOV/70000099/registry-web-ui';
const TOKEN = 'chaos-web-ui-token-0123';
const SECONDS = Number(process.env.RELIABILITY_CHAOS_SECONDS ?? 60);
const CALLERS = 16;
const BUDGET_MS = 800;
const CONCURRENCY = 4;
const SLACK_MS = 600;
/** Sample INNs MoJ knows, so that stale copies exist once each was fetched. */
const INNS = [AGENCY_INN, '02203201810157', '01506199910038', '00304199510024', '01109201210062', '01804201910078', '01012201510013', '02007200510031'];
/** INNs MoJ does not know: no copy to fall back on, so MoJ trouble shows as UPSTREAM_UNAVAILABLE. */
const UNKNOWN_INNS = ['00101202090001', '00101202090002'];
const ALLOWED_CODES = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_INVALID_RESPONSE', 'UPSTREAM_INVALID_SIGNATURE']);

/** A small fixed-seed generator (mulberry32), so a run can be repeated. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Heavy (npm run test:reliability): MoJ misbehaves at random for RELIABILITY_CHAOS_SECONDS
 * (default 60) while 16 callers ask for legal entities through the wired adapter. Every answer
 * comes within the budget and is a fresh copy, a stale copy or a typed upstream error; MoJ never
 * sees more calls at once than the bound; afterwards everything is healthy again without a restart.
 */
describe('reliability: upstream chaos through the wired adapter', function () {
  this.timeout((SECONDS + 60) * 1000);
  let w: WiredAdapter;

  before(async () => {
    w = await startWiredAdapter(
      {
        api: { clients: { 'web-ui': { xroadClient: WEB_UI, tokenSha256: sha256(TOKEN) } } },
        consumers: {
          minjust: { timeoutMs: BUDGET_MS, attemptTimeoutMs: 250, retries: 2, concurrency: CONCURRENCY, breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 500 }, cacheTtlSeconds: 1 },
        },
      },
      testPki().dir,
    );
    // Fill the cache: from now on every INN has a copy that goes stale after a second.
    for (const inn of INNS) expect((await fetch(`${w.base}/api/v1/legal-entities/${inn}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).to.equal(200);
  });
  after(async () => {
    await w?.close();
  });

  it(`${SECONDS} s of random MoJ faults: answers within the budget, bounded concurrency, recovery without restart`, async () => {
    const random = rng(20261123);
    const end = Date.now() + SECONDS * 1000;
    const tally = { calls: 0, fresh: 0, stale: 0, errors: {} as Record<string, number>, slowest: 0, unexpected: [] as string[] };
    const phases: string[] = [];

    const chaos = (async () => {
      while (Date.now() < end) {
        const plan: Partial<FaultPlan> = { delayMs: random() < 0.3 ? Math.floor(random() * 1500) : 0 };
        const kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)];
        if (random() < 0.7) plan[kind] = 1 + Math.floor(random() * 20);
        w.faults.minjust.clear();
        w.faults.minjust.set(plan);
        phases.push(JSON.stringify(plan));
        await sleep(500 + Math.floor(random() * 1500));
      }
      w.faults.minjust.clear();
    })();

    const caller = async (n: number) => {
      let i = n;
      while (Date.now() < end) {
        const all = [...INNS, ...UNKNOWN_INNS];
        const inn = all[i++ % all.length];
        const t0 = Date.now();
        const r = await fetch(`${w.base}/api/v1/legal-entities/${inn}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        const body = (await r.json()) as { code?: string; stale?: boolean };
        const ms = Date.now() - t0;
        tally.calls += 1;
        tally.slowest = Math.max(tally.slowest, ms);
        if (ms > BUDGET_MS + SLACK_MS) tally.unexpected.push(`${inn}: ${ms} ms`);
        if (r.status === 200) {
          if (body.stale) tally.stale += 1;
          else tally.fresh += 1;
        } else {
          tally.errors[body.code ?? String(r.status)] = (tally.errors[body.code ?? String(r.status)] ?? 0) + 1;
          const expected = ALLOWED_CODES.has(body.code ?? '') || (body.code === 'NOT_FOUND' && UNKNOWN_INNS.includes(inn));
          if (!expected) tally.unexpected.push(`${inn}: ${r.status} ${body.code}`);
        }
      }
    };

    await Promise.all([chaos, ...Array.from({ length: CALLERS }, (_, n) => caller(n))]);
    const maxInFlight = w.faults.minjust.stats.maxInFlight;
    process.stdout.write(`      chaos: ${phases.length} fault phases, ${tally.calls} calls (${tally.fresh} fresh, ${tally.stale} stale, errors ${JSON.stringify(tally.errors)}), slowest ${tally.slowest} ms, MoJ max in flight ${maxInFlight}\n`);
    expect(tally.unexpected.slice(0, 20), tally.unexpected.slice(0, 20).join('\n')).to.deep.equal([]);
    expect(maxInFlight).to.be.at.most(CONCURRENCY);
    expect(tally.stale).to.be.greaterThan(0);
    expect(tally.errors.UPSTREAM_UNAVAILABLE ?? 0).to.be.greaterThan(0);

    // Recovery: faults off, the breaker closes on its own, fresh answers for every INN.
    await sleep(600);
    for (const inn of INNS) {
      const ok = await until(async () => {
        const r = await fetch(`${w.base}/api/v1/legal-entities/${inn}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        return r.status === 200 && ((await r.json()) as { stale: boolean }).stale === false;
      }, 3000, 100);
      expect(ok, inn).to.equal(true);
    }
    expect(w.adapter.consumers.health().minjust).to.equal('closed');
    expect(await until(() => w.faults.minjust.stats.inFlight === 0, 2000)).to.equal(true);
    await w.adapter.exchangeLog.flush();
    expect((await w.adapter.exchangeLog.verify()).ok).to.equal(true);
  });
});
