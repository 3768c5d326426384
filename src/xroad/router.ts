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
import { soapEndpoint, soapExchange } from './soap-endpoint.js';
import { readBody, sendBytes, type DirectRoute } from '../http/direct-route.js';
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

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);

/** The X-Road side's routes: the express router, and `POST /xroad` as a direct route as well (see DirectRoute). */
export interface XRoadTransport {
  router: Router;
  direct: DirectRoute[];
}

/**
 * The X-Road side of the adapter: `POST /xroad` (SOAP), `GET /wsdl/{subsystem}.wsdl`, and X-Road REST
 * `/r1/{instance}/{class}/{member}/{subsystem}/{serviceCode}`. Every operation's schemas are mapped
 * once here, so a schema XML cannot express stops the start rather than a request. `POST /xroad`
 * is also a direct route, taken for every body not content-encoded; the router serves the rest alike.
 */
export function createXRoadTransport(deps: XRoadRouterDeps): XRoadTransport {
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

  const soap = soapExchange({ config, table, trust: deps.trust, keys: deps.keys, exchangeLog: deps.exchangeLog, logger, now, acl, messageIds });
  router.post('/xroad', rawBody(multipartLimit, isMultipart), rawBody(limits.maxBytes, (ct) => !isMultipart(ct)), soapEndpoint(soap));
  const soapDirect: DirectRoute = {
    method: 'POST',
    path: '/xroad',
    // express.raw inflates gzip and deflate bodies; those few go to the router.
    accepts: (req) => {
      const encoding = req.headers['content-encoding'];
      return encoding === undefined || encoding.trim().toLowerCase() === 'identity';
    },
    serve: async (req, res, frame) => {
      const contentType = header(req.headers['content-type']);
      const { body, error } = await readBody(req, isMultipart(contentType ?? '') ? multipartLimit : limits.maxBytes);
      const rendered = await soap({
        raw: body,
        bodyError: error,
        contentType,
        soapAction: header(req.headers.soapaction),
        acceptLanguage: header(req.headers['accept-language']),
        requestId: frame.requestId,
        log: frame.log,
      });
      frame.outcome = rendered.faultCode ?? 'ok';
      sendBytes(res, rendered);
    },
  };

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
  return { router, direct: [soapDirect] };
}
