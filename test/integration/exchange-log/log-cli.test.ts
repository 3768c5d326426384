import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { Command, CommanderError } from 'commander';
import { forEachStore } from '../../helpers/stores.js';
import { openLog } from './log-context.js';
import { sampleRecord, testSigner } from '../../../fixtures/exchange-log/sample-records.js';
import { registerLogCommands, type OpenLog } from '../../../src/cli/log-commands.js';
import { StoreUnavailableError, openStore } from '../../../src/store/store.js';
import { CLI_EXIT } from '../../../src/cli/main.js';
import { loadConfig } from '../../../src/config/loader.js';
import { openExchangeLog } from '../../../src/exchange-log/open-exchange-log.js';

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Runs `log …` in-process and maps the outcome to an exit code the way the CLI's runner does. */
async function run(open: OpenLog, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Capture();
  const err = new Capture();
  const program = new Command('registry-adapter').exitOverride().configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });
  registerLogCommands(program, open, { out, err });
  let code: number = CLI_EXIT.OK;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? CLI_EXIT.OK : CLI_EXIT.USAGE;
    else if (e instanceof StoreUnavailableError) code = CLI_EXIT.STORE;
    else {
      err.write(`error: ${(e as Error).message}\n`);
      code = CLI_EXIT.FAILED;
    }
  }
  return { code, out: out.text, err: err.text };
}

forEachStore('CLI: log commands and their exit codes', (ctx) => {
  let open: OpenLog;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'log-cli-'));
  const certFile = path.join(tmp, 'adapter.crt');
  before(async () => {
    const log = openLog(ctx.store, { checkpointEvery: 10 });
    for (let i = 0; i < 25; i++) await log.append(sampleRecord(i));
    await log.flush();
    open = async () => {
      const l = openLog(ctx.store, { checkpointEvery: 10 });
      return { log: l, close: () => l.close() };
    };
    fs.writeFileSync(certFile, testSigner().certificate.toString());
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('search: 0 with results, 1 with none, 2 on a bad value or option', async () => {
    const found = await run(open, ['log', 'search', '--service-code', 'getHolder', '--limit', '3']);
    expect(found.code).to.equal(0);
    expect(found.out.trim().split('\n')).to.have.length(3);
    expect(found.err).to.match(/more: --cursor \S+/);
    expect((await run(open, ['log', 'search', '--message-id', 'no-such-message'])).code).to.equal(1);
    const bad = await run(open, ['log', 'search', '--status', 'maybe']);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.include('--status');
    expect((await run(open, ['log', 'search', '--bogus'])).code).to.equal(2);
  });

  it('show: 0 and the metadata, 1 when absent, 2 for a bad id; a body read is journaled as a CLI read', async () => {
    const shown = await run(open, ['log', 'show', '3']);
    expect(shown.code).to.equal(0);
    expect(JSON.parse(shown.out)).to.include({ seq: 3, messageId: 'msg-00000002' });
    expect((await run(open, ['log', 'show', '99999'])).code).to.equal(1);
    expect((await run(open, ['log', 'show', 'x'])).code).to.equal(2);
    const body = await run(open, ['log', 'show', '3', '--request', '--why', 'ticket 7']);
    expect(body.code).to.equal(0);
    expect(body.out).to.equal((sampleRecord(2).requestBody as Buffer).toString());
    const reads = await openLog(ctx.store).bodyReads({ seq: 3 });
    expect(reads.items[0]).to.include({ via: 'cli', part: 'request', why: 'ticket 7' });
    expect(reads.items[0].operator).to.match(/^cli:/);
  });

  it('verify: 0 when intact, 1 naming the record when broken', async () => {
    const ok = await run(open, ['log', 'verify']);
    expect(ok.code).to.equal(0);
    expect(ok.out).to.match(/^chain intact: records 1…25/);
    const k = ctx.store.knex;
    const orig = await k('exchange_records').where({ seq: 14 }).first();
    await k('exchange_records').where({ seq: 14 }).update({ message_id: 'edited-by-hand' });
    try {
      const broken = await run(open, ['log', 'verify', '--json']);
      expect(broken.code).to.equal(1);
      expect(JSON.parse(broken.out).firstBreak).to.include({ seq: 14, kind: 'edited' });
      expect((await run(open, ['log', 'verify', '--from', '21', '--to', '25'])).code).to.equal(0);
    } finally {
      await k('exchange_records').where({ seq: 14 }).update({ message_id: orig.message_id });
    }
    expect((await run(open, ['log', 'verify', '--from', 'first'])).code).to.equal(2);
  });

  it('export, then verify the file offline against the certificate; a changed line is found', async () => {
    const file = path.join(tmp, 'range.ndjson');
    const exp = await run(open, ['log', 'export', '--from-seq', '11', '--to-seq', '25', '--out', file]);
    expect(exp.code).to.equal(0);
    expect(exp.err).to.include('exported 15 records');
    const ok = await run(open, ['log', 'verify', '--file', file, '--cert', certFile, '--json']);
    expect(ok.code).to.equal(0);
    expect(JSON.parse(ok.out)).to.include({ ok: true, anchor: 'checkpoint', checked: 15, lastVerifiedCheckpoint: 20 });
    expect((await run(open, ['log', 'verify', '--file', file])).code).to.equal(2);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"seq":17,'));
    lines[i] = lines[i].replace('"succeeded":true', '"succeeded":false').replace('"succeeded":false,"faultCode":"Client', '"succeeded":true,"faultCode":"Client');
    fs.writeFileSync(path.join(tmp, 'changed.ndjson'), lines.join('\n'));
    const broken = await run(open, ['log', 'verify', '--file', path.join(tmp, 'changed.ndjson'), '--cert', certFile, '--json']);
    expect(broken.code).to.equal(1);
    expect(JSON.parse(broken.out).firstBreak).to.include({ seq: 17, kind: 'edited' });
    const csv = await run(open, ['log', 'export', '--format', 'csv', '--to-seq', '3']);
    expect(csv.out.trim().split('\r\n')).to.have.length(4);
  });

  it('stats, access, checkpoint and purge', async () => {
    const stats = await run(open, ['log', 'stats', '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-03T00:00:00Z', '--json']);
    expect(stats.code).to.equal(0);
    expect(JSON.parse(stats.out).services.reduce((n: number, s: { count: number }) => n + s.count, 0)).to.equal(25);
    const access = await run(open, ['log', 'access', '--inn', '01001202210023']);
    expect(access.code).to.equal(0);
    expect(access.out.trim().split('\n').length).to.be.greaterThan(5);
    expect((await run(open, ['log', 'access', '--inn', '12'])).code).to.equal(2);
    const cp = await run(open, ['log', 'checkpoint']);
    expect(cp.code).to.equal(0);
    expect(JSON.parse(cp.out)).to.include({ seq: 25 });
    const purge = await run(open, ['log', 'purge', '--now', '2026-03-05T00:00:00Z']);
    expect(purge.code).to.equal(0);
    expect(JSON.parse(purge.out)).to.include({ recordsPurged: 0 });
    expect((await run(open, ['log', 'purge', '--now', 'soon'])).code).to.equal(2);
  });

  it('opens the log from configuration alone (store, and the adapter key from the certs folder)', async () => {
    const certs = path.join(tmp, 'certs');
    fs.mkdirSync(certs);
    fs.writeFileSync(path.join(certs, 'member-70000099.key'), testSigner().privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(path.join(certs, 'member-70000099.crt'), testSigner().certificate.toString());
    const config = loadConfig({ env: { NODE_ENV: 'test' }, overrides: { store: { ...ctx.store.storeConfig }, certs: { dir: certs, generateDev: false } } });
    const res = await run(() => openExchangeLog(config), ['log', 'verify', '--json']);
    expect(res.code).to.equal(0);
    expect(JSON.parse(res.out)).to.include({ ok: true });
  });

  it('exit 3 when the store is unavailable', async () => {
    const down: OpenLog = async () => {
      const store = await openStore({ client: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', sqliteFile: 'x', dataDir: '.', pool: { min: 0, max: 1 }, busyTimeoutMs: 100 });
      const l = openLog(store);
      return { log: l, close: () => store.close() };
    };
    const res = await run(down, ['log', 'verify']);
    expect(res.code).to.equal(3);
  });
});
