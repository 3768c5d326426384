import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WorkingCalendar } from '../../src/calendar/working-calendar.js';
import type { Config } from '../../src/config/schema.js';
import type { Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/log/logger.js';
import { OperationTable } from '../../src/operations/operation-table.js';
import { pingGroup } from '../../src/operations/ping.js';
import { issueMemberCert } from '../../src/pki/dev-pki.js';
import { identityFromPem, type SigningIdentity } from '../../src/pki/key-store.js';
import { createHoldersRegistry } from '../../src/registries/holders/create-holders-registry.js';
import { createInfraRegistry } from '../../src/registries/infra/create-infra-registry.js';
import { infraAclEntries } from '../../src/registries/infra/infra-roles.js';
import { AGENCY_ACTOR_PIN, AGENCY_INN, AGENCY_LEGAL_ENTITY } from '../../fixtures/holders/agency-example.js';
import { FakeBis as HoldersBis, FakeMinjust } from '../../fixtures/holders/fake-consumers.js';
import { FakeBis as InfraBis } from '../../fixtures/infra/fake-bis.js';
import { INFRA_ROLES_CONFIG } from '../../fixtures/infra/sample-element.js';
import { freshStore, type TestStore } from '../helpers/stores.js';
import type { FromWorker, ToWorker } from './target-worker.js';
import { OTHER, PKI_DIR, PORTAL, keys, rogueIdentity, startServer, testConfig, type TestServer } from '../integration/transport/harness.js';

/** The Agency's back office (holders reviewer) as the holders tests name it. */
export const AGENCY = 'central-server/GOV/70000099/dpa-backoffice';
export const HOLDER_OPS = ['registerHolder', 'submitDataArrays', 'submitPersonalDataList', 'getApplicationStatus', 'getHolder', 'listHolders'];

/**
 * Limits of the fuzz target: smaller than the shipped defaults so that "near and beyond the
 * limit" inputs stay cheap to build and send; the code paths are the same.
 */
export const FUZZ_LIMITS = { maxBytes: 512 * 1024, maxAttachments: 4, maxAttachmentBytes: 128 * 1024 } as const;

export function fuzzConfig(): Config {
  const infraAcl = infraAclEntries(INFRA_ROLES_CONFIG);
  return testConfig({
    xroad: { limits: FUZZ_LIMITS },
    acl: {
      ...infraAcl,
      '*': { ...infraAcl['*'], 'pd-holders-registry': ['listHolders', 'getHolder'] },
      [PORTAL]: { 'adapter-test': ['*'], 'pd-holders-registry': HOLDER_OPS },
      [AGENCY]: { 'adapter-test': ['*'], 'pd-holders-registry': ['*'] },
      [OTHER]: { 'pd-holders-registry': ['listHolders', 'getHolder'] },
    },
  });
}

/** Signing identities of the fuzz corpus: the committed test members, two issued by the test CA, and a rogue key. */
export interface FuzzSigners {
  portal: SigningIdentity;
  other: SigningIdentity;
  agency: SigningIdentity;
  infraOperator: SigningIdentity;
  infraSubject: SigningIdentity;
  authorizedBody: SigningIdentity;
  rogue: SigningIdentity;
}

function issued(memberCode: string): SigningIdentity {
  const ca = { keyPem: fs.readFileSync(path.join(PKI_DIR, 'ca.key'), 'utf8'), certPem: fs.readFileSync(path.join(PKI_DIR, 'ca.crt'), 'utf8') };
  const c = issueMemberCert(ca, { memberClass: 'GOV', memberCode }, { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') });
  return identityFromPem(memberCode, c.keyPem, c.certPem);
}

export function fuzzSigners(): FuzzSigners {
  return {
    portal: keys.identity('70000030'),
    other: keys.identity('70000050'),
    agency: keys.identity('70000099'),
    infraOperator: keys.identity('70000098'),
    infraSubject: issued('70000060'),
    authorizedBody: issued('70000070'),
    rogue: rogueIdentity,
  };
}

/** What the fuzzer needs of a target, wherever it runs (this thread or a worker thread). */
export interface FuzzTargetHandle {
  host: string;
  port: number;
  config: Config;
  /** The operation table (for a worker target: the same groups, used only to encode bodies). */
  table: OperationTable;
  /** The target's frozen clock: requests are signed for it and responses verified against it. */
  now: Date;
  /** Number of exchange-log records appended so far (the in-memory log is emptied as it goes). */
  loggedExchanges(): Promise<number>;
  close(): Promise<void>;
}

export interface FuzzTarget extends FuzzTargetHandle {
  url: string;
  server: TestServer;
  store: TestStore;
}

function registries(store: Store, calendar: WorkingCalendar) {
  const holders = createHoldersRegistry({
    store,
    minjust: new FakeMinjust().add(AGENCY_LEGAL_ENTITY),
    bis: new HoldersBis().allow(AGENCY_ACTOR_PIN, AGENCY_INN),
    calendar,
    logger: silentLogger(),
    contactsVisibleTo: ['central-server/GOV/70000099'],
  });
  const infra = createInfraRegistry({ store, bis: new InfraBis(), calendar, logger: silentLogger(), roles: INFRA_ROLES_CONFIG });
  return new OperationTable().register(pingGroup()).register(holders.group).register(infra.group);
}

/** The target's operation table over no store: for encoding request bodies, never for calling a handler. */
export function schemaTable(config: Config): OperationTable {
  return registries({ knex: null } as unknown as Store, new WorkingCalendar(config.calendar));
}

/**
 * The real X-Road router (ping, holders and infra groups; fake MoJ/BIS; SQLite) on an ephemeral
 * loopback port, with a frozen clock so that a saved input replays against the same time.
 */
export async function startFuzzTarget(now: Date): Promise<FuzzTarget> {
  const store = await freshStore('sqlite');
  const config = fuzzConfig();
  const table = registries(store, new WorkingCalendar(config.calendar));
  const server = await startServer({ store, config, table, now: () => new Date(now) });
  const url = new URL(server.url);
  let dropped = 0;
  return {
    url: server.url,
    host: url.hostname,
    port: Number(url.port),
    config,
    table,
    server,
    store,
    now,
    async loggedExchanges() {
      // The harness's memory log keeps every body; keep the count, drop the records.
      const records = server.exchangeLog.records;
      dropped += records.length;
      records.length = 0;
      return dropped;
    },
    async close() {
      await server.close();
      await store.dispose();
    },
  };
}

export interface WireRequest {
  body: Buffer;
  /** undefined: no Content-Type header at all. */
  contentType?: string;
  soapAction?: string;
}

export interface WireResponse {
  status: number;
  contentType: string;
  body: Buffer;
  ms: number;
}

/** A keep-alive HTTP client for POST /xroad. */
export class XRoadClient {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  post(req: WireRequest, timeoutMs: number): Promise<WireResponse> {
    const headers: Record<string, string | number> = { 'content-length': req.body.length };
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;
    if (req.soapAction !== undefined) headers.soapaction = req.soapAction;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const r = http.request({ host: this.host, port: this.port, path: '/xroad', method: 'POST', agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks), ms: performance.now() - started }));
        res.on('error', reject);
      });
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      r.on('error', reject);
      r.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The target on a worker thread of this process: same router, same store, but on the second
 * core. `onProblem` hears of crashes, unhandled rejections and outbound connections there.
 */
export async function startWorkerTarget(now: Date, onProblem: (kind: string, message: string) => void): Promise<FuzzTargetHandle> {
  // A worker does not inherit the TypeScript loader: the entry loads it, then the worker module through it.
  // The ESM build of tsx's API (under mocha this module may be compiled to CommonJS, without import.meta.resolve).
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./target-worker.ts', import.meta.url).href;
  const code = `import { tsImport } from ${JSON.stringify(api)}; await tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)});`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: { now: now.toISOString() } });
  let closing = false;
  let asks = 0;
  const waiting = new Map<number, (n: number) => void>();
  let closed: (() => void) | undefined;
  const ready = new Promise<number>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') resolve(m.port);
      else if (m.type === 'logged') waiting.get(m.ask)?.(m.count);
      else if (m.type === 'problem') onProblem(m.kind, m.message);
      else if (m.type === 'closed') closed?.();
    });
    worker.on('error', (e) => {
      onProblem('worker-crash', e instanceof Error ? (e.stack ?? e.message) : String(e));
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!closing) onProblem('worker-exit', `the target thread exited with code ${code}`);
      reject(new Error(`target thread exited (${code})`));
    });
  });
  const port = await ready;
  const config = fuzzConfig();
  return {
    host: '127.0.0.1',
    port,
    config,
    table: schemaTable(config),
    now,
    loggedExchanges: () =>
      new Promise<number>((resolve) => {
        const ask = ++asks;
        waiting.set(ask, resolve);
        worker.postMessage({ type: 'logged', ask } satisfies ToWorker);
      }),
    close: async () => {
      closing = true;
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.postMessage({ type: 'close' } satisfies ToWorker);
        setTimeout(resolve, 5000).unref();
      });
      await worker.terminate();
    },
  };
}
