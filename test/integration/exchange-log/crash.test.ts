import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { expect } from 'chai';
import { forEachStore } from '../../helpers/stores.js';
import { openLog } from './log-context.js';
import { sampleRecord, testSigner } from '../../../fixtures/exchange-log/sample-records.js';

const ACKS_BEFORE_KILL = 1500;

/** Runs the appending child until it has acknowledged `acks` records, then kills it with SIGKILL. */
function runAndKill(storeConfig: unknown, offset: number, acks: number): Promise<Map<number, string>> {
  const signer = testSigner();
  const child = spawn(process.execPath, ['--import', 'tsx', 'fixtures/exchange-log/append-child.ts'], {
    env: {
      ...process.env,
      EXLOG_STORE: JSON.stringify(storeConfig),
      EXLOG_KEY: signer.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      EXLOG_CERT: signer.certificate.toString(),
      EXLOG_OFFSET: String(offset),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked = new Map<number, string>();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const [kind, seq, id] = line.split(' ');
      if (kind === 'ack') {
        if (acked.has(Number(seq))) reject(new Error(`seq ${seq} acknowledged twice`));
        acked.set(Number(seq), id);
        if (acked.size === acks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited by itself (code ${code}): ${stderr.slice(-2000)}`));
    });
  });
}

forEachStore('exchange log: kill -9 under load', (ctx) => {
  it('loses no acknowledged record, and the chain verifies after restart', async function () {
    this.timeout(120_000);
    const acked = await runAndKill(ctx.store.storeConfig, 0, ACKS_BEFORE_KILL);
    // Acknowledgements that were in the pipe when the kill landed are lost to us, not to the log.
    expect(acked.size).to.be.at.least(ACKS_BEFORE_KILL);
    const k = ctx.store.knex;
    const rows: Array<{ seq: number | string; message_id: string }> = await k('exchange_records').select('seq', 'message_id');
    const bySeq = new Map(rows.map((r) => [Number(r.seq), r.message_id]));
    const idCount = new Map<string, number>();
    for (const r of rows) idCount.set(r.message_id, (idCount.get(r.message_id) ?? 0) + 1);
    for (const [seq, id] of acked) {
      expect(bySeq.get(seq), `acknowledged seq ${seq}`).to.equal(id);
      expect(idCount.get(id), `message ${id}`).to.equal(1);
    }
    const log = openLog(ctx.store);
    const v = await log.verify();
    expect(v.ok, JSON.stringify(v.firstBreak)).to.equal(true);
    expect(v.checked).to.equal(rows.length);
    // The restarted writer continues the same chain.
    const { seq } = await log.append(sampleRecord(900_000));
    expect(seq).to.equal(rows.length + 1);
    await log.close();
    expect((await openLog(ctx.store).verify()).ok).to.equal(true);
  });

  it('two writer processes extend one chain, each killed under load', async function () {
    this.timeout(120_000);
    const before = (await openLog(ctx.store).head()).seq;
    const [a, b] = await Promise.all([runAndKill(ctx.store.storeConfig, 1_000_000, 600), runAndKill(ctx.store.storeConfig, 2_000_000, 600)]);
    for (const seq of a.keys()) expect(b.has(seq), `seq ${seq} acknowledged to both writers`).to.equal(false);
    const k = ctx.store.knex;
    for (const [seq, id] of [...a, ...b]) {
      const row = await k('exchange_records').select('message_id').where({ seq }).first();
      expect(row?.message_id, `acknowledged seq ${seq}`).to.equal(id);
    }
    const v = await openLog(ctx.store).verify();
    expect(v.ok, JSON.stringify(v.firstBreak)).to.equal(true);
    expect(v.checked).to.be.at.least(before + a.size + b.size);
  });
});
