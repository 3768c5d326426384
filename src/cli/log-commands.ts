import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import readline from 'node:readline';
import { once } from 'node:events';
import { Command, CommanderError } from 'commander';
import { AppError } from '../errors/app-error.js';
import { StoreUnavailableError, isStoreUnavailable } from '../store/store.js';
import type { ExchangeLog } from '../exchange-log/exchange-log.js';
import type { VerifyReport } from '../exchange-log/verify-store.js';
import { csvLines, ndjsonLines, verifyExport } from '../exchange-log/export-range.js';
import { parseExport, parseRange, parseSearch, parseSeq, parseSeqRange, parseSubject, parseTimeOption, parseWhy, type Params } from '../exchange-log/query-params.js';

/**
 * `log …` operator commands. Exit codes (through the CLI's runner): 0 ok; 1 integrity broken,
 * nothing found, or purge refused; 2 usage (bad option or value); 3 store unavailable. Results go
 * to stdout, progress and diagnostics to stderr.
 */
export interface LogCliIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

export type OpenLog = () => Promise<{ log: ExchangeLog; close(): Promise<void> }>;

/** A check that ran and failed (exit 1): integrity broken, not found, purge refused. */
export class LogCommandFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogCommandFailure';
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function progress(io: LogCliIo, label: string): { tick(done: number, total: number): void; end(): void } {
  let last = 0;
  let shown = false;
  return {
    tick(done, total) {
      const t = Date.now();
      if (t - last < (io.err.isTTY ? 200 : 2000)) return;
      last = t;
      shown = true;
      const pct = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : '';
      io.err.write(`${io.err.isTTY ? '\r' : ''}${label}: ${done}/${total}${pct}${io.err.isTTY ? '' : '\n'}`);
    },
    end() {
      if (shown && io.err.isTTY) io.err.write('\n');
    },
  };
}

function describeReport(r: VerifyReport): string {
  const lines = [
    r.ok ? `chain intact: records ${r.from}…${r.to}` : `chain BROKEN at record ${r.firstBreak?.seq}: ${r.firstBreak?.kind}`,
    ...(r.firstBreak ? [`  ${r.firstBreak.detail}`] : []),
    `  checked ${r.checked} records (${r.bodiesChecked} with bodies) in ${r.durationMs} ms, anchored to ${r.anchor}`,
    `  ${r.checkpointsVerified} signed checkpoints verified${r.lastVerifiedCheckpoint !== null ? `, last at ${r.lastVerifiedCheckpoint}` : ''}; ${r.unsignedTail} records after it not yet signed`,
  ];
  return `${lines.join('\n')}\n`;
}

async function* fileLines(file: string): AsyncGenerator<string> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  yield* rl;
}

async function writeAll(out: NodeJS.WritableStream, lines: AsyncIterable<string>, onLine: () => void): Promise<void> {
  for await (const line of lines) {
    onLine();
    if (!out.write(line)) await once(out, 'drain');
  }
}

/** Options, as commander gives them, in the shape the shared parameter parser expects. */
function params(opts: Record<string, unknown>): Params {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]));
}

export function registerLogCommands(program: Command, open: OpenLog, io: LogCliIo = { out: process.stdout, err: process.stderr }): Command {
  /** Opens the log, runs the body, closes; maps failures onto the exit-code contract. */
  const withLog = async <T>(body: (log: ExchangeLog) => Promise<T>): Promise<T> => {
    let handle: Awaited<ReturnType<OpenLog>> | undefined;
    try {
      handle = await open();
      return await body(handle.log);
    } catch (e) {
      throw mapError(e);
    } finally {
      await handle?.close().catch(() => undefined);
    }
  };
  const mapError = (e: unknown): unknown => {
    if (e instanceof AppError && e.code === 'VALIDATION_FAILED') {
      const detail = e.fields.map((f) => `--${f.field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${f.message.en}`).join('\n');
      io.err.write(`error: ${detail || e.message}\n`);
      return new CommanderError(2, 'log.usage', detail || e.message);
    }
    if (e instanceof AppError && e.code === 'NOT_FOUND') return new LogCommandFailure(e.text.en);
    if (!(e instanceof StoreUnavailableError) && isStoreUnavailable(e)) return new StoreUnavailableError(`store unavailable: ${(e as Error).message}`, { cause: e });
    return e;
  };
  const json = (v: unknown) => io.out.write(`${JSON.stringify(v, null, 2)}\n`);
  const cliReader = () => ({ operator: `cli:${os.userInfo().username}`, role: 'operator', via: 'cli' as const });

  const log = program.command('log').description('exchange log: search, show, verify, export, stats, retention, checkpoints');

  log
    .command('search')
    .description('search exchanges, newest first (exit 1 when nothing matches)')
    .option('--from <time>', 'requestInTs from (ISO 8601 or ms), inclusive')
    .option('--to <time>', 'requestInTs to, exclusive')
    .option('--client <id>', 'client subsystem, instance/class/code/subsystem')
    .option('--service <id>', 'full service id')
    .option('--service-code <code>', 'serviceCode')
    .option('--message-id <id>', 'X-Road message id')
    .option('--user-id <id>', 'X-Road userId')
    .option('--status <ok|fault>', 'outcome')
    .option('--fault-code <code>', 'fault code')
    .option('--direction <in|out>', 'in = provided, out = consumed')
    .option('--limit <n>', 'page size (max 500)', '50')
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) =>
      withLog(async (l) => {
        const { filter, page } = parseSearch(params({ ...opts, json: undefined }));
        const res = await l.search(filter, page);
        if (opts.json) json(res);
        else {
          for (const x of res.items) {
            io.out.write(`${x.seq}\t${iso(x.requestInTs)}\t${x.direction}\t${x.client}\t${x.serviceCode}\t${x.succeeded ? 'ok' : (x.faultCode ?? 'fault')}\t${x.durationMs}ms\t${x.messageId}\n`);
          }
          if (res.nextCursor) io.err.write(`more: --cursor ${res.nextCursor}\n`);
        }
        if (res.items.length === 0) throw new LogCommandFailure('no exchange matches');
      }),
    );

  log
    .command('show <id>')
    .description('one exchange (metadata); --request/--response print the body, journaled as a read')
    .option('--request', 'print the request body')
    .option('--response', 'print the response body')
    .option('--why <reason>', 'reason for reading a body, kept in the journal')
    .action(async (id: string, opts: { request?: boolean; response?: boolean; why?: string }) =>
      withLog(async (l) => {
        const seq = parseSeq(id);
        if (opts.request || opts.response) {
          const why = parseWhy({ why: opts.why });
          const bytes = await l.readBody(seq, opts.request ? 'request' : 'response', { ...cliReader(), why });
          io.out.write(bytes);
          return;
        }
        const rec = await l.get(seq);
        if (!rec) throw new LogCommandFailure(`no exchange ${seq}`);
        json(rec);
      }),
    );

  log
    .command('verify')
    .description('verify the hash chain and its signed checkpoints (exit 1 when broken)')
    .option('--from <seq>', 'first record')
    .option('--to <seq>', 'last record')
    .option('--no-bodies', 'do not rehash stored bodies')
    .option('--file <export.ndjson>', 'verify an NDJSON export offline instead of the database')
    .option('--cert <pem...>', 'certificate(s) trusted for checkpoints (default: the adapter\'s own)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { from?: string; to?: string; bodies: boolean; file?: string; cert?: string[]; json?: boolean }) => {
      let trusted: crypto.X509Certificate[] | undefined;
      try {
        trusted = opts.cert?.map((f) => new crypto.X509Certificate(fs.readFileSync(f)));
      } catch (e) {
        io.err.write(`error: --cert: ${(e as Error).message}\n`);
        throw new CommanderError(2, 'log.usage', '--cert');
      }
      let report: VerifyReport;
      if (opts.file) {
        const file = opts.file;
        if (!trusted?.length) {
          io.err.write('error: --file needs --cert: an export is verified against certificates you trust, not one it carries\n');
          throw new CommanderError(2, 'log.usage', '--cert');
        }
        if (!fs.existsSync(file)) {
          io.err.write(`error: --file: ${file} does not exist\n`);
          throw new CommanderError(2, 'log.usage', '--file');
        }
        report = await verifyExport(() => fileLines(file), trusted);
      } else {
        report = await withLog(async (l) => {
          const range = parseSeqRange(params({ from: opts.from, to: opts.to }));
          const p = progress(io, 'verify');
          try {
            return await l.verify({ ...range, bodies: opts.bodies, trusted, onProgress: (d, t) => p.tick(d, t) });
          } finally {
            p.end();
          }
        });
      }
      if (opts.json) json(report);
      else io.out.write(describeReport(report));
      if (!report.ok) throw new LogCommandFailure(`integrity broken at record ${report.firstBreak?.seq} (${report.firstBreak?.kind})`);
    });

  log
    .command('export')
    .description('export a contiguous range as NDJSON (verifiable, with its checkpoints) or CSV')
    .option('--format <ndjson|csv>', 'format', 'ndjson')
    .option('--out <file>', 'write here instead of stdout')
    .option('--from-seq <seq>', 'first record')
    .option('--to-seq <seq>', 'last record')
    .option('--from <time>', 'records logged from (ISO 8601 or ms)')
    .option('--to <time>', 'records logged before')
    .action(async (opts: Record<string, unknown>) =>
      withLog(async (l) => {
        const o = parseExport(params({ ...opts, out: undefined }));
        const plan = await l.planExport(o);
        const out = opts.out ? fs.createWriteStream(String(opts.out)) : io.out;
        const records = l.exportRecords(plan);
        const lines = o.format === 'csv' ? csvLines(records) : ndjsonLines(plan, records, { exportedAt: new Date(), certificate: l.certificate });
        const p = progress(io, 'export');
        let n = 0;
        await writeAll(out, lines, () => p.tick((n += 1), plan.count));
        p.end();
        if (out !== io.out) {
          out.end();
          await once(out, 'finish');
        }
        io.err.write(`exported ${plan.count} records (${plan.fromSeq}…${plan.toSeq})\n`);
      }),
    );

  log
    .command('stats')
    .description('per service: count, error rate, p50/p95 duration (default: the last 24 hours)')
    .option('--from <time>', 'window start')
    .option('--to <time>', 'window end')
    .option('--json', 'print JSON')
    .action(async (opts: { from?: string; to?: string; json?: boolean }) =>
      withLog(async (l) => {
        const r = parseRange(params({ from: opts.from, to: opts.to }));
        const to = r.to ?? Date.now();
        const from = r.from ?? to - 86_400_000;
        const services = await l.stats({ from, to });
        if (opts.json) return void json({ from, to, services });
        io.out.write(`window ${iso(from)} … ${iso(to)}\n`);
        io.out.write('direction\tserviceCode\tcount\terrors\tp50ms\tp95ms\tservice\n');
        for (const s of services) io.out.write(`${s.direction}\t${s.serviceCode}\t${s.count}\t${(s.errorRate * 100).toFixed(1)}%\t${s.p50Ms}\t${s.p95Ms}\t${s.service}\n`);
      }),
    );

  log
    .command('access')
    .description('who accessed the data of a holder (--inn) or person (--pin)')
    .option('--inn <inn>', 'organisation INN, 14 digits')
    .option('--pin <pin>', 'personal number, 14 digits')
    .option('--limit <n>', 'entries (max 500)')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) =>
      withLog(async (l) => {
        const q = parseSubject(params({ ...opts, json: undefined }));
        const journal = await l.accessJournal(q.subject, { from: q.from, to: q.to, ...q.page });
        if (opts.json) return void json(journal);
        for (const e of journal.entries) io.out.write(`${e.seq}\t${iso(e.at)}\t${e.client}\t${e.serviceCode}\t${e.operationKind ?? '-'}\t${e.succeeded ? 'ok' : 'fault'}\n`);
        for (const r of journal.operatorReads) io.out.write(`${r.seq}\t${iso(r.at)}\toperator ${r.operator} read the ${r.part}${r.why ? ` (${r.why})` : ''}\n`);
      }),
    );

  log
    .command('purge')
    .description('apply retention: drop expired bodies and metadata, keeping the chain verifiable (exit 1 when refused)')
    .option('--now <time>', 'pretend it is this time (tests, catch-up)')
    .action(async (opts: { now?: string }) =>
      withLog(async (l) => {
        const at = parseTimeOption(params({ now: opts.now }), 'now');
        const report = await l.purge({ now: at === undefined ? undefined : new Date(at) });
        json(report);
        if (report.refused) throw new LogCommandFailure(`metadata purge refused: the chain is broken at record ${report.refused.seq} (${report.refused.kind})`);
      }),
    );

  log
    .command('checkpoint')
    .description('sign the current chain head now')
    .action(async () =>
      withLog(async (l) => {
        const cp = await l.checkpoint();
        if (!cp) throw new LogCommandFailure('the log is empty: nothing to sign');
        json(cp);
      }),
    );

  return log;
}
