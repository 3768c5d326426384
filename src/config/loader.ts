import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema, type Config } from './schema.js';

/** Raised when configuration cannot be loaded; the message names the key and what was expected. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge: objects merge key by key, everything else (arrays included) is replaced. */
export function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw new ConfigError(`config key "${k}" is not allowed`);
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as JsonObject, v) : v;
  }
  return out;
}

function readJson(file: string): JsonObject {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) throw new Error('top level must be an object');
    return parsed;
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function setPath(obj: JsonObject, keys: string[], value: Json): void {
  let cur = obj;
  keys.slice(0, -1).forEach((k) => {
    if (!isObject(cur[k])) cur[k] = {};
    cur = cur[k] as JsonObject;
  });
  cur[keys[keys.length - 1]] = value;
}

function parseEnvValue(raw: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw;
  }
}

/**
 * Overrides from the environment. The named variables of CONTRACT §8, then generic ones:
 * `CFG__server__port=9090` sets `server.port` (values are JSON when they parse as JSON).
 * A variable ending in `_FILE` reads its value from a mounted file (secrets).
 */
export function envOverrides(env: NodeJS.ProcessEnv): JsonObject {
  const out: JsonObject = {};
  const value = (name: string): string | undefined => {
    const fileVar = env[`${name}_FILE`];
    if (fileVar) {
      try {
        return fs.readFileSync(fileVar, 'utf8').trim();
      } catch (e) {
        throw new ConfigError(`${name}_FILE: cannot read ${fileVar}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    return env[name];
  };
  const port = value('PORT');
  if (port !== undefined) {
    if (!/^\d+$/.test(port)) throw new ConfigError(`PORT: expected a port number 0-65535, got "${port}"`);
    setPath(out, ['server', 'port'], Number(port));
  }
  const dataDir = value('DATA_DIR');
  if (dataDir) setPath(out, ['store', 'dataDir'], dataDir);
  const certsDir = value('CERTS_DIR');
  if (certsDir) setPath(out, ['certs', 'dir'], certsDir);
  const dbUrl = value('DATABASE_URL');
  if (dbUrl) {
    if (!/^postgres(ql)?:\/\//.test(dbUrl)) throw new ConfigError('DATABASE_URL: expected a postgres:// URL');
    setPath(out, ['store', 'client'], 'postgres');
    setPath(out, ['store', 'url'], dbUrl);
  }
  const level = value('LOG_LEVEL');
  if (level) setPath(out, ['logging', 'level'], level);
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('CFG__')) continue;
    const keyName = name.endsWith('_FILE') ? name.slice(0, -5) : name;
    if (name.endsWith('_FILE') && env[keyName] !== undefined) continue;
    const keys = keyName.slice(5).split('__').filter(Boolean);
    if (keys.length === 0) throw new ConfigError(`${name}: expected CFG__section__key`);
    const raw = value(keyName);
    if (raw !== undefined) setPath(out, keys, parseEnvValue(raw));
  }
  return out;
}

export interface LoadOptions {
  /** Folder with default.json and <env>.json; defaults to ./config. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  /** Applied last, for tests. */
  overrides?: JsonObject;
}

/** The project's config folder, found from this module's location (works from src/ and from the compiled dist/). */
function defaultConfigDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    if (fs.existsSync(path.join(dir, 'config', 'default.json'))) return path.join(dir, 'config');
    dir = path.dirname(dir);
  }
  return path.resolve('config');
}

/** Loads default.json → <NODE_ENV>.json → CONFIG_FILE → environment → overrides, validates and freezes. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const dir = opts.dir ?? (env.CONFIG_DIR ? path.resolve(env.CONFIG_DIR) : defaultConfigDir());
  const nodeEnv = env.NODE_ENV || 'development';
  if (!/^[a-z0-9-]+$/.test(nodeEnv)) throw new ConfigError(`NODE_ENV: expected a lower-case name, got "${nodeEnv}"`);
  let merged = readJson(path.join(dir, 'default.json'));
  const envFile = path.join(dir, `${nodeEnv}.json`);
  if (fs.existsSync(envFile)) merged = deepMerge(merged, readJson(envFile));
  else if (nodeEnv !== 'development') throw new ConfigError(`NODE_ENV: no config file ${envFile}`);
  if (env.CONFIG_FILE) merged = deepMerge(merged, readJson(env.CONFIG_FILE));
  merged = deepMerge(merged, envOverrides(env));
  if (opts.overrides) merged = deepMerge(merged, opts.overrides);
  return validateConfig(merged);
}

/** Validates a merged config object; the error lists every bad key with what was expected. */
export function validateConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = i.path.join('.') || '(root)';
      if (i.code === 'unrecognized_keys') return `${key ? `${key}: ` : ''}unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${key}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const cfg = result.data;
  if (cfg.store.client === 'postgres' && !cfg.store.url) throw new ConfigError('store.url: expected a postgres:// URL (set DATABASE_URL) when store.client is "postgres"');
  return deepFreeze(cfg);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.values(o).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}

const SECRET_KEY = /(token|secret|password|url|key)/i;

/** The config with secrets hidden: token hashes and database URLs' passwords. */
export function redactConfig(cfg: Config): unknown {
  const walk = (v: unknown, key: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    if (typeof v === 'string' && SECRET_KEY.test(key)) {
      if (/^[a-z]+:\/\//i.test(v)) return v.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
      return '***';
    }
    return v;
  };
  return walk(cfg, '');
}
