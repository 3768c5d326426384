/**
 * The store, certificates and child-process environment every benchmark adapter runs with: a
 * fresh store seeded with registered holders, the development PKI copied into the run's folder,
 * and the configuration overrides a bench server reads from BENCH_CONFIG.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyStore } from '../../src/pki/key-store.js';
import { ensureDevPki } from '../../src/pki/dev-pki.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { freshStore, type TestStore } from '../../test/helpers/stores.js';
import { startServerProcess, type ServerHandle } from './child.js';
import { seedHolders, warmMinjustCache } from './seed.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchEnv {
  store: TestStore;
  certsDir: string;
  keys: KeyStore;
  trust: TrustStore;
  /** Holders in the store (the seeded ones plus the template). */
  holders: number;
  /** seededInn(0 … seeded-1) exist. */
  seeded: number;
  tmp: string;
}

/** How the adapter processes of a run are started. */
export interface AdapterOptions {
  workers: number;
  /** Folder for V8 CPU profiles, written when the process stops. */
  cpuProf?: string;
  /** Configuration overrides on top of the bench's own (deep-merged by the config loader). */
  overrides?: Record<string, unknown>;
}

/** A fresh store (temporary SQLite file or new PostgreSQL schema) seeded with `holders` registered holders. */
export async function prepareStore(kind: 'sqlite' | 'postgres', holders: number, tmp: string, writers: number, say: (s: string) => void, certsDir = path.join(tmp, 'certs')): Promise<BenchEnv> {
  const store = await freshStore(kind);
  const t = performance.now();
  const stored = await seedHolders(store, holders, (d) => d % 100_000 === 0 && say(`  seeded ${d} holders`));
  say(`  ${stored} holders in ${store.location} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  if (writers > 0) await warmMinjustCache(store, writers, 'central-server/GOV/70000024/minjust-service');
  // The development PKI (a dozen RSA keys) is made once per machine and copied into this run's folder.
  const cache = path.join(os.tmpdir(), 'adapter-bench-dev-pki');
  ensureDevPki(cache);
  fs.cpSync(cache, certsDir, { recursive: true });
  const keys = new KeyStore(certsDir);
  return { store, certsDir, keys, trust: new TrustStore([keys.readPem('ca.crt')]), holders: stored, seeded: holders, tmp };
}

/** The environment of a bench server process: its configuration overrides, persons, workers and profile folder. */
export function childEnv(env: BenchEnv, o: AdapterOptions, persons: number): NodeJS.ProcessEnv {
  const overrides = {
    ...o.overrides,
    // The run's own store, with the store settings asked for (bench:compare --with '{"store":{…}}').
    store: { ...env.store.storeConfig, ...(o.overrides?.store as object | undefined) },
    certs: { dir: env.certsDir, generateDev: true },
    sandbox: { enabled: true, minjustPort: 0, bisPort: 0 },
    logging: { level: 'error' },
  };
  return {
    BENCH_CONFIG: JSON.stringify(overrides),
    BENCH_PERSONS: String(persons),
    BENCH_WORKERS: String(o.workers),
    ...(o.cpuProf ? { BENCH_CPU_PROF: o.cpuProf } : {}),
  };
}

export const startAdapter = (env: BenchEnv, o: AdapterOptions, persons: number): Promise<ServerHandle> => startServerProcess(path.join(benchDir, 'servers/adapter-server.ts'), childEnv(env, o, persons));
export const startBaseline = (env: BenchEnv, file: string): Promise<ServerHandle> => startServerProcess(path.join(benchDir, 'baselines', file), childEnv(env, { workers: 1 }, 0));
