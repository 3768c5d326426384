/**
 * Scenario D's exchange-log part: a log grown to N records (through the real batch writer,
 * metadata only), then search by messageId and by a one-hour window (first page of 50), p50/p95
 * over 200 queries each, and `log verify` of the whole chain (records/s, with the body check as the
 * CLI runs it by default, and metadata only). Used by bench/exchange-log.ts and bench/run.ts.
 */
import { loadConfig } from '../../src/config/loader.js';
import { silentLogger } from '../../src/log/logger.js';
import { createExchangeLog } from '../../src/exchange-log/exchange-log.js';
import { bulkLoad } from '../../fixtures/exchange-log/bulk-load.js';
import { testSigner } from '../../fixtures/exchange-log/sample-records.js';
import { freshStore, postgresAvailable } from '../../test/helpers/stores.js';

export type LogStoreClient = 'sqlite' | 'postgres';

export interface LogGrowthOptions {
  client: LogStoreClient;
  records: number;
  /** Progress and result lines. */
  log?: (line: string) => void;
  /** Same as `client` (the name bench/run.ts passes); `client` wins when both are given. */
  store?: LogStoreClient;
}

/** One measured line, as the bench tables print it. */
export interface LogBenchRow {
  measure: string;
  value: string;
  note: string;
}

export interface LogGrowthResult {
  records: number;
  searchByMessageIdP50Ms: number;
  searchByHourP50Ms: number;
  /** `log verify` as the CLI runs it by default: every record's hash, the links, checkpoint signatures, body check. */
  verifyRecordsPerSec: number;
  /** The same without the body check (`log verify --no-bodies`). */
  verifyMetadataOnlyRecordsPerSec: number;
  loadSeconds: number;
  rows: LogBenchRow[];
}

/** Exchange times start here, one second apart per record. */
export const BENCH_BASE_TS = Date.UTC(2026, 0, 1);

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Runs fn(0..n-1) one after another; p50/p95 of their durations in ms. */
export async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

/** Test configuration with the exchange-log settings of the benchmarks (checkpoint every 10 000 records). */
export function benchLogConfig(over: Record<string, unknown> = {}) {
  return loadConfig({ env: { NODE_ENV: 'test' }, overrides: { exchangeLog: { checkpointEvery: 10_000, batchMaxRecords: 256, batchMaxDelayMs: 2, ...over } } });
}

export async function runLogGrowth(opts: LogGrowthOptions): Promise<LogGrowthResult> {
  const client = opts.client ?? opts.store ?? 'sqlite';
  const N = opts.records;
  const log = opts.log ?? (() => undefined);
  if (!Number.isInteger(N) || N < 3600) throw new Error(`log growth needs at least 3600 records (one hour of exchanges), not ${N}`);
  if (client === 'postgres' && !(await postgresAvailable())) throw new Error('PostgreSQL is not reachable (DATABASE_URL_TEST or postgres://postgres@127.0.0.1:5432/test)');
  const rows: LogBenchRow[] = [];
  const result = (measure: string, value: string, note = '') => {
    rows.push({ measure, value, note });
    log(`${measure}: ${value} ${note}`.trimEnd());
  };
  const store = await freshStore(client);
  try {
    const signer = testSigner();
    let t = performance.now();
    await bulkLoad({ knex: store.knex, client, signer, checkpointEvery: 10_000 }, N, {
      bodies: 'metadata',
      batch: 5000,
      baseTs: BENCH_BASE_TS,
      onProgress: (d) => d % 100_000 === 0 && log(`loaded ${d}`),
    });
    const loadSeconds = (performance.now() - t) / 1000;
    result('load (batch writer, 5000/batch)', `${Math.round(N / loadSeconds)} records/s`, `${N} records in ${loadSeconds.toFixed(1)} s`);

    const xlog = createExchangeLog({ store, config: benchLogConfig(), signer, logger: silentLogger() });
    const rnd = (i: number) => (i * 7_919_993) % N;
    await xlog.search({ messageId: 'warm-up' });
    const byId = await timeEach(200, async (i) => {
      const page = await xlog.search({ messageId: `msg-${rnd(i).toString().padStart(8, '0')}` });
      if (page.items.length !== 1) throw new Error('messageId search missed');
    });
    result('search by messageId', `p50 ${byId.p50.toFixed(2)} ms`, `p95 ${byId.p95.toFixed(2)} ms, 200 queries`);
    const hours = Math.floor(N / 3600);
    const byHour = await timeEach(200, async (i) => {
      const from = BENCH_BASE_TS + ((i * 7919) % hours) * 3_600_000;
      const page = await xlog.search({ from, to: from + 3_600_000 }, { limit: 50 });
      if (page.items.length !== 50) throw new Error('window search missed');
    });
    result('search one-hour window (first page of 50)', `p50 ${byHour.p50.toFixed(2)} ms`, `p95 ${byHour.p95.toFixed(2)} ms, 200 queries`);
    const byHourFiltered = await timeEach(200, async (i) => {
      const from = BENCH_BASE_TS + ((i * 7919) % hours) * 3_600_000;
      await xlog.search({ from, to: from + 3_600_000, serviceCode: 'getHolder', status: 'fault' }, { limit: 50 });
    });
    result('search one-hour window + serviceCode + status', `p50 ${byHourFiltered.p50.toFixed(2)} ms`, `p95 ${byHourFiltered.p95.toFixed(2)} ms`);

    const verifyRate = async (bodies: boolean): Promise<{ rate: number; note: string }> => {
      t = performance.now();
      const v = await xlog.verify({ bodies });
      const seconds = (performance.now() - t) / 1000;
      if (!v.ok || v.checked !== N) throw new Error(`verify failed: ${JSON.stringify(v.firstBreak ?? { checked: v.checked })}`);
      return { rate: v.checked / seconds, note: `${v.checked} records in ${seconds.toFixed(2)} s, ${v.checkpointsVerified} checkpoints` };
    };
    const meta = await verifyRate(false);
    result('verify, metadata only', `${Math.round(meta.rate)} records/s`, meta.note);
    const full = await verifyRate(true);
    result('verify, with body check (none stored)', `${Math.round(full.rate)} records/s`, full.note);
    await xlog.close();
    return {
      records: N,
      searchByMessageIdP50Ms: byId.p50,
      searchByHourP50Ms: byHour.p50,
      verifyRecordsPerSec: full.rate,
      verifyMetadataOnlyRecordsPerSec: meta.rate,
      loadSeconds,
      rows,
    };
  } finally {
    await store.dispose();
  }
}
