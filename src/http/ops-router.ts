import { once } from 'node:events';
import { Router, type Response } from 'express';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { ExchangeLog, BodyPart } from '../exchange-log/exchange-log.js';
import { AppError } from '../errors/app-error.js';
import { errorHandler } from './problem.js';
import { OperatorTokens, currentOperator, operatorAuth, requireOperatorRole } from './operator-auth.js';
import { parseBodyReads, parseExport, parseRange, parseSearch, parseSeq, parseSeqRange, parseSubject, parseWhy } from '../exchange-log/query-params.js';
import { csvLines, ndjsonLines } from '../exchange-log/export-range.js';

export interface OpsRouterDeps {
  log: ExchangeLog;
  config: Config;
  logger: Logger;
  now?: () => Date;
}

const DAY_MS = 86_400_000;

/** Writes lines with backpressure, in chunks of about 64 KiB; false when the client went away. */
async function pipeLines(res: Response, lines: AsyncIterable<string>, onLine: () => void): Promise<boolean> {
  let buf = '';
  for await (const line of lines) {
    if (res.destroyed) return false;
    buf += line;
    onLine();
    if (buf.length >= 65_536) {
      const ok = res.write(buf);
      buf = '';
      if (!ok) await once(res, 'drain');
    }
  }
  if (buf) res.write(buf);
  return !res.destroyed;
}

/**
 * The operator API at /ops/v1 (CONTRACT §6). Every route needs an operator token; bodies need the
 * `operator` role and each body read is journaled before the body is read (fail closed).
 * Export streams and reports progress with `X-Export-Total` up front and the `X-Export-Count` and
 * `X-Export-Status` trailers at the end; an NDJSON export ends with an `end` line, so a cut-off
 * file is recognisable even without trailers.
 */
export function createOpsRouter(deps: OpsRouterDeps): Router {
  const { log, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const router = Router();
  const tokens = new OperatorTokens(deps.config.operators.tokens);
  router.use((_req, res, next) => {
    // Operator answers carry personal data: never cached, never framed.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(operatorAuth({ tokens, logger }));
  const operatorOnly = requireOperatorRole(logger);

  router.get('/me', (_req, res) => {
    res.json(currentOperator(res));
  });

  router.get('/exchanges', async (req, res) => {
    const { filter, page } = parseSearch(req.query);
    res.json(await log.search(filter, page));
  });

  router.get('/exchanges/:id', async (req, res) => {
    const seq = parseSeq(req.params.id);
    const rec = await log.get(seq);
    if (!rec) throw new AppError('NOT_FOUND', { detail: { en: `No exchange ${seq}.`, ru: `Обмена ${seq} нет.`, ky: `${seq} алмашуусу жок.` } });
    res.json(rec);
  });

  for (const part of ['request', 'response'] as const satisfies readonly BodyPart[]) {
    router.get(`/exchanges/:id/${part}`, operatorOnly, async (req, res) => {
      const seq = parseSeq(req.params.id);
      const why = parseWhy(req.query);
      const operator = currentOperator(res);
      const bytes = await log.readBody(seq, part, { operator: operator.name, role: operator.role, via: 'api', why, requestId: res.locals.requestId as string | undefined, remote: req.socket.remoteAddress });
      ((res.locals.log as Logger | undefined) ?? logger).info('exchange body read', { operator: operator.name, seq, part });
      // Bodies are hostile input: served as an inert download, never as a document a browser would render.
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Disposition', `attachment; filename="exchange-${seq}-${part}.bin"`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      res.send(bytes);
    });
  }

  router.get('/integrity', async (req, res) => {
    const range = parseSeqRange(req.query);
    const bodies = req.query.bodies !== 'false';
    res.json(await log.verify({ ...range, bodies }));
  });

  router.get('/checkpoints', async (req, res) => {
    const range = parseSeqRange(req.query, ['fromSeq', 'toSeq']);
    res.json({ certificate: log.certificate, items: await log.checkpoints({ fromSeq: range.from, toSeq: range.to }) });
  });

  router.post('/checkpoints', operatorOnly, async (_req, res) => {
    res.json({ checkpoint: (await log.checkpoint()) ?? null });
  });

  router.get('/export', async (req, res) => {
    const opts = parseExport(req.query);
    const plan = await log.planExport(opts);
    const operator = currentOperator(res);
    ((res.locals.log as Logger | undefined) ?? logger).info('exchange log export', { operator: operator.name, fromSeq: plan.fromSeq, toSeq: plan.toSeq, count: plan.count, format: opts.format });
    const csv = opts.format === 'csv';
    res.status(200);
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="exchange-log-${plan.fromSeq}-${plan.toSeq}.${csv ? 'csv' : 'ndjson'}"`);
    res.setHeader('X-Export-Total', String(plan.count));
    res.setHeader('Trailer', 'X-Export-Count, X-Export-Status');
    let count = 0;
    const records = log.exportRecords(plan);
    const lines = csv ? csvLines(records) : ndjsonLines(plan, records, { exportedAt: now(), certificate: log.certificate });
    let status = 'complete';
    try {
      if (!(await pipeLines(res, lines, () => (count += 1)))) return;
    } catch (e) {
      status = 'error';
      logger.error('exchange log export failed midway', { err: (e as Error).message });
    }
    // Lines, not records: the count includes the header (and, for NDJSON, checkpoint and end lines).
    res.addTrailers({ 'X-Export-Count': String(count), 'X-Export-Status': status });
    res.end();
  });

  router.get('/stats', async (req, res) => {
    const range = parseRange(req.query);
    const to = range.to ?? now().getTime();
    const from = range.from ?? to - DAY_MS;
    res.json({ from, to, services: await log.stats({ from, to }) });
  });

  router.get('/access-journal', async (req, res) => {
    const q = parseSubject(req.query);
    res.json(await log.accessJournal(q.subject, { from: q.from, to: q.to, ...q.page }));
  });

  router.get('/body-reads', async (req, res) => {
    const q = parseBodyReads(req.query);
    res.json(await log.bodyReads(q.filter, q.page));
  });

  router.use(errorHandler(logger));
  return router;
}
