import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { Command } from 'commander';
import { AccessControl } from '../../../src/acl/access-control.js';
import { registerLogCommands } from '../../../src/cli/log-commands.js';
import type { OperationDef } from '../../../src/operations/types.js';
import { ensureDevPki } from '../../../src/pki/dev-pki.js';
import { KeyStore } from '../../../src/pki/key-store.js';
import { decideInfraAccess, INFRA_OPERATIONS, type InfraOperation } from '../../../src/registries/infra/infra-roles.js';
import { buildSignedEnvelope } from '../../../src/xroad/envelope.js';
import { encodeWrapper, objectShapeOf } from '../../../src/xroad/schema-xml.js';
import { sampleNotice } from '../../../fixtures/infra/sample-element.js';
import { buildXRoadHeaders } from '../../../src/xroad/headers.js';
import { testPki } from '../../integration/consumers/consumers-fixture.js';
import { id, parseResponse, serviceId } from '../../integration/transport/harness.js';
import { sha256, startWiredAdapter, type WiredAdapter } from './reliability-harness.js';

const UNKNOWN = 'central-server/GOV/79999999/unknown';
const WEB_UI = 'central-server/GOV/70000099/registry-web-ui';
const BACKOFFICE = 'central-server/GOV/70000099/dpa-backoffice';
const PORTAL = 'central-server/GOV/70000030/e-kyzmat-portal';
const INFRA_OPERATOR = 'central-server/GOV/70000098/infra-registry-operator';
const AUTHORIZED_BODY = 'central-server/GOV/70000070/egov-authority';
const INFRA = 'egov-infra-registry';
const HOLDERS = 'pd-holders-registry';

/** The development tokens of config/development.json (api clients), plus test-only ones for the other roles. */
const DEV = JSON.parse(fs.readFileSync(new URL('../../../config/development.json', import.meta.url), 'utf8')) as { api: { clients: Record<string, { xroadClient: string; tokenSha256: string }> } };
const DEV_TOKENS: Record<string, string> = { 'web-ui': 'dev-web-ui-token', 'dpa-backoffice': 'dev-backoffice-token' };
const API_TOKENS: Record<string, string> = { ...DEV_TOKENS, 'infra-operator': 'matrix-infra-operator-token', 'authorized-body': 'matrix-authorized-body-token', unknown: 'matrix-unknown-client-token' };
const API_CLIENTS: Record<string, string> = { ...Object.fromEntries(Object.entries(DEV.api.clients).map(([k, c]) => [k, c.xroadClient])), 'infra-operator': INFRA_OPERATOR, 'authorized-body': AUTHORIZED_BODY, unknown: UNKNOWN };

const OPERATOR_TOKEN = 'matrix-operator-token-0123';
const AUDITOR_TOKEN = 'matrix-auditor-token-01234';

class Capture extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

async function inBatches<T, R>(items: T[], size: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(f))));
  return out;
}

/**
 * Issue 9 "Access": a generated matrix over the wired adapter. Every operation of the wired table ×
 * every client the effective ACL names (plus the infra role clients and an unknown member), called
 * over signed SOAP and over /api/v1, is allowed or denied exactly as the configuration says;
 * operator endpoints refuse missing and wrong tokens and keep bodies from auditors; every body read
 * through /ops/v1 or the CLI is in the body-read journal, and nothing else hands out a body.
 */
describe('e2e reliability: access matrix and journaled body reads', function () {
  this.timeout(60_000);
  let dir: string;
  let w: WiredAdapter;
  let keys: KeyStore;
  let acl: AccessControl;

  before(async () => {
    // The development PKI of the test run, plus a certificate for the member no configuration names.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'access-matrix-'));
    fs.cpSync(testPki().dir, dir, { recursive: true });
    ensureDevPki(dir, [{ memberClass: 'GOV', memberCode: '79999999' }]);
    keys = new KeyStore(dir);
    w = await startWiredAdapter(
      {
        api: {
          clients: {
            ...DEV.api.clients,
            ...Object.fromEntries(Object.keys(API_TOKENS).filter((k) => !DEV_TOKENS[k]).map((k) => [k, { xroadClient: API_CLIENTS[k], tokenSha256: sha256(API_TOKENS[k]) }])),
          },
        },
        operators: { tokens: { 'matrix-operator': { role: 'operator', tokenSha256: sha256(OPERATOR_TOKEN) }, 'matrix-auditor': { role: 'auditor', tokenSha256: sha256(AUDITOR_TOKEN) } } },
      },
      dir,
    );
    acl = new AccessControl(w.adapter.config.acl);
  });
  after(async () => {
    await w?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The transport decision, exactly as configured. */
  function expectedAllowed(client: string, op: OperationDef): boolean {
    return acl.isAllowed(client, op.subsystem, op.serviceCode);
  }

  /**
   * Cells the ACL lets through but the infra registry's role matrix refuses: the ACL grants the
   * subjects' operations to any client (`*`), the operator and the authorized body included.
   */
  function refusedByRole(client: string, op: OperationDef): boolean {
    return op.subsystem === INFRA && (INFRA_OPERATIONS as readonly string[]).includes(op.serviceCode) && !decideInfraAccess(op.serviceCode as InfraOperation, client, w.adapter.config.infra).allowed;
  }

  function soapClients(): string[] {
    const c = w.adapter.config;
    return [...new Set([...Object.keys(c.acl).filter((k) => k !== '*'), ...c.infra.authorizedBodies, ...c.infra.operators, UNKNOWN])].sort();
  }

  async function soapCall(client: string, op: OperationDef, bodyXml?: string): Promise<ReturnType<typeof parseResponse> & { status: number }> {
    const provider = w.adapter.config.xroad.providers[op.subsystem];
    const xml = buildSignedEnvelope({
      headers: buildXRoadHeaders({ client: id(client), service: serviceId(provider, op.serviceCode, op.version), id: crypto.randomUUID(), protocolVersion: '4.0', userId: '21503199000017' }),
      bodyXml: bodyXml ?? `<p:${op.serviceCode} xmlns:p="${op.namespace}"/>`,
      identity: keys.identity(client.split('/')[2]),
      now: new Date(),
      ttlSeconds: 300,
    });
    const r = await fetch(`${w.base}/xroad`, { method: 'POST', body: xml, headers: { 'content-type': 'text/xml; charset=utf-8' } });
    return { status: r.status, ...parseResponse(await r.text()) };
  }

  it('SOAP: every served operation × every configured client (and an unknown one) as the ACL and role matrix say', async () => {
    const ops = w.adapter.table.operations().filter((op) => !op.restOnly && w.adapter.config.xroad.providers[op.subsystem]);
    const clients = soapClients();
    const cells = clients.flatMap((client) => ops.map((op) => ({ client, op })));
    const results = await inBatches(cells, 8, async (cell) => ({ ...cell, res: await soapCall(cell.client, cell.op) }));
    const wrong: string[] = [];
    let allowed = 0;
    let aclOnly = 0;
    for (const { client, op, res } of results) {
      const expectAllowed = expectedAllowed(client, op);
      // The signature and the service were accepted: only access control decides between the outcomes.
      if (res.faultCode === 'Client.InvalidSignature' || /UnknownService$/.test(res.faultCode ?? '')) wrong.push(`${client} ${op.serviceCode}: ${res.faultCode}`);
      const denied = res.detailCode === 'ACCESS_DENIED';
      if (expectAllowed && refusedByRole(client, op)) {
        // Past the ACL, refused by the registry's role matrix before the input is read.
        aclOnly += 1;
        if (res.detailCode !== 'ACCESS_DENIED') wrong.push(`${client} ${op.serviceCode}: role matrix refuses, got ${res.faultCode}/${res.detailCode}`);
      } else if (denied === expectAllowed) wrong.push(`${client} ${op.subsystem}/${op.serviceCode}: expected ${expectAllowed ? 'allowed' : 'denied'}, got ${res.faultCode}/${res.detailCode}`);
      if (denied) expect(res.faultCode).to.equal('Client.AccessDenied');
      if (expectAllowed) allowed += 1;
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
    // Hand-written expectations, so the generated part cannot pass vacuously.
    const cell = (client: string, serviceCode: string) => results.find((r) => r.client === client && r.op.serviceCode === serviceCode)!.res.detailCode;
    expect(cell(UNKNOWN, 'listHolders')).not.to.equal('ACCESS_DENIED');
    expect(cell(UNKNOWN, 'registerHolder')).to.equal('ACCESS_DENIED');
    expect(cell(UNKNOWN, 'decideRegistration')).to.equal('ACCESS_DENIED');
    expect(cell(PORTAL, 'registerHolder')).not.to.equal('ACCESS_DENIED');
    expect(cell(WEB_UI, 'registerHolder')).not.to.equal('ACCESS_DENIED');
    expect(cell(BACKOFFICE, 'reviewApplication')).not.to.equal('ACCESS_DENIED');
    expect(cell(PORTAL, 'reviewApplication')).to.equal('ACCESS_DENIED');
    expect(cell(INFRA_OPERATOR, 'decideRegistration')).not.to.equal('ACCESS_DENIED');
    expect(cell(AUTHORIZED_BODY, 'decideRegistration')).to.equal('ACCESS_DENIED');
    expect(cell(AUTHORIZED_BODY, 'forwardNotice')).not.to.equal('ACCESS_DENIED');
    expect(cell(PORTAL, 'forwardNotice')).to.equal('ACCESS_DENIED');
    // The ACL lets every client reach the subjects' infra operations; the role matrix refuses the operator before reading the (here empty) input, and with a valid notice too.
    expect(cell(INFRA_OPERATOR, 'submitRegistrationNotice')).to.equal('ACCESS_DENIED');
    const notice = w.adapter.table.operations().find((op) => op.serviceCode === 'submitRegistrationNotice')!;
    const valid = await soapCall(INFRA_OPERATOR, notice, encodeWrapper(notice.serviceCode, notice.namespace, sampleNotice(), objectShapeOf(notice.input, 'input'), 'i'));
    expect(valid.detailCode, JSON.stringify(valid.fields)).to.equal('ACCESS_DENIED');
    expect(allowed).to.be.greaterThan(0);
    expect(allowed).to.be.lessThan(cells.length);
    process.stdout.write(`      SOAP matrix: ${ops.length} operations × ${clients.length} clients = ${cells.length} calls, ${allowed} allowed, ${cells.length - allowed} denied (${aclOnly} allowed by the ACL are refused by the infra role matrix)\n`);
  });

  it('SOAP: staff reports are not served over X-Road to anyone', async () => {
    const reports = w.adapter.table.operations().filter((op) => op.restOnly);
    expect(reports.length).to.be.greaterThan(0);
    for (const op of reports) expect((await soapCall(BACKOFFICE, op)).faultCode).to.match(/UnknownService$/);
  });

  it('/api/v1: every REST-bound operation × every api client as the ACL and role matrix say; bad tokens get 401', async () => {
    const ops = w.adapter.table.operations().filter((op) => op.rest);
    const names = Object.keys(API_TOKENS).sort();
    const cells = names.flatMap((name) => ops.map((op) => ({ name, op })));
    const wrong: string[] = [];
    let allowed = 0;
    const results = await inBatches(cells, 8, async ({ name, op }) => {
      const url = w.base + '/api/v1' + op.rest!.path.replace(/:(\w+)/g, (_m, p: string) => (/inn/i.test(p) ? '01001202210023' : 'X-1'));
      const r = await fetch(url, { method: op.rest!.method, headers: { Authorization: `Bearer ${API_TOKENS[name]}`, 'Accept-Language': 'en', ...(op.rest!.method === 'GET' ? {} : { 'content-type': 'application/json' }) }, body: op.rest!.method === 'GET' ? undefined : '{}' });
      const body = (await r.json()) as { code?: string };
      return { name, op, status: r.status, code: body.code };
    });
    for (const { name, op, status, code } of results) {
      const expectAllowed = expectedAllowed(API_CLIENTS[name], op);
      const denied = status === 403 && code === 'ACCESS_DENIED';
      if (expectAllowed) allowed += 1;
      if (expectAllowed && refusedByRole(API_CLIENTS[name], op)) {
        if (code !== 'ACCESS_DENIED') wrong.push(`${name} ${op.rest!.path}: role matrix refuses, got ${status} ${code}`);
      } else if (denied === expectAllowed || status === 401) wrong.push(`${name} ${op.rest!.method} ${op.rest!.path}: expected ${expectAllowed ? 'allowed' : 'denied'}, got ${status} ${code}`);
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
    const cell = (name: string, serviceCode: string) => results.find((r) => r.name === name && r.op.serviceCode === serviceCode)!;
    expect(cell('web-ui', 'listOverdueApplications').status).to.equal(403);
    expect(cell('dpa-backoffice', 'listOverdueApplications').status).to.equal(200);
    expect(cell('unknown', 'listHolders').code).not.to.equal('ACCESS_DENIED');
    expect(cell('unknown', 'registerHolder').code).to.equal('ACCESS_DENIED');
    expect(allowed).to.be.greaterThan(0).and.lessThan(cells.length);
    for (const auth of [undefined, 'Bearer not-a-configured-token-000', 'Basic abc', `Bearer ${OPERATOR_TOKEN}`]) {
      const r = await fetch(`${w.base}/api/v1/holders`, { headers: auth ? { Authorization: auth } : {} });
      expect(r.status, String(auth)).to.equal(401);
      expect(((await r.json()) as { code: string }).code).to.equal('UNAUTHENTICATED');
    }
    process.stdout.write(`      /api/v1 matrix: ${ops.length} operations × ${names.length} clients = ${cells.length} calls, ${allowed} allowed\n`);
  });

  it('/api/v1 attachment download follows the getElement grant', async () => {
    for (const name of Object.keys(API_TOKENS)) {
      const r = await fetch(`${w.base}/api/v1/elements/E-1/attachments/a-1`, { headers: { Authorization: `Bearer ${API_TOKENS[name]}` } });
      const body = (await r.json()) as { code?: string };
      const allowed = acl.isAllowed(API_CLIENTS[name], INFRA, 'getElement');
      expect(body.code === 'ACCESS_DENIED', name).to.equal(!allowed);
    }
  });

  describe('/ops/v1 and the CLI: credentials, roles, and every body read journaled', () => {
    const MARKER = `body-marker-${crypto.randomBytes(6).toString('hex')}`;
    let seq: number;
    const ops = (p: string, token?: string, init: RequestInit = {}) => fetch(`${w.base}/ops/v1${p}`, { ...init, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> | undefined) } });
    const reads = async (): Promise<number> => (await w.adapter.store.knex('exchange_body_reads').count('* as n').first())!.n as number;

    before(async () => {
      // An exchange whose request body carries a marker (an unknown element: a logged Client fault).
      const listHolders = w.adapter.table.operations().find((op) => op.serviceCode === 'listHolders' && op.subsystem === HOLDERS)!;
      const res = await soapCall(UNKNOWN, listHolders, `<p:listHolders xmlns:p="${listHolders.namespace}"><p:${'x'}>${MARKER}</p:x></p:listHolders>`);
      expect(res.faultCode).to.match(/^Client\./);
      await w.adapter.exchangeLog.flush();
      const page = await w.adapter.exchangeLog.search({ client: UNKNOWN, serviceCode: 'listHolders' });
      seq = (page.items.find((x) => x.client === UNKNOWN) as { seq: number }).seq;
    });

    const ROUTES: Array<{ method: string; path: () => string; body?: boolean; operatorOnly?: boolean }> = [
      { method: 'GET', path: () => '/me' },
      { method: 'GET', path: () => '/exchanges?limit=50' },
      { method: 'GET', path: () => `/exchanges/${seq}` },
      { method: 'GET', path: () => `/exchanges/${seq}/request?why=matrix`, body: true, operatorOnly: true },
      { method: 'GET', path: () => `/exchanges/${seq}/response?why=matrix`, body: true, operatorOnly: true },
      { method: 'GET', path: () => '/integrity' },
      { method: 'GET', path: () => '/checkpoints' },
      { method: 'POST', path: () => '/checkpoints', operatorOnly: true },
      { method: 'GET', path: () => '/export' },
      { method: 'GET', path: () => '/export?format=csv' },
      { method: 'GET', path: () => '/stats' },
      { method: 'GET', path: () => '/access-journal?pin=21503199000017' },
      { method: 'GET', path: () => '/body-reads' },
    ];

    it('no token or a wrong one: 401 on every route; an auditor: 403 on bodies and checkpoint signing, never journaled', async () => {
      for (const r of ROUTES) {
        for (const token of [undefined, 'not-an-operator-token-0000', 'dev-operator-token', 'dev-web-ui-token']) {
          const res = await ops(r.path(), token, { method: r.method });
          expect(res.status, `${r.method} ${r.path()} with ${token}`).to.equal(401);
          expect(await res.text()).not.to.contain(MARKER);
        }
        const before = await reads();
        const res = await ops(r.path(), AUDITOR_TOKEN, { method: r.method });
        expect(res.status, `auditor ${r.method} ${r.path()}`).to.equal(r.operatorOnly ? 403 : 200);
        expect(await res.text()).not.to.contain(MARKER);
        expect(await reads()).to.equal(before);
      }
    });

    it('an operator gets a body only through the body routes, and each such read adds its journal entry first', async () => {
      for (const r of ROUTES) {
        const before = await reads();
        const res = await ops(r.path(), OPERATOR_TOKEN, { method: r.method });
        expect(res.status, `${r.method} ${r.path()}`).to.equal(200);
        const text = await res.text();
        const after = await reads();
        if (r.body) {
          expect(after, r.path()).to.equal(before + 1);
          const last = (await w.adapter.exchangeLog.bodyReads({ seq }, { limit: 1 })).items[0];
          expect(last).to.deep.include({ operator: 'matrix-operator', role: 'operator', via: 'api', seq, why: 'matrix' });
          if (r.path().includes('/request')) expect(text).to.contain(MARKER);
        } else {
          expect(text, r.path()).not.to.contain(MARKER);
          expect(after, r.path()).to.equal(before);
        }
      }
    });

    it('the CLI: `log show --request` prints the body and journals it; search, show, export, stats and access print no body', async () => {
      const run = async (args: string[]): Promise<string> => {
        const out = new Capture();
        const err = new Capture();
        const program = new Command('registry-adapter').exitOverride().configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });
        registerLogCommands(program, async () => ({ log: w.adapter.exchangeLog, close: async () => undefined }), { out, err });
        await program.parseAsync(args, { from: 'user' }).catch(() => undefined);
        return out.text + err.text;
      };
      for (const args of [['log', 'search', '--json'], ['log', 'show', String(seq)], ['log', 'export'], ['log', 'export', '--format', 'csv'], ['log', 'stats'], ['log', 'access', '--pin', '21503199000017'], ['log', 'verify']]) {
        const before = await reads();
        expect(await run(args), args.join(' ')).not.to.contain(MARKER);
        expect(await reads(), args.join(' ')).to.equal(before);
      }
      const before = await reads();
      expect(await run(['log', 'show', String(seq), '--request', '--why', 'matrix cli'])).to.contain(MARKER);
      expect(await reads()).to.equal(before + 1);
      const last = (await w.adapter.exchangeLog.bodyReads({ seq }, { limit: 1 })).items[0];
      expect(last).to.deep.include({ role: 'operator', via: 'cli', seq, part: 'request', why: 'matrix cli' });
    });
  });
});
