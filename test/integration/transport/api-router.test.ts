import { expect } from 'chai';
import crypto from 'node:crypto';
import { freshStore, type TestStore } from '../../helpers/stores.js';
import { OTHER, PORTAL, startServer, testConfig, type TestServer } from './harness.js';
import { newCalls, testTable, type Calls } from './test-group.js';

const TOKEN = 'web-ui-test-token-0123456789';
const OTHER_TOKEN = 'other-client-token-0123456789';
const sha = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

interface Problem {
  code: string;
  message: string;
  messages: Record<string, string>;
  fields: Array<{ field: string; reason: string; message: string; messages: Record<string, string> }>;
}

describe('/api/v1', () => {
  let store: TestStore;
  let srv: TestServer;
  let calls: Calls;
  before(async () => {
    store = await freshStore('sqlite');
    calls = newCalls();
    const config = testConfig({
      api: {
        clients: {
          webui: { xroadClient: PORTAL, tokenSha256: sha(TOKEN) },
          other: { xroadClient: OTHER, tokenSha256: sha(OTHER_TOKEN) },
        },
      },
    });
    srv = await startServer({ store, table: testTable(calls), config });
  });
  after(async () => {
    await srv?.close();
    await store?.dispose();
  });

  const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
    if (typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return fetch(`${srv.url}/api/v1${path}`, { ...init, headers });
  };

  describe('authentication', () => {
    it('requires the web UI client bearer token', async () => {
      for (const token of [null, 'wrong-token-0123456789abcdef', '']) {
        const r = await api('/ping', { method: 'POST', body: '{"text":"x"}', token });
        expect(r.status).to.equal(401);
        expect(r.headers.get('www-authenticate')).to.match(/^Bearer/);
        const p = (await r.json()) as Problem;
        expect(p.code).to.equal('UNAUTHENTICATED');
      }
    });

    it('maps the token to its X-Road client and the verified ID token to userId', async () => {
      const r = await api('/ping', { method: 'POST', body: '{"text":"x"}', headers: { 'x-user-token': 'good-21234567890123' } });
      expect(r.status).to.equal(200);
      expect(await r.json()).to.include({ client: PORTAL, userId: '21234567890123', transport: 'rest' });
      const anon = (await (await api('/ping', { method: 'POST', body: '{"text":"x"}' })).json()) as Record<string, unknown>;
      expect(anon.userId).to.equal(undefined);
    });

    it('refuses an ID token that does not verify', async () => {
      const r = await api('/ping', { method: 'POST', body: '{"text":"x"}', headers: { 'x-user-token': 'forged' } });
      expect(r.status).to.equal(401);
      expect(((await r.json()) as Problem).code).to.equal('UNAUTHENTICATED');
    });

    it('applies the same ACL as SOAP to the mapped client', async () => {
      const r = await api('/ping', { method: 'POST', body: '{"text":"x"}', token: OTHER_TOKEN });
      expect(r.status).to.equal(403);
      expect(((await r.json()) as Problem).code).to.equal('ACCESS_DENIED');
    });
  });

  describe('input and output', () => {
    it('merges path params, query and body; reports subjects; logs the exchange', async () => {
      const r = await api('/records/01001202210023', { method: 'POST', body: '{"value":"v"}', headers: { 'x-user-token': 'good-21234567890123' } });
      expect(r.status).to.equal(200);
      expect(await r.json()).to.deep.equal({ count: calls.record, value: 'v' });
      const rec = srv.exchangeLog.records.at(-1);
      expect(rec).to.include({ transport: 'rest', client: PORTAL, serviceCode: 'record', userId: '21234567890123', succeeded: true, statusCode: 200, operationKind: 'write' });
      expect(rec?.subjects).to.deep.equal([{ kind: 'inn', value: '01001202210023' }, { kind: 'pin', value: '21234567890123' }]);
    });

    it('refuses unknown fields and a field given twice with different values', async () => {
      const r = await api('/records/01001202210023?value=a', { method: 'POST', body: '{"value":"b","inn":"01001202210023","nested":{"x":1}}' });
      expect(r.status).to.equal(422);
      const p = (await r.json()) as Problem;
      expect(p.fields.map((f) => [f.field, f.reason])).to.deep.equal([
        ['nested', 'unknown'],
        ['value', 'repeated'],
      ]);
    });

    it('types query values by the schema', async () => {
      const r = await api('/records/01001202210023?value=q&delayMs=1', { method: 'POST' });
      expect(r.status, await r.clone().text()).to.equal(200);
      const bad = await api('/records/01001202210023?value=q&delayMs=soon', { method: 'POST' });
      expect(((await bad.json()) as Problem).fields.map((f) => [f.field, f.reason])).to.deep.equal([['delayMs', 'type']]);
    });

    it('accepts files as multipart/form-data, referenced by field name', async () => {
      const form = new FormData();
      form.append('input', new Blob([JSON.stringify({ text: 'with file' })], { type: 'application/json' }));
      form.append('file', new Blob([Buffer.from('%PDF-1.4 test')], { type: 'application/pdf' }), 'doc.pdf');
      const r = await api('/ping', { method: 'POST', body: form });
      expect(r.status, await r.clone().text()).to.equal(200);
      const out = (await r.json()) as { attachments: Array<{ contentId: string; contentType: string; size: number; sha256: string }> };
      expect(out.attachments).to.deep.equal([{ contentId: 'file', contentType: 'application/pdf', size: 13, sha256: sha('%PDF-1.4 test') }]);
      expect(srv.exchangeLog.records.at(-1)?.requestAttachmentCount).to.equal(1);
    });
  });

  describe('errors', () => {
    it('are problem documents with the message in the Accept-Language and all three languages', async () => {
      const seen: Record<string, string> = {};
      for (const lang of ['ky', 'ru', 'en']) {
        const r = await api('/ping', { method: 'POST', body: JSON.stringify({ text: 'x'.repeat(300) }), headers: { 'accept-language': `${lang},en;q=0.5` } });
        expect(r.status).to.equal(422);
        expect(r.headers.get('content-type')).to.match(/^application\/problem\+json/);
        const p = (await r.json()) as Problem;
        expect(p.code).to.equal('VALIDATION_FAILED');
        expect(p.message).to.equal(p.messages[lang]);
        expect(Object.keys(p.messages)).to.deep.equal(['ky', 'ru', 'en']);
        expect(p.fields[0]).to.include({ field: 'text', reason: 'tooLong' });
        expect(p.fields[0].message).to.equal(p.fields[0].messages[lang]);
        seen[lang] = p.message;
      }
      expect(new Set(Object.values(seen)).size).to.equal(3);
    });

    it('uses the catalogue status: not found, internal without internals', async () => {
      const nf = await api('/missing/123');
      expect(nf.status).to.equal(404);
      expect(((await nf.json()) as Problem).code).to.equal('NOT_FOUND');
      const bad = await api('/ping', { method: 'POST', body: '{"text":', headers: { 'content-type': 'application/json' } });
      expect(bad.status).to.equal(422);
      const media = await api('/ping', { method: 'POST', body: 'text=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(media.status).to.equal(415);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the stored response for the same key and body; refuses another body', async () => {
      const key = `k-${Date.now()}`;
      const before = calls.record;
      const a = await api('/records/01001202210023', { method: 'POST', body: '{"value":"i"}', headers: { 'idempotency-key': key } });
      const b = await api('/records/01001202210023', { method: 'POST', body: '{"value":"i"}', headers: { 'idempotency-key': key } });
      expect(await b.text()).to.equal(await a.text());
      expect(b.headers.get('idempotent-replayed')).to.equal('true');
      expect(calls.record).to.equal(before + 1);
      const c = await api('/records/01001202210023', { method: 'POST', body: '{"value":"j"}', headers: { 'idempotency-key': key } });
      expect(c.status).to.equal(409);
      expect(((await c.json()) as Problem).code).to.equal('DUPLICATE_MESSAGE_ID');
    });
  });

  describe('OpenAPI', () => {
    it('is served without authentication and describes every operation with a REST binding', async () => {
      const r = await fetch(`${srv.url}/api/v1/openapi.json`);
      expect(r.status).to.equal(200);
      const doc = (await r.json()) as { openapi: string; servers: Array<{ url: string }>; paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string; in: string }> }>>; components: { securitySchemes: Record<string, unknown> } };
      expect(doc.openapi).to.equal('3.1.0');
      expect(doc.servers[0].url).to.equal(`${srv.config.server.publicUrl}/api/v1`);
      const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, o]) => `${m.toUpperCase()} ${p} ${o.operationId}`));
      expect(ops.sort()).to.deep.equal(['GET /missing/{inn} missing', 'POST /ping ping', 'POST /records/{inn} record']);
      expect(doc.paths['/records/{inn}'].post.parameters.filter((p) => p.in === 'path').map((p) => p.name)).to.deep.equal(['inn']);
      expect(doc.paths['/missing/{inn}'].get.parameters.map((p) => `${p.in}:${p.name}`)).to.include('path:inn');
      expect(Object.keys(doc.components.securitySchemes)).to.deep.equal(['clientToken', 'userToken']);
    });
  });
});
