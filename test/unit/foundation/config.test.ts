import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig, redactConfig, ConfigError, validateConfig } from '../../../src/config/loader.js';

const base = { NODE_ENV: 'test' } as NodeJS.ProcessEnv;

function expectConfigError(fn: () => unknown, ...fragments: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a ConfigError').to.be.instanceOf(ConfigError);
  for (const f of fragments) expect((err as Error).message).to.contain(f);
}

describe('configuration', () => {
  it('loads default.json merged with <NODE_ENV>.json, validated and frozen', () => {
    const cfg = loadConfig({ env: base });
    expect(cfg.env).to.equal('test');
    expect(cfg.store.client).to.equal('sqlite');
    expect(cfg.server.port).to.equal(0);
    expect(Object.isFrozen(cfg.server)).to.equal(true);
  });

  it('production turns the sandbox and development certificates off', () => {
    const cfg = loadConfig({ env: { NODE_ENV: 'production' } });
    expect(cfg.sandbox.enabled).to.equal(false);
    expect(cfg.certs.generateDev).to.equal(false);
  });

  it('applies the environment variables of the contract', () => {
    const cfg = loadConfig({ env: { ...base, PORT: '9191', DATA_DIR: '/srv/data', CERTS_DIR: '/srv/certs', DATABASE_URL: 'postgres://u:p@db:5432/reg', LOG_LEVEL: 'debug' } });
    expect(cfg.server.port).to.equal(9191);
    expect(cfg.store.dataDir).to.equal('/srv/data');
    expect(cfg.certs.dir).to.equal('/srv/certs');
    expect(cfg.store.client).to.equal('postgres');
    expect(cfg.store.url).to.equal('postgres://u:p@db:5432/reg');
    expect(cfg.logging.level).to.equal('debug');
  });

  it('applies CFG__ overrides as JSON, and *_FILE values from mounted files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'url');
    fs.writeFileSync(file, 'postgres://svc:secret@db/reg\n');
    const cfg = loadConfig({ env: { ...base, CFG__exchangeLog__bodies: 'metadata', CFG__server__shutdownGraceMs: '1234', DATABASE_URL_FILE: file } });
    expect(cfg.exchangeLog.bodies).to.equal('metadata');
    expect(cfg.server.shutdownGraceMs).to.equal(1234);
    expect(cfg.store.url).to.equal('postgres://svc:secret@db/reg');
  });

  it('refuses an unknown key, naming it', () => {
    expectConfigError(() => loadConfig({ env: base, overrides: { server: { prot: 80 } } }), 'server', '"prot"');
  });

  it('refuses a wrong type, naming the key and what was expected', () => {
    expectConfigError(() => loadConfig({ env: { ...base, CFG__server__port: '"eighty"' } }), 'server.port', 'expected number');
    expectConfigError(() => loadConfig({ env: { ...base, CFG__exchangeLog__bodies: 'some' } }), 'exchangeLog.bodies');
  });

  it('refuses a bad PORT, a non-postgres DATABASE_URL and an unreadable secret file', () => {
    expectConfigError(() => loadConfig({ env: { ...base, PORT: 'http' } }), 'PORT');
    expectConfigError(() => loadConfig({ env: { ...base, DATABASE_URL: 'mysql://x' } }), 'DATABASE_URL');
    expectConfigError(() => loadConfig({ env: { ...base, DATABASE_URL_FILE: '/nonexistent/secret' } }), 'DATABASE_URL_FILE', 'ENOENT');
  });

  it('refuses an unknown NODE_ENV that has no config file', () => {
    expectConfigError(() => loadConfig({ env: { NODE_ENV: 'staging-x' } }), 'NODE_ENV');
  });

  it('refuses prototype keys in overrides', () => {
    expectConfigError(() => loadConfig({ env: base, overrides: JSON.parse('{"__proto__": {"x": 1}}') }), '__proto__');
  });

  it('requires a URL when the store is PostgreSQL', () => {
    const cfg = JSON.parse(JSON.stringify(loadConfig({ env: base })));
    cfg.store.client = 'postgres';
    expectConfigError(() => validateConfig(cfg), 'store.url');
  });

  it('prints redacted: database password and token hashes hidden', () => {
    const cfg = loadConfig({
      env: { ...base, DATABASE_URL: 'postgres://u:hunter2@db/reg' },
      overrides: { operators: { tokens: { alice: { role: 'auditor', tokenSha256: 'a'.repeat(64) } } } },
    });
    const text = JSON.stringify(redactConfig(cfg));
    expect(text).not.to.contain('hunter2');
    expect(text).not.to.contain('a'.repeat(64));
    expect(text).to.contain('postgres://u:***@db/reg');
  });
});
