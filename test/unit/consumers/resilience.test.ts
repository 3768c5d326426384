import { expect } from 'chai';
import { Semaphore, UpstreamGuard, type GuardPolicy } from '../../../src/consumers/resilience.js';
import { UpstreamError } from '../../../src/consumers/upstream-error.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function policy(over: Partial<GuardPolicy> = {}): GuardPolicy {
  return {
    timeoutMs: 2000,
    retries: 2,
    concurrency: 4,
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 4, resetTimeoutMs: 150 },
    ...over,
  };
}

const transport = (): UpstreamError => new UpstreamError('transport', 'test', 'connection refused');

/** Waits until the signal aborts, then rejects with its reason: an upstream that never answers. */
const hang = (signal: AbortSignal): Promise<never> => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('consumers/resilience', () => {
  const guards: UpstreamGuard[] = [];
  const guard = (p: GuardPolicy, opts = {}): UpstreamGuard => {
    const g = new UpstreamGuard('test', p, { minBackoffMs: 5, maxBackoffMs: 20, ...opts });
    guards.push(g);
    return g;
  };
  afterEach(() => guards.splice(0).forEach((g) => g.shutdown()));

  describe('Semaphore', () => {
    it('grants up to the limit and queues the rest in order', async () => {
      const s = new Semaphore(2);
      const r1 = await s.acquire();
      await s.acquire();
      const order: number[] = [];
      const third = s.acquire().then((r) => {
        order.push(3);
        return r;
      });
      expect(s.waiting).to.equal(1);
      r1();
      r1(); // a second release of the same slot is a no-op
      await third;
      expect(order).to.deep.equal([3]);
      expect(s.inUse).to.equal(2);
    });

    it('gives up waiting when the signal aborts', async () => {
      const s = new Semaphore(1);
      await s.acquire();
      const ac = new AbortController();
      const waiting = s.acquire(ac.signal);
      ac.abort(new Error('budget'));
      expect(((await rejection(waiting)) as Error).message).to.equal('budget');
      expect(s.waiting).to.equal(0);
    });
  });

  it('retries an idempotent read on transport errors, then succeeds', async () => {
    const g = guard(policy());
    let calls = 0;
    const v = await g.run(async () => {
      calls++;
      if (calls < 3) throw transport();
      return 'ok';
    }, { idempotent: true });
    expect(v).to.equal('ok');
    expect(calls).to.equal(3);
  });

  it('does not retry a write, nor a Client.* fault, nor a malformed answer', async () => {
    const g = guard(policy());
    for (const [err, idempotent] of [
      [transport(), false],
      [new UpstreamError('fault', 'test', 'not found', { faultCode: 'Client.NotFound' }), true],
      [new UpstreamError('malformed', 'test', 'garbage'), true],
    ] as const) {
      let calls = 0;
      const e = await rejection(g.run(async () => {
        calls++;
        throw err;
      }, { idempotent }));
      expect(e).to.equal(err);
      expect(calls).to.equal(1);
    }
  });

  it('retries 5xx and Server.* faults', async () => {
    const g = guard(policy({ retries: 1 }));
    for (const err of [new UpstreamError('http', 'test', '503', { statusCode: 503 }), new UpstreamError('fault', 'test', 'proxy', { faultCode: 'Server.ServerProxy.NetworkError' })]) {
      let calls = 0;
      await rejection(g.run(async () => {
        calls++;
        throw err;
      }, { idempotent: true }));
      expect(calls).to.equal(2);
    }
  });

  it('times an attempt out and retries it, all within the total budget', async () => {
    const g = guard(policy({ timeoutMs: 600, attemptTimeoutMs: 100, retries: 2 }));
    let calls = 0;
    const started = Date.now();
    const e = await rejection(g.run(({ signal }) => {
      calls++;
      return hang(signal);
    }, { idempotent: true }));
    expect(e).to.be.instanceOf(UpstreamError);
    expect((e as UpstreamError).kind).to.equal('timeout');
    expect(calls).to.equal(3);
    expect(Date.now() - started).to.be.lessThan(600);
  });

  it('the total budget ends the call even when the attempt budget is longer', async () => {
    const g = guard(policy({ timeoutMs: 150, attemptTimeoutMs: 5000, retries: 2 }));
    const started = Date.now();
    const e = (await rejection(g.run(({ signal }) => hang(signal), { idempotent: true }))) as UpstreamError;
    expect(e.kind).to.equal('timeout');
    expect(Date.now() - started).to.be.within(140, 600);
  });

  it('an action that ignores the signal still cannot outlive the budget', async () => {
    const g = guard(policy({ timeoutMs: 100, retries: 0 }));
    const e = (await rejection(g.run(() => sleep(1000), { idempotent: true }))) as UpstreamError;
    expect(e.kind).to.equal('timeout');
  });

  it('bounds the calls in flight; excess waits, and fails as unavailable when its budget runs out', async () => {
    const g = guard(policy({ concurrency: 2, retries: 0, timeoutMs: 300 }));
    let inFlight = 0;
    let maxInFlight = 0;
    const work = async (): Promise<string> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(40);
      inFlight--;
      return 'ok';
    };
    const results = await Promise.all(Array.from({ length: 6 }, () => g.run(work, { idempotent: true })));
    expect(results).to.have.length(6);
    expect(maxInFlight).to.equal(2);

    // Two calls that never answer hold both slots until their budgets end; a third waits and, with
    // the same budget, gets no useful time: it fails as unavailable within its own budget.
    const slow = [g.run(({ signal }) => hang(signal), { idempotent: false }), g.run(({ signal }) => hang(signal), { idempotent: false })];
    slow.forEach((p) => p.catch(() => undefined));
    const started = Date.now();
    const waiter = g.run(({ signal }) => hang(signal), { idempotent: false });
    await sleep(10);
    expect(g.load()).to.deep.equal({ inFlight: 2, waiting: 1 });
    const e = (await rejection(waiter)) as UpstreamError;
    expect(e.kind).to.be.oneOf(['busy', 'timeout']);
    expect(Date.now() - started).to.be.lessThan(400);
    await Promise.allSettled(slow);
    expect(g.load()).to.deep.equal({ inFlight: 0, waiting: 0 });
  });

  it('opens the breaker after repeated failures, fails fast, and closes after recovery', async () => {
    const states: string[] = [];
    const g = guard(policy({ retries: 0 }), { onStateChange: (s: string) => states.push(s) });
    let healthy = false;
    let calls = 0;
    const action = async (): Promise<string> => {
      calls++;
      if (!healthy) throw transport();
      return 'ok';
    };
    for (let i = 0; i < 4; i++) await rejection(g.run(action, { idempotent: true }));
    expect(g.state()).to.equal('open');
    const before = calls;
    const e = (await rejection(g.run(action, { idempotent: true }))) as UpstreamError;
    expect(e.kind).to.equal('open');
    expect(calls, 'no call while open').to.equal(before);

    healthy = true;
    await sleep(200);
    expect(g.state()).to.equal('half-open');
    expect(await g.run(action, { idempotent: true })).to.equal('ok');
    expect(g.state()).to.equal('closed');
    expect(states).to.deep.equal(['open', 'half-open', 'closed']);
  });

  it('a Client.* fault is a healthy answer: it never opens the breaker', async () => {
    const g = guard(policy({ retries: 0 }));
    for (let i = 0; i < 8; i++) {
      await rejection(g.run(async () => {
        throw new UpstreamError('fault', 'test', 'nf', { faultCode: 'Client.NotFound' });
      }, { idempotent: true }));
    }
    expect(g.state()).to.equal('closed');
  });

  it('errors that are not UpstreamError (bugs) pass through unchanged and are not retried', async () => {
    const g = guard(policy());
    let calls = 0;
    const bug = new RangeError('bug');
    const e = await rejection(g.run(async () => {
      calls++;
      throw bug;
    }, { idempotent: true }));
    expect(e).to.equal(bug);
    expect(calls).to.equal(1);
  });
});
