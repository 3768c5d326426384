import express, { Router, type RequestHandler } from 'express';
import { AccessControl } from '../acl/access-control.js';
import type { Config } from '../config/schema.js';
import { AppError } from '../errors/app-error.js';
import type { ExchangeLogWriter } from '../exchange-log/types.js';
import { sendProblem } from '../http/problem.js';
import type { Logger } from '../log/logger.js';
import type { OperationTable } from '../operations/operation-table.js';
import type { KeyStore } from '../pki/key-store.js';
import type { TrustStore } from '../pki/trust-store.js';
import type { Store } from '../store/store.js';
import { MessageIds } from './message-ids.js';
import { objectShapeOf } from './schema-xml.js';
import { soapEndpoint } from './soap-endpoint.js';
import { generateWsdl, xroadAddress } from './wsdl.js';
import { xroadRestEndpoint } from './xroad-rest.js';

export interface XRoadRouterDeps {
  config: Config;
  table: OperationTable;
  trust: TrustStore;
  keys: KeyStore;
  store: Store;
  exchangeLog: ExchangeLogWriter;
  logger: Logger;
  now?: () => Date;
}

/**
 * Reads the raw body with a limit; a body-parser failure (too large, aborted) is left in
 * `res.locals.bodyError` for the endpoint, so that it is answered as a SOAP fault or an X-Road REST
 * error and logged like any other exchange, instead of reaching the app's JSON error handler.
 */
function rawBody(limit: number, when: (contentType: string) => boolean): RequestHandler {
  const parse = express.raw({ type: (req) => when(String(req.headers['content-type'] ?? '')), limit });
  return (req, res, next) => {
    parse(req, res, (err?: unknown) => {
      if (err) {
        const e = err as { type?: string };
        res.locals.bodyError = new AppError(e.type === 'entity.too.large' ? 'PAYLOAD_TOO_LARGE' : 'INVALID_XML', { cause: err });
      }
      next();
    });
  };
}

const isMultipart = (ct: string): boolean => /^\s*multipart\//i.test(ct);

/**
 * The X-Road side of the adapter: `POST /xroad` (SOAP), `GET /wsdl/{subsystem}.wsdl`, and X-Road REST
 * `/r1/{instance}/{class}/{member}/{subsystem}/{serviceCode}`. Every operation's schemas are mapped
 * once here, so a schema XML cannot express stops the start rather than a request.
 */
export function createXRoadRouter(deps: XRoadRouterDeps): Router {
  const { config, table, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const acl = new AccessControl(config.acl);
  const messageIds = new MessageIds(deps.store, config.xroad.messageIds);
  for (const op of table.operations()) {
    objectShapeOf(op.input, 'input');
    objectShapeOf(op.output, 'output');
  }
  for (const problem of acl.unknownEntries(table)) logger.warn('access control entry matches nothing served', { problem });
  for (const g of table.groups()) if (!config.xroad.providers[g.subsystem]) logger.warn('operation group has no provider identity in xroad.providers; not served over X-Road', { subsystem: g.subsystem });

  const limits = config.xroad.limits;
  const multipartLimit = limits.maxBytes + limits.maxAttachments * (limits.maxAttachmentBytes * 1.4 + 4096);
  const router = Router();

  router.post(
    '/xroad',
    rawBody(multipartLimit, isMultipart),
    rawBody(limits.maxBytes, (ct) => !isMultipart(ct)),
    soapEndpoint({ config, table, trust: deps.trust, keys: deps.keys, exchangeLog: deps.exchangeLog, logger, now, acl, messageIds }),
  );

  const wsdlCache = new Map<string, string>();
  router.get('/wsdl/:file', (req, res) => {
    const m = /^([A-Za-z0-9._-]+)\.wsdl$/.exec(String(req.params.file));
    const group = m && config.xroad.providers[m[1]] ? table.group(m[1]) : undefined;
    if (!group) {
      sendProblem(req, res, new AppError('NOT_FOUND'));
      return;
    }
    let wsdl = wsdlCache.get(group.subsystem);
    if (!wsdl) {
      wsdl = generateWsdl(group, { address: xroadAddress(config.server.publicUrl) });
      wsdlCache.set(group.subsystem, wsdl);
    }
    res.type('text/xml; charset=utf-8').send(wsdl);
  });

  router.all(
    '/r1/:instance/:memberClass/:memberCode/:subsystem/:serviceCode',
    rawBody(config.server.bodyLimitBytes, () => true),
    xroadRestEndpoint({ config, table, exchangeLog: deps.exchangeLog, logger, now, acl, messageIds }),
  );
  return router;
}
