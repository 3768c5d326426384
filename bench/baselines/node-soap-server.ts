/**
 * B2: an unsigned node-soap server (`soap.listen`) on the adapter's own pd-holders-registry WSDL,
 * doing the same getHolder lookup. It receives the same signed request bytes and ignores the
 * signature; its answer is not signed. No xrd:id claim, no exchange log.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import soap from 'soap';
import { generateWsdl } from '../../src/xroad/wsdl.js';
import { reportStartError, serveBench } from '../lib/child.js';
import { baselineEnv } from './common.js';

async function main(): Promise<void> {
  const env = await baselineEnv();
  const group = env.table.group('pd-holders-registry');
  if (!group) throw new Error('no holders group');
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const wsdl = generateWsdl(group, { address: `http://127.0.0.1:${port}/xroad` });
  let n = 0;
  const service = {
    'pd-holders-registry': {
      'pd-holders-registryPort': {
        getHolder: async (args: { inn: string }) => env.lookup(args.inn, 'central-server/GOV/70000030/e-kyzmat-portal', `b2-${++n}`),
      },
    },
  };
  soap.listen(server, '/xroad', service, wsdl);
  serveBench(port);
}

main().catch(reportStartError);
