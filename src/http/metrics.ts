import client from 'prom-client';
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { CheckpointStats } from '../store/wal-checkpointer.js';
import type { WriterStats } from '../exchange-log/group-commit-writer.js';

/** Prometheus metrics of one app instance (own registry, so tests can build many apps). */
export interface Metrics {
  registry: client.Registry;
  requests: client.Counter<'route' | 'method' | 'outcome'>;
  duration: client.Histogram<'route' | 'method' | 'outcome'>;
  middleware: RequestHandler;
  /** Counts and times one response when it finishes, under the route and outcome known by then. */
  track(res: ServerResponse, method: string, route: () => string, outcome: () => unknown): void;
}

/**
 * The outcome label: a transport may set `res.locals.outcome` (e.g. the SOAP fault code, since SOAP
 * faults all travel as HTTP 500); otherwise the status class.
 */
function outcomeOf(status: number, explicit: unknown): string {
  if (typeof explicit === 'string' && explicit) return explicit;
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'ok';
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({
    name: 'adapter_http_requests_total',
    help: 'HTTP requests by route, method and outcome',
    labelNames: ['route', 'method', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'adapter_http_request_duration_seconds',
    help: 'HTTP request duration by route, method and outcome',
    labelNames: ['route', 'method', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  // The labelled children, looked up once per label set instead of hashing the labels per request.
  const children = new Map<string, { count: ReturnType<typeof requests.labels>; time: ReturnType<typeof duration.labels> }>();
  const child = (route: string, method: string, outcome: string) => {
    const key = `${route}\n${method}\n${outcome}`;
    let c = children.get(key);
    if (!c) {
      const labels = { route, method, outcome };
      c = { count: requests.labels(labels), time: duration.labels(labels) };
      children.set(key, c);
    }
    return c;
  };
  const track: Metrics['track'] = (res, method, route, outcome) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const c = child(route(), method, outcomeOf(res.statusCode, outcome()));
      c.count.inc();
      c.time.observe(Number(process.hrtime.bigint() - start) / 1e9);
    });
  };
  const middleware: RequestHandler = (req, res, next) => {
    track(
      res,
      req.method,
      // Route templates, not raw URLs, keep label cardinality bounded.
      () => (req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : ((res.locals.routeLabel as string | undefined) ?? 'unmatched')),
      () => res.locals.outcome,
    );
    next();
  };
  return { registry, requests, duration, middleware, track };
}

/** Gauges read from one stats source at each scrape: one read serves every gauge of the scrape. */
function statsGauges<S>(registry: client.Registry, stats: () => S | Promise<S>, gauges: ReadonlyArray<[name: string, help: string, pick: (s: S) => number]>): void {
  let pending: Promise<S> | undefined;
  const read = (): Promise<S> =>
    (pending ??= Promise.resolve(stats()).finally(() => {
      pending = undefined;
    }));
  for (const [name, help, pick] of gauges) {
    new client.Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await read()));
      },
    });
  }
}

/**
 * The SQLite checkpoint thread's state on /metrics, read from the thread at each scrape: frames in
 * the WAL and how many of them are in the database file at its last run, its runs and its failures.
 * A WAL that keeps growing, or failures that keep rising, mean commits are checkpointing again.
 */
export function registerCheckpointMetrics(registry: client.Registry, stats: () => Promise<CheckpointStats>): void {
  statsGauges(registry, stats, [
    ['adapter_sqlite_wal_frames', "Frames in the SQLite WAL at the checkpoint thread's last run", (s) => s.walFrames],
    ['adapter_sqlite_wal_checkpointed_frames', 'Of those, frames already copied into the database file', (s) => s.walCheckpointed],
    ['adapter_sqlite_checkpoint_runs', 'Checkpoints the thread has run since the adapter started', (s) => s.runs],
    ['adapter_sqlite_checkpoint_failures', 'Checkpoint runs that failed (or the thread could not open the file) since the adapter started', (s) => s.failures],
  ]);
}

/**
 * The exchange log's group-commit writer on /metrics: records and batches committed (their ratio is
 * the mean batch), failed batches, appends refused at once (queue full, or closing), and the records
 * waiting now. Failures or refusals that rise mean writes are being answered as
 * EXCHANGE_LOG_UNAVAILABLE and reads, logged after their answer, go unrecorded; a queue that stays
 * long means the store cannot keep up.
 */
export function registerExchangeLogMetrics(registry: client.Registry, stats: () => Readonly<WriterStats & { queued: number }>): void {
  statsGauges(registry, stats, [
    ['adapter_exchange_log_records_written', 'Exchange-log records committed since the adapter started', (s) => s.records],
    ['adapter_exchange_log_batches_written', 'Exchange-log batches committed since the adapter started (records ÷ batches is the mean batch)', (s) => s.batches],
    ['adapter_exchange_log_largest_batch', 'The largest exchange-log batch committed since the adapter started', (s) => s.largestBatch],
    ['adapter_exchange_log_failed_batches', 'Exchange-log batches that failed, every append in them refused, since the adapter started', (s) => s.failedBatches],
    ['adapter_exchange_log_refused_appends', 'Appends refused at once because the queue was full or the log was closing, since the adapter started', (s) => s.refused],
    ['adapter_exchange_log_queued', 'Records waiting for their exchange-log batch now', (s) => s.queued],
  ]);
}
