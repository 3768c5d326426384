import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { buildAdapter, type Adapter } from '../../../src/adapter.js';
import { runCli } from '../../../src/cli/main.js';
import { loadConfig } from '../../../src/config/loader.js';
import type { Config } from '../../../src/config/schema.js';
import { runHoldersDemo, type HoldersDemoResult } from '../../../src/demo/holders-demo.js';
import { runInfraDemo, type InfraDemoResult } from '../../../src/demo/infra-demo.js';
import { silentLogger } from '../../../src/log/logger.js';
import { describedHoldersGroup } from '../../../src/registries/holders/holders-operations.js';
import { INFRA_SERVICE_CODES } from '../../../src/registries/infra/infra-roles.js';
import { AGENCY_INN } from '../../../fixtures/holders/agency-example.js';

const DEV_AUDITOR_TOKEN = 'dev-auditor-token';

/** The environment a newcomer's shell would have for `npm start` and `npm run cli`, pointed at temporary folders. */
function devEnv(dir: string): Record<string, string> {
  return { NODE_ENV: 'development', DATA_DIR: path.join(dir, 'data'), CERTS_DIR: path.join(dir, 'certs'), LOG_LEVEL: 'error' };
}

/** Runs the operator CLI in-process with `env` as its environment; stdout and stderr captured. */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('CFG__') || ['DATABASE_URL', 'CONFIG_FILE', 'CONFIG_DIR', 'PORT'].includes(k)) delete process.env[k];
  Object.assign(process.env, env);
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** One statement on the SQLite file, in a connection of its own, as a person with a SQLite shell would; the changed row count. */
function sqliteRun(file: string, sql: string, params: unknown[]): number {
  const db = new Database(file);
  try {
    return db.prepare(sql).run(...params).changes;
  } finally {
    db.close();
  }
}

/**
 * Issues 5, 6 and 7 "done when": after the adapter starts (development configuration, sandbox
 * MoJ/BIS on ephemeral ports), both demos walk their registries over signed SOAP, the exchange
 * log holds every exchange and verifies, the console's API lists them, and a row edited by hand
 * in the SQLite file is reported by `log verify`.
 */
describe('e2e: the demos against a running adapter, then the exchange log', function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-e2e-'));
  const env = devEnv(dir);
  let config: Config;
  let adapter: Adapter | undefined;
  let server: http.Server | undefined;
  let url: string;
  let first: HoldersDemoResult;
  let infra: InfraDemoResult;
  const printed: string[] = [];
  const print = (line: string) => printed.push(line);

  const stop = async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    }
    await adapter?.close();
    adapter = undefined;
  };

  before(async () => {
    config = loadConfig({ env, overrides: { server: { host: '127.0.0.1', port: 0 }, sandbox: { enabled: true, minjustPort: 0, bisPort: 0 } } });
    adapter = await buildAdapter(config, silentLogger());
    server = http.createServer(adapter.listener);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('npm run demo: the Agency example through stages I–III, the review, its status, record and the public list', async () => {
    printed.length = 0;
    first = await runHoldersDemo({ url, certsDir: env.CERTS_DIR, print });
    expect(first).to.deep.include({ inn: AGENCY_INN, alreadyRegistered: false, status: 'APPROVED', registrationNumber: '2-00001' });
    expect(first.dueDate).to.match(/^\d{4}-\d{2}-\d{2}$/);
    // A status query that finds nothing, then the operations of CONTRACT §5 in their order.
    const holdersCodes = describedHoldersGroup().operations.map((o) => o.serviceCode);
    expect(first.steps.map((s) => s.operation)).to.deep.equal(['getApplicationStatus', ...holdersCodes]);
    expect(first.steps[0]).to.include({ ok: false, detailCode: 'NOT_FOUND' });
    expect(first.steps.slice(1).every((s) => s.ok)).to.equal(true);
    expect(first.steps.map((s) => s.signedBy)).to.deep.equal(Array(8).fill('70000099'));
    const text = printed.join('\n');
    expect(text).to.contain(`INN ${AGENCY_INN}`);
    expect(text).to.contain('from MoJ: name');
    expect(text).to.contain('central-server/GOV/70000024/minjust-service/getSubjectByTin');
    expect(text).to.contain('registration number 2-00001');
    expect(text).to.match(/status UNDER_REVIEW .* review due \d{4}-\d{2}-\d{2}/);
    for (const s of first.steps) expect(text).to.contain(`xrd:id ${s.messageId}`);
  });

  it('a second run says the Agency is already registered and shows its status', async () => {
    printed.length = 0;
    const again = await runHoldersDemo({ url, certsDir: env.CERTS_DIR, print });
    expect(again).to.deep.include({ alreadyRegistered: true, status: 'APPROVED', registrationNumber: '2-00001' });
    expect(again.steps.map((s) => s.operation)).to.deep.equal(['getApplicationStatus', 'getHolder', 'listHolders']);
    expect(printed.join('\n')).to.contain('already registered: status APPROVED (Approved) · registration number 2-00001');
  });

  it('npm run demo:infra: one element from notice to deregistered, files as SwA attachments', async () => {
    printed.length = 0;
    infra = await runInfraDemo({ url, certsDir: env.CERTS_DIR, print });
    expect(infra).to.deep.include({ registryNumber: 'EGI-000001', status: 'DEREGISTERED', versions: 2 });
    expect(infra.attachments.map((a) => a.role).sort()).to.deep.equal(['COMMISSIONING_ACT', 'DEREGISTRATION_DECISION', 'TECHNICAL_DOCUMENTATION', 'TECHNICAL_DOCUMENTATION']);
    expect(infra.attachments.every((a) => /^[0-9a-f]{64}$/.test(a.sha256) && a.sizeBytes > 0)).to.equal(true);
    // The operations of CONTRACT §5 in their order, all but the list.
    expect(infra.steps.map((s) => s.operation)).to.deep.equal(INFRA_SERVICE_CODES.filter((c) => c !== 'listElements'));
    expect(infra.steps.every((s) => s.ok && s.signedBy === '70000098')).to.equal(true);
    const text = printed.join('\n');
    expect(text).to.contain('registry number EGI-000001');
    expect(text).to.contain('late: false');
    expect(text).to.contain('history: NOTICE_SUBMITTED → FORWARDED → ACCESS_GRANTED → DATA_SUBMITTED → REGISTERED → REGISTERED → DEREGISTRATION_REQUESTED → DEREGISTERED');
  });

  it('the exchange log holds every demo exchange, with the MoJ and BIS calls behind them, and verifies intact', async () => {
    const log = adapter!.exchangeLog;
    await log.flush();
    for (const s of [...first.steps, ...infra.steps]) {
      const page = await log.search({ messageId: s.messageId, direction: 'in' });
      expect(page.items, s.operation).to.have.length(1);
      expect(page.items[0]).to.include({ serviceCode: s.operation, succeeded: s.ok, transport: 'soap' });
    }
    expect((await log.search({ direction: 'out', serviceCode: 'getSubjectByTin' })).items).to.have.length(1);
    expect((await log.search({ direction: 'out', client: config.xroad.client })).items.length).to.be.greaterThan(1);
    const report = await log.verify();
    expect(report).to.include({ ok: true, from: 1 });
  });

  it("the console's API lists them for the dev auditor", async () => {
    const res = await fetch(`${url}/ops/v1/exchanges?limit=100`, { headers: { authorization: `Bearer ${DEV_AUDITOR_TOKEN}` } });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { items: Array<{ messageId: string; serviceCode: string }>; nextCursor: string | null };
    const listed = new Set(body.items.map((i) => i.messageId));
    for (const s of [...first.steps, ...infra.steps]) expect(listed.has(s.messageId), s.operation).to.equal(true);
    expect((await fetch(`${url}/ops/v1/exchanges`, { headers: { authorization: 'Bearer not-a-token-at-all' } })).status).to.equal(401);
    const consolePage = await fetch(`${url}/console/`);
    expect(consolePage.status).to.equal(200);
  });

  it('npm run cli -- log verify: intact after the demos; a row edited by hand in the SQLite file is reported, exit 1', async () => {
    await stop();
    const intact = await cli(['log', 'verify'], env);
    expect(intact.code, intact.err).to.equal(0);
    expect(intact.out).to.match(/^chain intact: records 1…\d+/);

    // The stage-II exchange of the first holders run: someone rewrites who did it.
    const file = path.join(env.DATA_DIR, config.store.sqliteFile);
    const target = first.steps.find((s) => s.operation === 'submitDataArrays')!;
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT seq FROM exchange_records WHERE message_id = ?').all(target.messageId) as Array<{ seq: number }>;
    db.close();
    expect(rows).to.have.length(1);
    const seq = rows[0].seq;
    expect(sqliteRun(file, 'UPDATE exchange_records SET user_id = ? WHERE seq = ?', ['21503199000099', seq])).to.equal(1);

    const broken = await cli(['log', 'verify'], env);
    expect(broken.code).to.equal(1);
    expect(broken.out).to.match(new RegExp(`^chain BROKEN at record ${seq}: edited\\n`));
    expect(broken.err).to.contain(`integrity broken at record ${seq}`);
  });
});
