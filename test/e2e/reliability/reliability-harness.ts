import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildAdapter, type Adapter } from '../../../src/adapter.js';
import { loadConfig } from '../../../src/config/loader.js';
import type { Config } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { FaultControl, FaultPlan } from '../../../fixtures/sandbox/fault-control.js';
import type { Sandbox } from '../../../fixtures/sandbox/start-sandbox.js';
import { freshStore, type TestStore } from '../../helpers/stores.js';

export const sha256 = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur) ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** The whole adapter as `npm start` wires it (sandbox on ephemeral ports), served on a loopback port 0. */
export interface WiredAdapter {
  adapter: Adapter;
  base: string;
  store: TestStore;
  /** The sandbox's fault controls (buildAdapter starts the sandbox; its handle is the full Sandbox). */
  faults: Sandbox['faults'];
  /** The adapter's clock is real time plus this offset (ms); MoJ cache ages follow it. */
  clock: { offsetMs: number };
  close(): Promise<void>;
}

export async function startWiredAdapter(overrides: Record<string, unknown>, certsDir: string): Promise<WiredAdapter> {
  const store = await freshStore('sqlite');
  const config: Config = loadConfig({
    env: { NODE_ENV: 'test' },
    overrides: deepMerge({ certs: { dir: certsDir, generateDev: true }, sandbox: { enabled: true, minjustPort: 0, bisPort: 0 } }, overrides) as never,
  });
  const clock = { offsetMs: 0 };
  let adapter: Adapter;
  try {
    adapter = await buildAdapter(config, silentLogger(), { store, now: () => new Date(Date.now() + clock.offsetMs) });
  } catch (e) {
    await store.dispose();
    throw e;
  }
  const server = http.createServer(adapter.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    adapter,
    base,
    store,
    faults: (adapter.sandbox as unknown as Sandbox).faults,
    clock,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await adapter.close();
      await store.dispose();
    },
  };
}

/** Sets faults on one stand-in and clears its statistics. */
export function inject(control: FaultControl, plan: Partial<FaultPlan>): void {
  control.clear();
  control.resetStats();
  control.set(plan);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `f` is true or the time is up; returns the last value. */
export async function until(f: () => Promise<boolean> | boolean, ms: number, stepMs = 25): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await f()) return true;
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
}
