import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import type { SigningIdentity } from '../pki/key-store.js';
import type { Logger } from '../log/logger.js';
import { AppError } from '../errors/app-error.js';
import type { ExchangeLogWriter, ExchangeRecordInput } from './types.js';
import { BODIES_TABLE, BODY_READS_TABLE, CHECKPOINTS_TABLE, RECORDS_TABLE } from './exchange-record.js';
import { prepareRecord } from './prepare-record.js';
import { GroupCommitWriter, type WriterStats } from './group-commit-writer.js';
import { checkpointHead, readHead, type ChainEnv, type ChainHead } from './write-batch.js';
import { checkpointFromRow, type Checkpoint } from './checkpoint.js';
import { verifyStore, type VerifyOptions, type VerifyReport } from './verify-store.js';
import { purgeExpired, type PurgeReport } from './purge-expired.js';
import { exportRecords, planExport, type ExportOptions, type ExportPlan } from './export-range.js';
import {
  accessJournal,
  getExchange,
  listBodyReads,
  searchExchanges,
  serviceStats,
  type AccessJournal,
  type BodyRead,
  type BodyReadFilter,
  type ExchangeDetail,
  type ExchangeSummary,
  type Page,
  type PageRequest,
  type SearchFilter,
  type ServiceStats,
} from './exchange-queries.js';
import type { ExchangeRecord } from './exchange-record.js';

export type BodyPart = 'request' | 'response';

/** Who reads a body, for the journal written before the body is read. */
export interface BodyReader {
  operator: string;
  role: string;
  /** 'api' (the /ops/v1 endpoints, also behind the console) or 'cli'. */
  via: 'api' | 'cli';
  why?: string;
  requestId?: string;
  remote?: string;
}

export interface ExchangeLog extends ExchangeLogWriter {
  /** Queues the record; resolves with its seq once the batch holding it has committed. */
  append(record: ExchangeRecordInput): Promise<{ seq: number }>;
  /** Resolves when everything appended before the call is written. */
  flush(): Promise<void>;
  /** Refuses new appends, flushes, and signs the head when this instance wrote since the last checkpoint. */
  close(): Promise<void>;
  /** The writer's counts since this instance opened, and the records waiting for a batch now. */
  readonly writerStats: Readonly<WriterStats & { queued: number }>;

  search(filter: SearchFilter, page?: PageRequest): Promise<Page<ExchangeSummary>>;
  get(seq: number): Promise<ExchangeDetail | undefined>;
  /** Journals the read (and waits for that to commit), then returns the bytes; fails closed. */
  readBody(seq: number, part: BodyPart, reader: BodyReader): Promise<Buffer>;
  bodyReads(filter: BodyReadFilter, page?: PageRequest): Promise<Page<BodyRead>>;
  stats(filter: SearchFilter): Promise<ServiceStats[]>;
  accessJournal(subject: { kind: 'inn' | 'pin'; value: string }, opts?: { from?: number; to?: number } & PageRequest): Promise<AccessJournal>;

  verify(opts?: VerifyOptions): Promise<VerifyReport>;
  /** Signs the current head now (returns the existing checkpoint when the head already has one). */
  checkpoint(): Promise<Checkpoint | undefined>;
  checkpoints(range?: { fromSeq?: number; toSeq?: number; limit?: number }): Promise<Checkpoint[]>;
  head(): Promise<ChainHead>;
  planExport(opts: ExportOptions): Promise<ExportPlan>;
  exportRecords(plan: ExportPlan): AsyncIterable<ExchangeRecord>;
  purge(opts?: { now?: Date }): Promise<PurgeReport>;
  /** The certificate whose key signs checkpoints (base64 DER), for exports and auditors. */
  readonly certificate: string;
}

export interface ExchangeLogDeps {
  store: Store;
  config: Config;
  signer: SigningIdentity;
  logger: Logger;
  now?: () => Date;
  /** Queue bound; default 64 full batches. */
  maxQueue?: number;
  /** Run retention (purge) this often in the background; off when absent. */
  purgeEveryMs?: number;
}

const notFound = (what: { en: string; ru: string; ky: string }) => new AppError('NOT_FOUND', { detail: what });

/**
 * The exchange log (CONTRACT §7): a group-commit writer over a hash chain, and the read side
 * operators use. See DECISIONS (exchange log) for the chain design.
 */
export function createExchangeLog(deps: ExchangeLogDeps): ExchangeLog {
  const cfg = deps.config.exchangeLog;
  const knex = deps.store.knex;
  const now = deps.now ?? (() => new Date());
  const env: ChainEnv = { knex, client: deps.store.client, signer: deps.signer, checkpointEvery: cfg.checkpointEvery, now };
  const writer = new GroupCommitWriter(env, { maxBatch: cfg.batchMaxRecords, maxDelayMs: cfg.batchMaxDelayMs, maxQueue: deps.maxQueue ?? cfg.batchMaxRecords * 64 }, deps.logger);
  const trusted = [deps.signer.certificate];
  let recordsAtLastClose = 0;

  let purgeTimer: NodeJS.Timeout | undefined;
  let purgeRunning: Promise<void> | undefined;
  const log: ExchangeLog = {
    certificate: deps.signer.certBase64,
    get writerStats() {
      return { ...writer.stats, queued: writer.queued };
    },

    async append(record) {
      const prepared = prepareRecord(record, cfg.bodies);
      if (prepared.droppedSubjects) deps.logger.warn('exchange log: subjects that are not an INN or PIN left out', { count: prepared.droppedSubjects, serviceCode: record.serviceCode, messageId: record.messageId });
      return { seq: await writer.append(prepared) };
    },
    flush: () => writer.flush(),
    async close() {
      clearInterval(purgeTimer);
      await purgeRunning;
      await writer.close();
      if (writer.stats.records > recordsAtLastClose) {
        recordsAtLastClose = writer.stats.records;
        try {
          await checkpointHead(env, 'shutdown');
        } catch (e) {
          deps.logger.warn('exchange log: shutdown checkpoint not written', { err: (e as Error).message });
        }
      }
    },

    search: (filter, page) => searchExchanges(knex, filter, page),
    get: (seq) => getExchange(knex, seq),
    async readBody(seq, part, reader) {
      const exists = await knex(RECORDS_TABLE).select('seq').where({ seq }).first();
      if (!exists) throw notFound({ en: `No exchange ${seq}.`, ru: `Обмена ${seq} нет.`, ky: `${seq} алмашуусу жок.` });
      try {
        await knex(BODY_READS_TABLE).insert({
          read_at_ms: now().getTime(),
          operator: reader.operator,
          role: reader.role,
          via: reader.via,
          seq,
          part,
          why: reader.why ?? null,
          request_id: reader.requestId ?? null,
          remote: reader.remote ?? null,
        });
      } catch (e) {
        // Fail closed: a body is never read without its journal entry.
        throw new AppError('EXCHANGE_LOG_UNAVAILABLE', { cause: e, detail: { en: 'The read could not be journaled.', ru: 'Не удалось записать чтение в журнал.', ky: 'Окууну журналга жазуу мүмкүн болгон жок.' } });
      }
      const row = await knex(BODIES_TABLE).select(part).where({ seq }).first();
      const bytes = row?.[part] as Buffer | null | undefined;
      if (!bytes) throw notFound({ en: `The ${part} of exchange ${seq} is not stored (metadata only, or purged by retention).`, ru: `Тело обмена ${seq} не хранится (только метаданные или удалено по сроку хранения).`, ky: `${seq} алмашуусунун денеси сакталбайт (метаберилиштер гана же сактоо мөөнөтү боюнча өчүрүлгөн).` });
      return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    },
    bodyReads: (filter, page) => listBodyReads(knex, filter, page),
    stats: (filter) => serviceStats(knex, filter),
    accessJournal: (subject, opts) => accessJournal(knex, subject, opts),

    verify: (opts) => verifyStore(knex, deps.store.client, trusted, opts),
    checkpoint: () => checkpointHead(env, 'manual'),
    async checkpoints(range = {}) {
      const q = knex(CHECKPOINTS_TABLE).orderBy('seq', 'desc').limit(Math.min(range.limit ?? 100, 1000));
      if (range.fromSeq !== undefined) q.where('seq', '>=', range.fromSeq);
      if (range.toSeq !== undefined) q.where('seq', '<=', range.toSeq);
      return (await q).map(checkpointFromRow);
    },
    head: () => readHead(knex),
    planExport: (opts) => planExport(knex, opts),
    exportRecords: (plan) => exportRecords(knex, plan),
    purge: (opts = {}) =>
      purgeExpired(env, { now: opts.now ?? now(), bodyRetentionDays: cfg.bodyRetentionDays, metadataRetentionDays: cfg.metadataRetentionDays }, (o) => verifyStore(knex, deps.store.client, trusted, o)),
  };
  if (deps.purgeEveryMs) {
    purgeTimer = setInterval(() => {
      if (purgeRunning) return;
      purgeRunning = log
        .purge()
        .then(
          (r) => {
            if (r.refused) deps.logger.error('exchange log retention refused: the chain is broken', { seq: r.refused.seq, kind: r.refused.kind });
            else if (r.bodiesPurged || r.recordsPurged) deps.logger.info('exchange log retention', { bodiesPurged: r.bodiesPurged, recordsPurged: r.recordsPurged, firstSeq: r.firstSeq });
          },
          (e: Error) => {
            deps.logger.error('exchange log retention failed', { err: e.message });
          },
        )
        .finally(() => {
          purgeRunning = undefined;
        });
    }, deps.purgeEveryMs);
    purgeTimer.unref();
  }
  return log;
}
