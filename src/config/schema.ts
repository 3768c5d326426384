import { z } from 'zod';

/**
 * The configuration schema. Files and environment are merged, then validated here; unknown
 * keys are refused (`strict`), so a typo never silently falls back to a default.
 * Secrets never live in config files: fields ending in `File` name a mounted file, and
 * `*_HASH`/token values come from the environment (see loader.ts).
 */

const xroadId = z
  .string()
  .regex(/^[A-Za-z0-9._-]+\/[A-Z][A-Z0-9_-]*\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/, 'instance/memberClass/memberCode/subsystemCode');

const durationMs = z.number().int().nonnegative();

const upstream = z
  .object({
    /** X-Road identifier of the provider subsystem, instance/class/code/subsystem. */
    service: xroadId,
    /** Security server URL the request is sent to (http or https). */
    url: z.url(),
    /** Whether responses must carry a valid signature from this provider. */
    signsResponses: z.boolean(),
    /** Total time budget of one call, retries and waiting for a free slot included. */
    timeoutMs: durationMs,
    /** Time allowed to one attempt; default: the budget shared evenly by 1 + retries attempts. */
    attemptTimeoutMs: durationMs.optional(),
    retries: z.number().int().min(0).max(5),
    concurrency: z.number().int().min(1).max(1000),
    breaker: z
      .object({
        errorThresholdPercentage: z.number().min(1).max(100),
        volumeThreshold: z.number().int().min(1),
        resetTimeoutMs: durationMs,
      })
      .strict(),
    /** HTTPS to the security server with a client certificate: PEM file names (relative to certs.dir unless absolute). */
    tls: z
      .object({
        certFile: z.string().min(1),
        keyFile: z.string().min(1),
        /** CA that issued the security server's TLS certificate; the system CAs when absent. */
        caFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const configSchema = z
  .object({
    env: z.string(),
    server: z
      .object({
        port: z.number().int().min(0).max(65535),
        host: z.string().min(1),
        /** Base URL advertised in WSDL soap:address and OpenAPI servers. */
        publicUrl: z.url(),
        bodyLimitBytes: z.number().int().min(1024),
        shutdownGraceMs: durationMs,
      })
      .strict(),
    store: z
      .object({
        client: z.enum(['sqlite', 'postgres']),
        /** SQLite file, relative to dataDir unless absolute. */
        sqliteFile: z.string().min(1),
        dataDir: z.string().min(1),
        /** postgres://… ; taken from DATABASE_URL. */
        url: z.string().optional(),
        pool: z.object({ min: z.number().int().min(0), max: z.number().int().min(1) }).strict(),
        busyTimeoutMs: durationMs,
        /**
         * SQLite file: a thread of the adapter copies the WAL back into the database this often, so that
         * no commit of the serving connection carries that copy (DECISIONS D3). 0: commits do it, every
         * 250 WAL pages. Absent: 0 (the tools that open the store briefly).
         */
        checkpointIntervalMs: z.number().int().min(0).max(60_000).optional(),
      })
      .strict(),
    logging: z
      .object({
        level: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']),
      })
      .strict(),
    certs: z
      .object({
        /** Folder with keys and certificates; development ones are generated here when absent. */
        dir: z.string().min(1),
        /** Generate the development CA and member keys on first start when absent. */
        generateDev: z.boolean(),
      })
      .strict(),
    xroad: z
      .object({
        instance: z.string().min(1),
        /** Provider subsystems this adapter hosts, keyed by subsystem code. */
        providers: z.record(z.string(), xroadId),
        /** Client subsystem the adapter uses to consume other services. */
        client: xroadId,
        timestamp: z
          .object({ maxAgeSeconds: z.number().int().min(1), futureSkewSeconds: z.number().int().min(0), ttlSeconds: z.number().int().min(1) })
          .strict(),
        limits: z
          .object({
            maxBytes: z.number().int().min(1024),
            maxDepth: z.number().int().min(4),
            maxAttributes: z.number().int().min(1),
            maxAttributeLength: z.number().int().min(16),
            maxNameLength: z.number().int().min(8),
            maxElements: z.number().int().min(16),
            maxAttachmentBytes: z.number().int().min(1024),
            maxAttachments: z.number().int().min(0),
          })
          .strict(),
        /**
         * Certificates trusted to sign for clients: CA certificates (PEM file names in certs.dir)
         * whose leaves must name the member in CN, and certificates pinned to one client.
         */
        trust: z
          .object({
            caFiles: z.array(z.string()),
            pinned: z.record(xroadId, z.array(z.string())),
          })
          .strict(),
        /**
         * `xrd:id` uniqueness per client (CONTRACT §3). Records live `retentionSeconds`; a repeat of an id
         * whose first request is still running waits up to `waitForPendingMs` for its response, then gets
         * `Server.MessageInProgress`; a claim not completed within `pendingTakeoverSeconds` (its process died)
         * may be taken over by a retry. `readClaims`: where a read's claim is kept until its response is
         * logged — `log-batch` (the default on SQLite) in this process's memory, the row inserted by the
         * exchange log's batch; `upfront` (the default on PostgreSQL) as a pending row before the read runs,
         * which several adapter processes sharing one store need: set it if two processes serve one SQLite file.
         */
        messageIds: z
          .object({
            retentionSeconds: z.number().int().min(60),
            waitForPendingMs: z.number().int().min(0).max(60_000),
            pendingTakeoverSeconds: z.number().int().min(1),
            readClaims: z.enum(['upfront', 'log-batch']).optional(),
          })
          .strict(),
        /**
         * X-Road message protocol for REST (`/r1/...`). The security server authenticates REST callers on its
         * side; the adapter believes the `X-Road-Client` header only from these peer addresses (IPs or CIDRs).
         */
        rest: z
          .object({
            trustedClientAddresses: z.array(z.string().min(2)),
          })
          .strict(),
        /** Serve the `ping` test operation (subsystem `adapter-test`, when listed in `providers`). */
        testOperations: z.boolean(),
      })
      .strict(),
    /**
     * Access control, denied by default: client subsystem id (instance/class/code/subsystem, exact) or "*"
     * (any authenticated client) → provider subsystem code → serviceCodes, or ["*"] for all of the subsystem.
     */
    acl: z.record(z.string(), z.record(z.string(), z.array(z.string()))),
    api: z
      .object({
        /** Web UI clients on /api/v1: name → { client identity, token hash (sha256 hex) from env }. */
        clients: z.record(z.string(), z.object({ xroadClient: xroadId, tokenSha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()),
        /** OpenID Connect (BIS) ID-token verification. */
        oidc: z
          .object({
            issuer: z.string().min(1),
            audience: z.string().min(1),
            jwksUrl: z.string().min(1),
            clockSkewSeconds: z.number().int().min(0).max(300),
          })
          .strict(),
      })
      .strict(),
    operators: z
      .object({
        /** Operator name → role and the SHA-256 of the bearer token (hex). */
        tokens: z.record(z.string(), z.object({ role: z.enum(['auditor', 'operator']), tokenSha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()),
      })
      .strict(),
    consumers: z
      .object({
        minjust: upstream
          .extend({
            cacheTtlSeconds: z.number().int().min(0),
            /** Copies older than this are deleted (a head's name and contacts are personal data); stale copies are served only within it. */
            cacheRetentionDays: z.number().int().min(1),
          })
          .strict(),
        bis: upstream,
      })
      .strict(),
    sandbox: z
      .object({
        /** Start the MoJ and BIS stand-ins on loopback and point the consumers at them. */
        enabled: z.boolean(),
        minjustPort: z.number().int().min(0).max(65535),
        bisPort: z.number().int().min(0).max(65535),
      })
      .strict(),
    exchangeLog: z
      .object({
        bodies: z.enum(['full', 'metadata']),
        batchMaxRecords: z.number().int().min(1).max(10000),
        batchMaxDelayMs: durationMs,
        bodyRetentionDays: z.number().int().min(1),
        metadataRetentionDays: z.number().int().min(1),
        checkpointEvery: z.number().int().min(1),
      })
      .strict(),
    calendar: z
      .object({
        /** Public holidays, YYYY-MM-DD. */
        holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
        /** Saturdays/Sundays declared working days by government decree, YYYY-MM-DD. */
        workingWeekends: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
      })
      .strict(),
    /** Registry of e-governance infrastructure elements (seed 004): who plays which part, file limits. */
    infra: z
      .object({
        /** Client subsystems acting as the authorized body for e-governance (forward notices, §19). */
        authorizedBodies: z.array(xroadId),
        /** Client subsystems acting as the registry operator (grant, decide, deregister). */
        operators: z.array(xroadId),
        /** Largest attached document, bytes. */
        attachmentMaxBytes: z.number().int().min(1024),
        /** Most technical-documentation files in one submission. */
        technicalDocumentsMax: z.number().int().min(1).max(100),
      })
      .strict(),
    /** Registry of holders of personal data arrays (seed 000). */
    holders: z
      .object({
        /**
         * Who sees the responsible person's contacts and draft applications in getHolder: client
         * subsystems (instance/class/member/subsystem) or whole members (instance/class/member).
         */
        contactsVisibleTo: z.array(z.string().regex(/^[A-Za-z0-9._-]+\/[A-Z][A-Z0-9_-]*\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)?$/, 'instance/memberClass/memberCode[/subsystemCode]')),
      })
      .strict(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type UpstreamConfig = Config['consumers']['bis'];
