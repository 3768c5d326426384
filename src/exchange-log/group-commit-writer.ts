import { AppError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import type { PreparedRecord } from './prepare-record.js';
import { writeBatch, type ChainEnv } from './write-batch.js';

export interface GroupCommitOptions {
  /** Records per batch (exchangeLog.batchMaxRecords). */
  maxBatch: number;
  /** Longest a queued record waits for its batch to fill (exchangeLog.batchMaxDelayMs). */
  maxDelayMs: number;
  /** Queue bound; appends beyond it are refused at once instead of piling up in memory. */
  maxQueue: number;
}

export interface WriterStats {
  /** Batches committed, and the records in them. */
  batches: number;
  records: number;
  /** Batches that failed (every append in them was refused). */
  failedBatches: number;
  largestBatch: number;
  /** Appends refused at once: the queue was full or the log was closing. */
  refused: number;
}

interface Pending {
  rec: PreparedRecord;
  enqueuedAt: number;
  resolve(seq: number): void;
  reject(err: unknown): void;
}

const unavailable = (en: string, ru: string, ky: string, cause?: unknown): AppError => new AppError('EXCHANGE_LOG_UNAVAILABLE', { detail: { en, ru, ky }, cause });

/**
 * Group commit: appends queue up and are written as one multi-row INSERT in one transaction.
 * A batch starts at once when the writer is idle, when the queue holds a full batch, or when its
 * oldest record has waited `maxDelayMs` (under load the records gather while the previous batch
 * commits, so they usually go as soon as it is done). One batch is in flight at a time per
 * process. An append resolves only after its batch committed; a failed batch rejects every append
 * in it, so nothing is acknowledged that is not stored.
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private urgent = false;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  readonly stats: WriterStats = { batches: 0, records: 0, failedBatches: 0, largestBatch: 0, refused: 0 };

  constructor(
    private readonly env: ChainEnv,
    private readonly opts: GroupCommitOptions,
    private readonly logger: Logger,
  ) {}

  append(rec: PreparedRecord): Promise<number> {
    if (this.closed) return this.refuse(unavailable('The log is shutting down.', 'Журнал закрывается.', 'Журнал жабылууда.'));
    if (this.queue.length >= this.opts.maxQueue) {
      this.logger.warn('exchange log queue full, append refused', { queued: this.queue.length });
      return this.refuse(unavailable('Too many exchanges are waiting to be logged.', 'Слишком много обменов ожидают записи в журнал.', 'Журналга жазылууну күтүп жаткан алмашуулар өтө көп.'));
    }
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ rec, enqueuedAt: Date.now(), resolve, reject });
      this.schedule();
    });
  }

  private refuse(err: AppError): Promise<never> {
    this.stats.refused += 1;
    return Promise.reject(err);
  }

  /** Resolves when every record queued before the call has been written (or its batch failed). */
  flush(): Promise<void> {
    if (!this.inFlight && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.urgent = true;
      this.schedule();
    });
  }

  /** Refuses new appends and writes what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  get queued(): number {
    return this.queue.length;
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  /**
   * `afterBatch`: called when a batch has just committed and records are waiting. An append to an
   * idle writer starts a batch at once; after a batch, the next one waits for the oldest record to
   * have waited `maxDelayMs` (or for a full batch), so that under load batches fill up.
   */
  private schedule(afterBatch = false): void {
    if (this.inFlight || this.queue.length === 0) return;
    const waited = Date.now() - this.queue[0].enqueuedAt;
    const gathering = this.timer !== undefined;
    const idle = !afterBatch && !gathering;
    if (idle || this.urgent || this.queue.length >= this.opts.maxBatch || waited >= this.opts.maxDelayMs) {
      if (this.immediate) return;
      this.clearTimers();
      // setImmediate lets appends made in the same tick join this batch.
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        void this.run();
      });
      return;
    }
    if (gathering) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.opts.maxDelayMs - waited);
  }

  private async run(): Promise<void> {
    if (this.inFlight || this.queue.length === 0) return;
    this.clearTimers();
    this.inFlight = true;
    const batch = this.queue.splice(0, this.opts.maxBatch);
    try {
      const { seqs, claims } = await writeBatch(
        this.env,
        batch.map((p) => p.rec),
      );
      this.stats.batches += 1;
      this.stats.records += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      if (claims.completed < claims.expected) this.logger.warn('message id claims taken over before their batch completed them', { lost: claims.expected - claims.completed });
      batch.forEach((p, i) => p.resolve(seqs[i]));
    } catch (e) {
      this.stats.failedBatches += 1;
      // The driver's message may quote the whole multi-row statement: keep the code and the tail only.
      const err0 = e as { code?: string; message?: string };
      this.logger.error('exchange log batch failed; its appends are refused', { records: batch.length, code: err0.code, err: String(err0.message ?? e).slice(-300) });
      const err = unavailable('The log could not be written.', 'Не удалось записать журнал.', 'Журналды жазуу мүмкүн болгон жок.', e);
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight = false;
      if (this.queue.length === 0) {
        this.urgent = false;
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        waiters.forEach((w) => w());
      } else {
        this.schedule(true);
      }
    }
  }
}
