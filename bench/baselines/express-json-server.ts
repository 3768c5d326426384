/**
 * B3: a plain express JSON endpoint doing the same getHolder lookup: `GET /holders/:inn`.
 * No XML, no signature, no xrd:id claim, no exchange log.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { reportStartError, serveBench } from '../lib/child.js';
import { baselineEnv } from './common.js';

async function main(): Promise<void> {
  const env = await baselineEnv();
  const app = express();
  let n = 0;
  app.get('/holders/:inn', async (req, res) => {
    try {
      res.json(await env.lookup(String(req.params.inn), 'central-server/GOV/70000030/e-kyzmat-portal', `b3-${++n}`));
    } catch (e) {
      res.status(500).json({ error: (e as Error).message });
    }
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serveBench((server.address() as AddressInfo).port);
}

main().catch(reportStartError);
