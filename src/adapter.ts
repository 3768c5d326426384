import path from 'node:path';
import type { Config } from './config/schema.js';
import type { Logger } from './log/logger.js';
import { openStore, startBackgroundCheckpoints, type Store } from './store/store.js';
import type { WalCheckpointer } from './store/wal-checkpointer.js';
import { registerCheckpointMetrics, registerExchangeLogMetrics } from './http/metrics.js';
import { ensureDevPki } from './pki/dev-pki.js';
import { KeyStore } from './pki/key-store.js';
import { TrustStore } from './pki/trust-store.js';
import { createApp, type BuiltApp, type Mount } from './app.js';
import { AccessControl } from './acl/access-control.js';
import { WorkingCalendar } from './calendar/working-calendar.js';
import { createConsumers, type Consumers } from './consumers/create-consumers.js';
import { createExchangeLog, type ExchangeLog } from './exchange-log/exchange-log.js';
import { checkpointSignerMember } from './exchange-log/open-exchange-log.js';
import type { ApiAuthLocals } from './http/api-auth.js';
import { createApiRouter } from './http/api-router.js';
import { createInfraAttachmentsRouter, INFRA_ATTACHMENTS_OPENAPI } from './http/infra-attachments-router.js';
import { createLegalEntitiesRouter, LEGAL_ENTITIES_OPENAPI } from './http/legal-entities-router.js';
import { createOpsRouter } from './http/ops-router.js';
import { createConsoleRouter } from './console/console-router.js';
import { OperationTable } from './operations/operation-table.js';
import { registerTestOperations } from './operations/ping.js';
import type { OperationDef, ServiceGroup } from './operations/types.js';
import { createHoldersRegistry, type HoldersRegistry } from './registries/holders/create-holders-registry.js';
import { createInfraRegistry } from './registries/infra/create-infra-registry.js';
import { infraAclEntries } from './registries/infra/infra-roles.js';
import { createXRoadTransport } from './xroad/router.js';

/** What the local Ministry of Justice and BIS stand-ins expose to the adapter (sandbox mode). */
export interface SandboxHandle {
  minjustUrl: string;
  bisUrl: string;
  issuer: string;
  jwksUrl: string;
  close(): Promise<void>;
}

/** Everything the running adapter is made of, so main, the CLI and end-to-end tests build it the same way. */
export interface Adapter extends BuiltApp {
  config: Config;
  store: Store;
  keys: KeyStore;
  trust: TrustStore;
  table: OperationTable;
  exchangeLog: ExchangeLog;
  consumers: Consumers;
  holders: HoldersRegistry;
  sandbox?: SandboxHandle;
  /** The SQLite store's background WAL checkpointer, when the adapter opened that store itself. */
  checkpointer?: WalCheckpointer;
  /** Flushes and closes everything the adapter opened, in order. */
  close(): Promise<void>;
}

/** Member codes named in config, so the development PKI issues a certificate for each. */
function configuredMembers(config: Config): Array<{ memberClass: string; memberCode: string }> {
  const ids = [...Object.values(config.xroad.providers), config.xroad.client, config.consumers.minjust.service, config.consumers.bis.service];
  return ids.map((id) => {
    const [, memberClass, memberCode] = id.split('/');
    return { memberClass, memberCode };
  });
}

export interface BuildOptions {
  /** Store to use instead of opening one from config (tests). */
  store?: Store;
  extraMounts?: Mount[];
  /** Clock for the registries and transports (tests); real time otherwise. */
  now?: () => Date;
}

type AclConfig = Config['acl'];

/** Joins ACL sources: the operations a client may call are the union of what each source grants. */
export function mergeAcl(...sources: AclConfig[]): AclConfig {
  const out: Record<string, Record<string, string[]>> = {};
  for (const src of sources) {
    for (const [client, bySubsystem] of Object.entries(src)) {
      const target = (out[client] ??= {});
      for (const [subsystem, ops] of Object.entries(bySubsystem)) target[subsystem] = [...new Set([...(target[subsystem] ?? []), ...ops])];
    }
  }
  return out;
}

/** A registry's group with its staff-only reports appended, served on /api/v1 alone. */
function withReports(group: ServiceGroup, reports: OperationDef[]): ServiceGroup {
  return { ...group, operations: [...group.operations, ...reports.map((op) => ({ ...op, restOnly: true }))] };
}

/**
 * Starts the local MoJ and BIS stand-ins. They live with the test fixtures (sample data, fault
 * injection) and are loaded only when sandbox mode is on, so production never imports them.
 */
async function startSandboxFor(config: Config, certsDir: string, trust: TrustStore): Promise<SandboxHandle> {
  const mod = (await import('../fixtures/sandbox/start-sandbox.js')) as typeof import('../fixtures/sandbox/start-sandbox.js');
  return mod.startSandbox({
    certsDir,
    trust,
    minjustPort: config.sandbox.minjustPort,
    bisPort: config.sandbox.bisPort,
    minjustService: config.consumers.minjust.service,
    bisService: config.consumers.bis.service,
  });
}

/**
 * The composition root: opens the store and runs migrations, prepares keys (generating the
 * development PKI when configured), starts the sandbox stand-ins when asked, and wires the
 * exchange log, the MoJ/BIS consumers, both registries and every transport into one app.
 */
export async function buildAdapter(baseConfig: Config, logger: Logger, opts: BuildOptions = {}): Promise<Adapter> {
  const certsDir = path.resolve(baseConfig.certs.dir);
  if (baseConfig.certs.generateDev) {
    const pki = ensureDevPki(certsDir, configuredMembers(baseConfig));
    if (pki.created) logger.info('development certificates generated', { dir: baseConfig.certs.dir, members: pki.members.length });
  }
  const keys = new KeyStore(certsDir);
  // Parse every key the adapter signs with now: a bad key file stops the start, not the first message.
  for (const id of [...Object.values(baseConfig.xroad.providers), baseConfig.xroad.client]) keys.identity(id.split('/')[2]);
  const trust = new TrustStore(
    baseConfig.xroad.trust.caFiles.map((f) => keys.readPem(f)),
    Object.fromEntries(Object.entries(baseConfig.xroad.trust.pinned).map(([client, files]) => [client, files.map((f) => keys.readPem(f))])),
  );

  // The infra registry's role matrix grants its own operations; the ACL file adds everything else.
  const infraSubsystem = 'egov-infra-registry';
  const config: Config = Object.freeze({
    ...baseConfig,
    acl: mergeAcl(infraAclEntries(baseConfig.infra, infraSubsystem), Object.fromEntries([...baseConfig.infra.operators, ...baseConfig.infra.authorizedBodies].map((c) => [c, { [infraSubsystem]: ['listOverdueElements'] }])), baseConfig.acl),
  });

  const closers: Array<{ name: string; close: () => Promise<void> }> = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) {
      try {
        await c.close();
      } catch (e) {
        logger.error('error while closing', { part: c.name, err: (e as Error).message });
      }
    }
    closers.length = 0;
  };

  const store = opts.store ?? (await openStore(config.store));
  if (!opts.store) closers.push({ name: 'store', close: () => store.close() });
  try {
    const { applied } = await store.migrate();
    if (applied.length) logger.info('migrations applied', { applied });
    // A store handed in is its owner's to tend: config.store need not even describe it.
    const checkpointer = opts.store ? undefined : await startBackgroundCheckpoints(store, config.store, logger);
    if (checkpointer) closers.push({ name: 'WAL checkpointer', close: () => checkpointer.close() });

    let sandbox: SandboxHandle | undefined;
    if (config.sandbox.enabled) {
      sandbox = await startSandboxFor(config, certsDir, trust);
      closers.push({ name: 'sandbox', close: () => sandbox!.close() });
      logger.info('sandbox stand-ins started', { minjust: sandbox.minjustUrl, bis: sandbox.bisUrl });
    }

    const exchangeLog = createExchangeLog({ store, config, signer: keys.identity(checkpointSignerMember(config)), logger, now: opts.now });
    closers.push({ name: 'exchange log', close: () => exchangeLog.close() });

    const consumers = createConsumers({
      config,
      keys,
      trust,
      store,
      exchangeLog,
      logger,
      now: opts.now,
      overrides: sandbox ? { minjustUrl: sandbox.minjustUrl, bisUrl: sandbox.bisUrl, oidc: { issuer: sandbox.issuer, jwksUrl: sandbox.jwksUrl } } : undefined,
    });
    closers.push({ name: 'consumers', close: async () => consumers.close() });

    const calendar = new WorkingCalendar(config.calendar);
    const holders = createHoldersRegistry({ store, minjust: consumers.minjust, bis: consumers.bis, calendar, logger, now: opts.now, contactsVisibleTo: config.holders.contactsVisibleTo });
    const infra = createInfraRegistry({ store, bis: consumers.bis, calendar, logger, now: opts.now, roles: config.infra, limits: { attachmentMaxBytes: config.infra.attachmentMaxBytes, technicalDocumentsMax: config.infra.technicalDocumentsMax } });

    const table = new OperationTable().register(withReports(holders.group, holders.operatorOperations)).register(withReports(infra.group, infra.operatorOperations));
    registerTestOperations(table, config);

    const deps = { config, table, store, exchangeLog, logger, now: opts.now };
    const acl = new AccessControl(config.acl);
    const xroad = createXRoadTransport({ ...deps, trust, keys });
    const mounts: Mount[] = [
      { path: '/', router: xroad.router, direct: xroad.direct },
      {
        path: '/api/v1',
        router: createApiRouter({
          ...deps,
          idTokens: consumers.idTokens,
          routes: [
            {
              // MoJ data serves stage I of the holders registry: whoever may file it may pull the prefill.
              router: createLegalEntitiesRouter({ minjust: consumers.minjust, mayRead: (res) => acl.isAllowed((res.locals as ApiAuthLocals).apiClient.client, holders.group.subsystem, 'registerHolder') }),
              openApiPaths: LEGAL_ENTITIES_OPENAPI,
            },
            { router: createInfraAttachmentsRouter({ service: infra.service, acl, subsystem: infraSubsystem }), openApiPaths: INFRA_ATTACHMENTS_OPENAPI },
          ],
        }),
      },
      { path: '/ops/v1', router: createOpsRouter({ log: exchangeLog, config, logger, now: opts.now }) },
      { path: '/console', router: createConsoleRouter() },
      ...(opts.extraMounts ?? []),
    ];
    const built = createApp({ config, store, logger, mounts, upstreams: () => consumers.health() });
    if (checkpointer) registerCheckpointMetrics(built.metrics.registry, () => checkpointer.stats());
    registerExchangeLogMetrics(built.metrics.registry, () => exchangeLog.writerStats);
    return {
      ...built,
      config,
      store,
      keys,
      trust,
      table,
      exchangeLog,
      consumers,
      holders,
      sandbox,
      checkpointer,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
