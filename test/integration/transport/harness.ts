import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { loadConfig } from '../../../src/config/loader.js';
import type { Config } from '../../../src/config/schema.js';
import type { ExchangeLogWriter, ExchangeRecordInput } from '../../../src/exchange-log/types.js';
import { requestContext } from '../../../src/http/request-context.js';
import { createApiRouter, type ApiRouterDeps } from '../../../src/http/api-router.js';
import { silentLogger, type Logger } from '../../../src/log/logger.js';
import { OperationTable } from '../../../src/operations/operation-table.js';
import { pingGroup } from '../../../src/operations/ping.js';
import { KeyStore, identityFromPem, type SigningIdentity } from '../../../src/pki/key-store.js';
import { TrustStore } from '../../../src/pki/trust-store.js';
import type { Store } from '../../../src/store/store.js';
import { completeLoggedClaims } from '../../../src/xroad/message-ids.js';
import { prepareRecord } from '../../../src/exchange-log/prepare-record.js';
import { buildSignedRequest, readFault, xroadId, xroadServiceId, type SignedRequestSpec } from '../../../src/xroad/client-request.js';
import { parseEnvelope, verifyEnvelope, type ReceivedEnvelope } from '../../../src/xroad/envelope.js';
import { NS } from '../../../src/xroad/namespaces.js';
import { createXRoadTransport } from '../../../src/xroad/router.js';
import { directListener } from '../../../src/http/direct-route.js';
import { queryOf } from '../../../src/store/raw-transaction.js';
import { childElements, textOf } from '../../../src/xroad/xml/dom.js';
import { verifyWsSecurity } from '../../../src/xroad/wssec/ws-security-verifier.js';

/** The TEST-ONLY key set committed under fixtures/transport (see make-test-only-pki.ts). */
export const PKI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/transport/test-only-pki');
export const GOLDEN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/transport/golden');
export const keys = new KeyStore(PKI_DIR);
export const trust = new TrustStore([fs.readFileSync(path.join(PKI_DIR, 'ca.crt'), 'utf8')]);
export const rogueIdentity: SigningIdentity = identityFromPem('70000030', fs.readFileSync(path.join(PKI_DIR, 'rogue-70000030.key'), 'utf8'), fs.readFileSync(path.join(PKI_DIR, 'rogue-70000030.crt'), 'utf8'));

export const PORTAL = 'central-server/GOV/70000030/portal';
export const OTHER = 'central-server/GOV/70000050/ministry';
export const PROVIDER = 'central-server/GOV/70000099/adapter-test';

export const id = xroadId;
/** `serviceVersion` null: a service header without a version. */
export const serviceId = xroadServiceId;

/** Test configuration: the ping group provided as `adapter-test`, portal allowed to call ping. */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  const base = {
    xroad: {
      providers: { 'pd-holders-registry': 'central-server/GOV/70000099/pd-holders-registry', 'egov-infra-registry': 'central-server/GOV/70000098/egov-infra-registry', 'adapter-test': PROVIDER, 'other-test': 'central-server/GOV/70000098/other-test' },
      testOperations: true,
      messageIds: { retentionSeconds: 3600, waitForPendingMs: 2000, pendingTakeoverSeconds: 60 },
    },
    acl: { [PORTAL]: { 'adapter-test': ['*'], 'other-test': ['*'] } },
  };
  return loadConfig({ env: { NODE_ENV: 'test' }, overrides: deepMerge(base, overrides) as never });
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur) ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * An in-memory exchange log; `failNext` makes the next append reject, `delayMs` holds appends back.
 * Like a log that keeps metadata only, it completes a read's message-id claim with the response
 * bytes in the claim's row.
 */
export class MemoryExchangeLog implements ExchangeLogWriter {
  readonly records: ExchangeRecordInput[] = [];
  /** The next append fails: with this error, or with a plain one for `true`. */
  failNext: boolean | Error = false;
  delayMs = 0;
  constructor(private readonly store?: Store) {}
  async append(record: ExchangeRecordInput): Promise<{ seq: number }> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failNext) {
      const err = this.failNext instanceof Error ? this.failNext : new Error('log store down');
      this.failNext = false;
      throw err;
    }
    this.records.push(record);
    const seq = this.records.length;
    const completion = prepareRecord(record, 'metadata').completion;
    if (completion && this.store) {
      const { store } = this;
      await store.knex.transaction((trx) => completeLoggedClaims(queryOf(trx, store.client), store.client, [{ ...completion, seq }], Date.now()));
    }
    return { seq };
  }
}

export interface TestServer {
  url: string;
  config: Config;
  table: OperationTable;
  exchangeLog: MemoryExchangeLog;
  close(): Promise<void>;
}

/** One adapter "process": the X-Road router and /api/v1 on an ephemeral loopback port. */
export async function startServer(opts: {
  store: Store;
  table?: OperationTable;
  config?: Config;
  now?: () => Date;
  logger?: Logger;
  idTokens?: ApiRouterDeps['idTokens'];
  /** Serve POST /xroad through express only, as for a content-encoded body, instead of its direct route. */
  expressOnly?: boolean;
}): Promise<TestServer> {
  const config = opts.config ?? testConfig();
  const table = opts.table ?? new OperationTable().register(pingGroup());
  const exchangeLog = new MemoryExchangeLog(opts.store);
  const logger = opts.logger ?? silentLogger();
  const app = express();
  app.use(requestContext(logger));
  const xroad = createXRoadTransport({ config, table, trust, keys, store: opts.store, exchangeLog, logger, now: opts.now });
  app.use(xroad.router);
  app.use(
    '/api/v1',
    createApiRouter({
      config,
      table,
      store: opts.store,
      exchangeLog,
      logger,
      now: opts.now,
      idTokens: opts.idTokens ?? {
        async verify(token: string) {
          const m = /^good-(\d{14})$/.exec(token);
          if (!m) throw new Error('bad token');
          return { pin: m[1] };
        },
      },
    }),
  );
  const server = http.createServer(directListener(app, opts.expressOnly ? [] : xroad.direct, { logger }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    table,
    exchangeLog,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What buildSignedRequest takes, with the test defaults for client (the portal), service (ping at the provider), id and signer. Unknown extraHeaders are echoed too. */
export type RequestSpec = Omit<SignedRequestSpec, 'client' | 'service' | 'signer'> & Partial<Pick<SignedRequestSpec, 'client' | 'service' | 'signer'>>;

let seq = 0;
export const newId = (): string => `msg-${process.pid}-${Date.now()}-${++seq}`;

/** A signed X-Road request as a client's security server would send it. */
export function signedRequest(spec: RequestSpec): string {
  return buildSignedRequest({
    ...spec,
    client: spec.client ?? id(PORTAL),
    service: spec.service ?? serviceId(PROVIDER, 'ping'),
    id: spec.id ?? newId(),
    signer: spec.signer ?? keys.identity('70000030'),
  });
}

export const pingBody = (text = 'hello', ns = 'urn:kg:tunduk:adapter-test:v1'): string => `<t:ping xmlns:t="${ns}"><t:text>${text}</t:text></t:ping>`;

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' }): Promise<HttpResult> {
  const r = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

export interface ParsedResponse {
  env: ReceivedEnvelope;
  /** Local names of the header children (wsse:Security excluded), in order. */
  headerNames: string[];
  faultCode?: string;
  detailCode?: string;
  fields: Array<{ name: string; reason: string }>;
  messages: Record<string, string>;
  wrapper?: { local: string; ns: string; values: Record<string, string> };
}

/** Parses a response with the adapter's own parser; checks nothing (tests assert). */
export function parseResponse(text: string): ParsedResponse {
  const env = parseEnvelope(text);
  const headerNames = env.headerChildren.map((h) => `${h.ns === NS.xrd ? 'xrd' : h.ns === NS.repr ? 'repr' : h.prefix}:${h.local}`);
  const out: ParsedResponse = { env, headerNames, fields: [], messages: {} };
  const w = env.bodyWrapper;
  const fault = w ? readFault(w) : undefined;
  if (fault) {
    out.faultCode = fault.faultCode;
    if (fault.detailCode !== undefined) out.detailCode = fault.detailCode;
    out.messages = fault.messages;
    out.fields = fault.fields;
  } else if (w) {
    const values: Record<string, string> = {};
    for (const c of childElements(w)) values[c.local] = childElements(c).length ? '[element]' : textOf(c);
    out.wrapper = { local: w.local, ns: w.ns, values };
  }
  return out;
}

/** Verifies a response's signature as a client's security server would: signed by the provider. */
export function verifyResponse(text: string, now = new Date()): ReturnType<typeof verifyEnvelope> {
  return verifyEnvelope(parseEnvelope(text), { trust, now, maxAgeSeconds: 300, futureSkewSeconds: 60, signerRole: 'service' });
}

/** Verifies that a response is signed by the given member, whatever its headers say (faults for services not provided here). */
export function verifySignedBy(text: string, memberCode: string, now = new Date()): void {
  const env = parseEnvelope(text);
  const securities = env.header ? childElements(env.header).filter((e) => e.ns === NS.wsse && e.local === 'Security') : [];
  verifyWsSecurity(
    { root: env.root, body: env.body, headerChildren: env.headerChildren, securities },
    { trust, now, maxAgeSeconds: 300, futureSkewSeconds: 60, signer: { memberClass: 'GOV', memberCode }, pinKeys: [] },
  );
}
