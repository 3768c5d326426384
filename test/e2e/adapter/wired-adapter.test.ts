import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { buildAdapter, mergeAcl, type Adapter } from '../../../src/adapter.js';
import { loadConfig } from '../../../src/config/loader.js';
import { silentLogger } from '../../../src/log/logger.js';
import { KeyStore } from '../../../src/pki/key-store.js';
import { TrustStore } from '../../../src/pki/trust-store.js';
import { buildSignedEnvelope, parseEnvelope, verifyEnvelope } from '../../../src/xroad/envelope.js';
import { buildXRoadHeaders } from '../../../src/xroad/headers.js';
import { id, parseResponse, serviceId } from '../../integration/transport/harness.js';
import { BACKSTOP_PAGES } from '../../../src/store/wal-checkpointer.js';

const sha = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');
const WEB_UI = 'central-server/GOV/70000099/registry-web-ui';
const BACKOFFICE = 'central-server/GOV/70000099/dpa-backoffice';
const HOLDERS = 'central-server/GOV/70000099/pd-holders-registry';
const INFRA = 'central-server/GOV/70000098/egov-infra-registry';
const INFRA_OPERATOR = 'central-server/GOV/70000098/infra-registry-operator';
const WSDL_DIR = new URL('../../../wsdl/', import.meta.url);

/**
 * The composition root as `npm start` builds it (sandbox on, development PKI, SQLite), served on
 * port 0: every part is reachable through the one app, and the parts are joined correctly.
 */
describe('e2e: the wired adapter', function () {
  this.timeout(60_000);
  let dir: string;
  let adapter: Adapter;
  let server: http.Server;
  let base: string;
  let keys: KeyStore;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adapter-wired-'));
    const config = loadConfig({
      env: { NODE_ENV: 'test' },
      overrides: {
        store: { dataDir: path.join(dir, 'data') },
        certs: { dir: path.join(dir, 'certs'), generateDev: true },
        sandbox: { enabled: true, minjustPort: 0, bisPort: 0 },
        api: { clients: { 'web-ui': { xroadClient: WEB_UI, tokenSha256: sha('web-ui-test-token') }, backoffice: { xroadClient: BACKOFFICE, tokenSha256: sha('backoffice-test-token') }, infra: { xroadClient: INFRA_OPERATOR, tokenSha256: sha('infra-test-token') } } },
        operators: { tokens: { auditor: { role: 'auditor', tokenSha256: sha('auditor-test-token') } } },
      } as never,
    });
    adapter = await buildAdapter(config, silentLogger());
    server = http.createServer(adapter.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    keys = new KeyStore(path.join(dir, 'certs'));
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await adapter?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (p: string, token?: string, extra: Record<string, string> = {}) => fetch(base + p, { headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...extra } });

  /** Posts a request signed by `client`'s member key to /xroad; answers the response text. */
  async function soap(client: string, provider: string, serviceCode: string, bodyXml: string): Promise<string> {
    const xml = buildSignedEnvelope({
      headers: buildXRoadHeaders({ client: id(client), service: serviceId(provider, serviceCode), id: crypto.randomUUID(), protocolVersion: '4.0' }),
      bodyXml,
      identity: keys.identity(client.split('/')[2]),
      now: new Date(),
      ttlSeconds: 300,
    });
    const r = await fetch(`${base}/xroad`, { method: 'POST', body: xml, headers: { 'content-type': 'text/xml; charset=utf-8' } });
    return r.text();
  }

  /** One scrape of /metrics; the returned function reads an unlabelled metric's value from it. */
  async function metricValues(): Promise<(name: string) => number> {
    const metrics = await (await get('/metrics')).text();
    return (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
  }

  it('checkpoints its SQLite file from a thread of its own, and the store connection only as a backstop', async () => {
    expect(adapter.checkpointer, 'checkpointer').to.not.equal(undefined);
    const pages = Object.values(((await adapter.store.knex.raw('PRAGMA wal_autocheckpoint')) as Array<Record<string, unknown>>)[0])[0];
    expect(pages).to.equal(BACKSTOP_PAGES);
    const end = Date.now() + 5000;
    while ((await adapter.checkpointer!.stats()).runs === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await adapter.checkpointer!.stats()).to.include({ failures: 0 }).and.to.have.property('runs').above(0);
    const value = await metricValues();
    expect(value('adapter_sqlite_checkpoint_runs')).to.be.above(0);
    expect(value('adapter_sqlite_checkpoint_failures')).to.equal(0);
    expect(value('adapter_sqlite_wal_checkpointed_frames')).to.be.at.most(value('adapter_sqlite_wal_frames'));
  });

  it('is ready, with both upstream breakers closed', async () => {
    const r = await get('/readyz');
    expect(r.status).to.equal(200);
    expect(await r.json()).to.deep.include({ status: 'ready', upstreams: { minjust: 'closed', bis: 'closed' } });
  });

  it('serves both WSDLs exactly as committed (staff reports are not part of them)', async () => {
    for (const s of ['pd-holders-registry', 'egov-infra-registry']) {
      const r = await get(`/wsdl/${s}.wsdl`);
      expect(r.status).to.equal(200);
      const served = await r.text();
      expect(served.replace(/location="[^"]*"/g, '')).to.equal(fs.readFileSync(new URL(`${s}.wsdl`, WSDL_DIR), 'utf8').replace(/location="[^"]*"/g, ''));
      expect(served).not.to.match(/listOverdue|getHolderHistory/);
    }
  });

  it('describes registry operations, staff reports, MoJ data and attachment download in OpenAPI', async () => {
    const doc = (await (await get('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(doc.paths).to.include.keys('/holders', '/holders-reports/overdue', '/elements-reports/overdue', '/legal-entities/{inn}', '/elements/{elementId}/attachments/{attachmentId}');
  });

  it("pulls the Agency's MoJ data through a signed X-Road exchange that the operator API then shows", async () => {
    const r = await get('/api/v1/legal-entities/01001202210023', 'web-ui-test-token');
    expect(r.status).to.equal(200);
    const body = (await r.json()) as { data: { okpo: string }; stale: boolean };
    expect(body).to.deep.include({ stale: false });
    expect(body.data.okpo).to.equal('31296230');
    await adapter.exchangeLog.flush();
    const page = (await (await get('/ops/v1/exchanges?serviceCode=getSubjectByTin', 'auditor-test-token')).json()) as { items: Array<{ direction: string; succeeded: boolean }> };
    expect(page.items).to.have.length(1);
    expect(page.items[0]).to.deep.include({ direction: 'out', succeeded: true });
  });

  it('lets only clients that may file holder applications pull MoJ data', async () => {
    const r = await get('/api/v1/legal-entities/01001202210023', 'infra-test-token');
    expect(r.status).to.equal(403);
    expect(await r.json()).to.deep.include({ code: 'ACCESS_DENIED' });
  });

  it('serves the staff reports on /api/v1 to the Agency and the infra operator only', async () => {
    expect((await get('/api/v1/holders-reports/overdue', 'backoffice-test-token')).status).to.equal(200);
    expect((await get('/api/v1/elements-reports/overdue', 'infra-test-token')).status).to.equal(200);
    const denied = await get('/api/v1/holders-reports/overdue', 'web-ui-test-token', { 'Accept-Language': 'en' });
    expect(denied.status).to.equal(403);
    expect(await denied.json()).to.deep.include({ code: 'ACCESS_DENIED' });
  });

  it('does not serve a staff report over X-Road, even to a client the ACL allows', async () => {
    const text = await soap(BACKOFFICE, HOLDERS, 'listOverdueApplications', '<h:listOverdueApplications xmlns:h="urn:kg:dpa:holders-registry:v1"/>');
    const parsed = parseResponse(text);
    expect(parsed.faultCode).to.match(/UnknownService$/);
  });

  it('answers a signed listHolders from any member, signed by the provider', async () => {
    const text = await soap('central-server/GOV/70000050/ministry-system', HOLDERS, 'listHolders', '<h:listHolders xmlns:h="urn:kg:dpa:holders-registry:v1"/>');
    const parsed = parseResponse(text);
    expect(parsed.faultCode, JSON.stringify(parsed.messages)).to.equal(undefined);
    expect(parsed.wrapper?.local).to.equal('listHoldersResponse');
    verifyEnvelope(parseEnvelope(text), { trust: new TrustStore([keys.readPem('ca.crt')]), now: new Date(), maxAgeSeconds: 300, futureSkewSeconds: 60, signerRole: 'service' });
  });

  it("answers a repeated read with the logged response, byte for byte, stored once", async () => {
    const client = 'central-server/GOV/70000050/ministry-system';
    const messageId = crypto.randomUUID();
    const xml = buildSignedEnvelope({
      headers: buildXRoadHeaders({ client: id(client), service: serviceId(HOLDERS, 'listHolders'), id: messageId, protocolVersion: '4.0' }),
      bodyXml: '<h:listHolders xmlns:h="urn:kg:dpa:holders-registry:v1"/>',
      identity: keys.identity('70000050'),
      now: new Date(),
      ttlSeconds: 300,
    });
    const send = () => fetch(`${base}/xroad`, { method: 'POST', body: xml, headers: { 'content-type': 'text/xml; charset=utf-8' } }).then((r) => r.text());
    const first = await send();
    expect(parseResponse(first).faultCode).to.equal(undefined);
    expect(await send()).to.equal(first);
    await adapter.exchangeLog.flush();
    const row = await adapter.store.knex('xroad_message_ids').where({ message_id: messageId }).first();
    const logged = await adapter.store.knex('exchange_records').where({ message_id: messageId }).orderBy('seq').select('seq');
    expect(logged).to.have.length(2);
    expect([row.state, Number(row.response_seq), row.response_body]).to.deep.equal(['done', Number(logged[0].seq), null]);
    const body = await adapter.store.knex('exchange_bodies').where({ seq: logged[0].seq }).first();
    expect(Buffer.from(body.response).toString('utf8')).to.equal(first);
  });

  it('logs a request that is not even XML, with its bytes and the fault it got, and the chain still verifies', async () => {
    const r = await fetch(`${base}/xroad`, { method: 'POST', body: 'not xml at all', headers: { 'content-type': 'text/xml; charset=utf-8', 'x-request-id': 'unreadable-1' } });
    expect(r.status).to.equal(500);
    expect(parseResponse(await r.text()).faultCode).to.equal('Client.InvalidXml');
    await adapter.exchangeLog.flush();
    const rec = await adapter.store.knex('exchange_records').where({ request_id: 'unreadable-1' }).first();
    expect(rec).to.deep.include({ client: '', message_id: '', fault_code: 'Client.InvalidXml' });
    const body = await adapter.store.knex('exchange_bodies').where({ seq: rec.seq }).first();
    expect(Buffer.from(body.request).toString('utf8')).to.equal('not xml at all');
    const verified = await adapter.exchangeLog.verify({ bodies: true });
    expect(verified.ok, JSON.stringify(verified).slice(0, 300)).to.equal(true);
  });

  it('shows the exchange-log writer on /metrics: what it committed, nothing failed or refused, nothing left waiting', async () => {
    await adapter.exchangeLog.flush();
    const value = await metricValues();
    const { records, batches } = adapter.exchangeLog.writerStats;
    expect(records, 'records this test file logged').to.be.above(0);
    expect(value('adapter_exchange_log_records_written')).to.equal(records);
    expect(value('adapter_exchange_log_batches_written')).to.equal(batches);
    expect(value('adapter_exchange_log_largest_batch')).to.be.within(1, records);
    expect(value('adapter_exchange_log_failed_batches')).to.equal(0);
    expect(value('adapter_exchange_log_refused_appends')).to.equal(0);
    expect(value('adapter_exchange_log_queued')).to.equal(0);
  });

  it('refuses an infra operation to a client outside the role matrix', async () => {
    const text = await soap('central-server/GOV/70000050/ministry-system', INFRA, 'decideRegistration', '<i:decideRegistration xmlns:i="urn:kg:egov:infra-registry:v1"/>');
    expect(parseResponse(text).faultCode).to.match(/AccessDenied$/);
  });

  it('closes cleanly: a second close is harmless', async () => {
    const extra = await buildAdapter(adapter.config, silentLogger(), { store: adapter.store });
    await extra.close();
    await extra.close();
    expect((await get('/healthz')).status).to.equal(200);
  });
});

describe('mergeAcl', () => {
  it('unions the operations each source grants, per client and subsystem', () => {
    expect(mergeAcl({ a: { s: ['x'] }, '*': { s: ['p'] } }, { a: { s: ['y', 'x'], t: ['*'] } })).to.deep.equal({ a: { s: ['x', 'y'], t: ['*'] }, '*': { s: ['p'] } });
  });
});
