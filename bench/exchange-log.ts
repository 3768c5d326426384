/**
 * Exchange-log benchmark:
 *   npx tsx bench/exchange-log.ts [--records 1000000] [--store sqlite|postgres] [--quick] [--json file]
 * Measures, on a log of N records (default 1M, --quick 100k), filled through the real batch writer
 * (fixtures bulk loader), metadata only — scenario D's log part, bench/scenarios/log-growth.ts:
 *   - search by messageId and by a one-hour window (first page of 50): p50/p95 over 200 queries;
 *   - verify of the whole chain: records/s, with and without the body check;
 * and, on logs of their own:
 *   - verify rehashing stored bodies (2 × ~1.3 KiB per record);
 *   - append throughput: group commit (256 concurrent callers) vs one INSERT transaction per record;
 *   - SQLite: process CPU per record appended in batches of 11 signed reads, with temporary storage in
 *     memory (the store's setting) and in files.
 */
import { silentLogger } from '../src/log/logger.js';
import { createExchangeLog } from '../src/exchange-log/exchange-log.js';
import { prepareRecord } from '../src/exchange-log/prepare-record.js';
import { writeBatch } from '../src/exchange-log/write-batch.js';
import { bulkLoad } from '../fixtures/exchange-log/bulk-load.js';
import { sampleRecord, testSigner } from '../fixtures/exchange-log/sample-records.js';
import { freshStore, postgresAvailable, type TestStore } from '../test/helpers/stores.js';
import { BENCH_BASE_TS as BASE, benchLogConfig as config, runLogGrowth, timeEach, type LogBenchRow } from './scenarios/log-growth.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { ExchangeRecordInput } from '../src/exchange-log/types.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const N = Number(arg('records') ?? (quick ? 100_000 : 1_000_000));
const client = (arg('store') ?? 'sqlite') as 'sqlite' | 'postgres';

const rows: LogBenchRow[] = [];
const result = (measure: string, value: string, note = '') => {
  rows.push({ measure, value, note });
  process.stderr.write(`  ${measure}: ${value} ${note}\n`);
};

async function bodiesVerify(store: TestStore): Promise<void> {
  const signer = testSigner();
  const n = quick ? 20_000 : 50_000;
  await bulkLoad({ knex: store.knex, client: store.client, signer, checkpointEvery: 10_000 }, n, { bodies: 'full', bodySize: 1000, batch: 2000, baseTs: BASE });
  const log = createExchangeLog({ store, config: config(), signer, logger: silentLogger() });
  const t = performance.now();
  const v = await log.verify({ bodies: true });
  if (!v.ok) throw new Error('verify failed');
  result('verify, rehashing stored bodies (2 × ~1.3 KiB)', `${Math.round(v.checked / ((performance.now() - t) / 1000))} records/s`, `${v.bodiesChecked} records with bodies`);
}

async function appendThroughput(store: TestStore): Promise<void> {
  const signer = testSigner();
  const log = createExchangeLog({ store, config: config(), signer, logger: silentLogger() });
  const total = quick ? 5_000 : 20_000;
  let next = 0;
  let t = performance.now();
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < total) await log.append(sampleRecord(next++));
    }),
  );
  const grouped = total / ((performance.now() - t) / 1000);
  result('append, group commit (256 concurrent)', `${Math.round(grouped)} records/s`, `${log.writerStats.batches} batches, largest ${log.writerStats.largestBatch}`);
  const lat = await timeEach(500, (i) => log.append(sampleRecord(total + i)));
  result('append latency, one caller (idle writer)', `p50 ${lat.p50.toFixed(2)} ms`, `p95 ${lat.p95.toFixed(2)} ms`);
  await log.close();
  const single = quick ? 500 : 2_000;
  const env = { knex: store.knex, client: store.client, signer, checkpointEvery: 10_000, now: () => new Date() };
  t = performance.now();
  for (let i = 0; i < single; i++) await writeBatch(env, [prepareRecord(sampleRecord(100_000 + i), 'full')]);
  const one = single / ((performance.now() - t) / 1000);
  result('append, one INSERT transaction per record', `${Math.round(one)} records/s`, `group commit = ${(grouped / one).toFixed(1)}×`);
}

/** An inbound signed read as the adapter logs it: ~3.8 + 5 KiB of bodies, one INN, and its xrd:id claim to write. */
function signedReadRecord(filler: string): ExchangeRecordInput {
  const messageId = crypto.randomUUID();
  const client = 'central-server/GOV/70000030/e-kyzmat';
  const t = Date.now();
  return {
    ...sampleRecord(1, { baseTs: t }),
    messageId,
    client,
    subjects: [{ kind: 'inn', value: `0100120221${crypto.randomInt(10_000).toString().padStart(4, '0')}` }],
    requestBody: Buffer.from(`<request id="${messageId}">${filler.slice(0, 3800)}</request>`),
    responseBody: Buffer.from(`<response>${filler.slice(0, 5000)}</response>`),
    replayClaim: { ref: { client, messageId, token: crypto.randomUUID(), insert: { requestHash: crypto.randomBytes(32).toString('hex'), createdAtMs: t } }, contentType: 'text/xml; charset=utf-8' },
  };
}

/**
 * Process CPU per appended record on SQLite, batches of 11 signed-read records (what the adapter's
 * log sees at c=8), with temporary storage in memory (the store's setting) and in files, in
 * alternating rounds on one store.
 */
async function appendCpu(store: TestStore): Promise<void> {
  if (store.client !== 'sqlite') return;
  const log = createExchangeLog({ store, config: config({ batchMaxRecords: 11 }), signer: testSigner(), logger: silentLogger() });
  const filler = crypto.randomBytes(6000).toString('base64');
  const batches = (quick ? 1_000 : 3_000) / 11;
  const round = async (): Promise<number> => {
    const before = process.cpuUsage();
    for (let b = 0; b < batches; b++) await Promise.all(Array.from({ length: 11 }, () => log.append(signedReadRecord(filler))));
    const used = process.cpuUsage(before);
    return (used.user + used.system) / (batches * 11);
  };
  await round();
  const us = { memory: [] as number[], file: [] as number[] };
  for (let i = 0; i < 6; i++) {
    const mode = (i % 4 === 0 || i % 4 === 3 ? 'memory' : 'file') as keyof typeof us;
    await store.knex.raw(`PRAGMA temp_store = ${mode === 'memory' ? 'MEMORY' : 'FILE'}`);
    us[mode].push(await round());
  }
  await store.knex.raw('PRAGMA temp_store = MEMORY');
  await log.close();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  result('append CPU, batches of 11 signed reads (9 KiB bodies)', `${mean(us.memory).toFixed(0)} µs/record`, `temporary storage in files: ${mean(us.file).toFixed(0)} µs/record (${(mean(us.memory) / mean(us.file)).toFixed(2)}×)`);
}

async function main(): Promise<void> {
  if (client === 'postgres' && !(await postgresAvailable())) throw new Error('PostgreSQL is not reachable (DATABASE_URL_TEST or postgres://postgres@127.0.0.1:5432/test)');
  process.stderr.write(`exchange-log bench: ${N} records on ${client}\n`);
  const growth = await runLogGrowth({ client, records: N, log: (line) => process.stderr.write(`  ${line}\n`) });
  rows.push(...growth.rows);
  for (const step of [bodiesVerify, appendThroughput, appendCpu]) {
    const store = await freshStore(client);
    try {
      await step(store);
    } finally {
      await store.dispose();
    }
  }
  const w = Math.max(...rows.map((r) => r.measure.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  process.stdout.write(`\nexchange log on ${client}, ${N} records\n`);
  for (const r of rows) process.stdout.write(`${r.measure.padEnd(w)}  ${r.value.padStart(v)}  ${r.note}\n`);
  const out = arg('json');
  if (out) fs.writeFileSync(out, JSON.stringify({ store: client, records: N, at: new Date().toISOString(), rows }, null, 2));
}

main().catch((e: Error) => {
  process.stderr.write(`bench failed: ${e.message}\n`);
  process.exitCode = 1;
});
