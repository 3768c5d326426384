import CircuitBreaker from 'opossum';
import pRetry from 'p-retry';
import type { UpstreamConfig } from '../config/schema.js';
import { UpstreamError } from './upstream-error.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A counting semaphore whose waiters give up when their signal aborts (the call's time budget). */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('semaphore limit must be a positive integer');
  }

  get inUse(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiters.shift()?.();
    };
  }
}

/** What one attempt gets: a signal that aborts at the attempt's or the call's deadline, whichever is first. */
export interface AttemptContext {
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface GuardOptions {
  /** Backoff before the first retry (doubles each time, times a random factor 1–2 for jitter). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onStateChange?: (state: BreakerState) => void;
}

export type GuardPolicy = Pick<UpstreamConfig, 'timeoutMs' | 'attemptTimeoutMs' | 'retries' | 'concurrency' | 'breaker'>;

/**
 * The resilience wrapper of one upstream: a total time budget per call, retries with exponential
 * backoff and jitter (idempotent reads only, transport errors/5xx only), a circuit breaker, and a
 * bounded number of calls in flight. Order per attempt: breaker check → wait for a slot (within the
 * budget) → breaker-counted attempt. A retry waits outside the slot so that it does not hold one.
 */
export class UpstreamGuard {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly slots: Semaphore;

  constructor(
    readonly name: string,
    private readonly policy: GuardPolicy,
    private readonly opts: GuardOptions = {},
  ) {
    this.slots = new Semaphore(policy.concurrency);
    this.breaker = new CircuitBreaker((action: () => Promise<unknown>) => action(), {
      // Timeouts are ours (attempt and budget signals); opossum's own would not abort the request.
      timeout: false,
      errorThresholdPercentage: policy.breaker.errorThresholdPercentage,
      volumeThreshold: policy.breaker.volumeThreshold,
      resetTimeout: policy.breaker.resetTimeoutMs,
      // Filtered errors count as successes: a healthy "not found" must not open the breaker.
      errorFilter: (err: unknown) => err instanceof UpstreamError && !err.countsAsFailure,
    });
    const changed = (): void => this.opts.onStateChange?.(this.state());
    this.breaker.on('open', changed);
    this.breaker.on('halfOpen', changed);
    this.breaker.on('close', changed);
  }

  state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  /** Calls in flight and waiting, for metrics and tests. */
  load(): { inFlight: number; waiting: number } {
    return { inFlight: this.slots.inUse, waiting: this.slots.waiting };
  }

  /**
   * Runs `fn` under the policy. `fn` must honour the signal. Errors that are not UpstreamError
   * (bugs) are neither retried nor hidden.
   */
  async run<T>(fn: (a: AttemptContext) => Promise<T>, opts: { idempotent: boolean }): Promise<T> {
    const { timeoutMs, retries } = this.policy;
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(new UpstreamError('timeout', this.name, `no answer within the ${timeoutMs} ms budget`)), timeoutMs);
    timer.unref();
    const attemptMs = opts.idempotent ? (this.policy.attemptTimeoutMs ?? Math.max(1, Math.floor(timeoutMs / (retries + 1)))) : timeoutMs;
    try {
      return await pRetry((n) => this.attempt(fn, n, attemptMs, budget.signal), {
        retries: opts.idempotent ? retries : 0,
        factor: 2,
        minTimeout: this.opts.minBackoffMs ?? 100,
        maxTimeout: this.opts.maxBackoffMs ?? 2000,
        randomize: true,
        maxRetryTime: timeoutMs,
        signal: budget.signal,
        shouldRetry: ({ error }) => error instanceof UpstreamError && error.retryable,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt<T>(fn: (a: AttemptContext) => Promise<T>, attempt: number, attemptMs: number, budget: AbortSignal): Promise<T> {
    if (this.breaker.opened) throw new UpstreamError('open', this.name, 'circuit breaker open');
    let release: () => void;
    try {
      release = await this.slots.acquire(budget);
    } catch (e) {
      throw new UpstreamError('busy', this.name, `no free slot among ${this.policy.concurrency} within the budget`, { cause: e });
    }
    const own = new AbortController();
    const timer = setTimeout(() => own.abort(new UpstreamError('timeout', this.name, `attempt ${attempt} got no answer within ${attemptMs} ms`)), attemptMs);
    timer.unref();
    const signal = AbortSignal.any([own.signal, budget]);
    try {
      return (await this.breaker.fire(() => abortable(fn({ signal, attempt }), signal))) as T;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EOPENBREAKER' || code === 'ESHUTDOWN') throw new UpstreamError('open', this.name, 'circuit breaker open', { cause: e });
      throw e;
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  /** Stops the breaker's timers; calls after this fail as if the breaker were open. */
  shutdown(): void {
    this.breaker.shutdown();
  }
}

/** Settles with the first of: the promise, or the signal's abort reason (in case `fn` ignored the signal). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
