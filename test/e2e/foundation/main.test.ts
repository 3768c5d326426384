import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ensureDevPki } from '../../../src/pki/dev-pki.js';

const root = path.resolve(import.meta.dirname, '../../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every process started here (each the leader of its own group), so that a failed assertion does not leave an adapter running. */
const started = new Set<ReturnType<typeof spawn>>();

function startMain(env: NodeJS.ProcessEnv): { child: ReturnType<typeof spawn>; port: Promise<number>; done: Promise<Run> } {
  const child = spawn(tsx, ['src/main.ts'], { cwd: root, env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let stdout = '';
  let stderr = '';
  let resolvePort!: (p: number) => void;
  const port = new Promise<number>((r) => (resolvePort = r));
  child.stdout!.on('data', (c) => {
    stdout += c;
    for (const line of stdout.split('\n')) {
      try {
        const j = JSON.parse(line);
        if (j.message === 'listening') resolvePort(j.port);
      } catch {
        // partial line
      }
    }
  });
  child.stderr!.on('data', (c) => (stderr += c));
  const done = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, port, done };
}

function get(port: number, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'adapter-e2e-'));

describe('the adapter process', function () {
  this.timeout(60_000);
  // tsx runs the adapter as its own child: the whole process group goes.
  afterEach(() => {
    for (const child of started) {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('starts on embedded SQLite with generated certificates, serves health, and exits 0 on SIGTERM', async () => {
    const dir = tmp();
    const run = startMain({ DATA_DIR: path.join(dir, 'data'), CERTS_DIR: path.join(dir, 'certs'), PORT: '0' });
    const port = await run.port;
    expect(await get(port, '/healthz')).to.equal(200);
    expect(await get(port, '/readyz')).to.equal(200);
    expect(fs.existsSync(path.join(dir, 'certs', 'ca.crt'))).to.equal(true);
    expect(fs.existsSync(path.join(dir, 'data', 'adapter.sqlite'))).to.equal(true);
    run.child.kill('SIGTERM');
    const res = await run.done;
    expect(res.code).to.equal(0);
    expect(res.stdout).to.contain('"message":"stopped"');
  });

  it('refuses a bad configuration with exit 2 and a one-line reason naming the key', async () => {
    const res = await startMain({ CFG__server__port: '"eighty"' }).done;
    expect(res.code).to.equal(2);
    expect(res.stderr.trim().split('\n')[0]).to.match(/^registry-adapter: invalid configuration/);
    expect(res.stderr).to.contain('server.port');
    expect(res.stderr).not.to.match(/\n\s+at /);
  });

  it('refuses an unreachable PostgreSQL with exit 3 and a one-line reason', async () => {
    const dir = tmp();
    const res = await startMain({ DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:1/none', CERTS_DIR: path.join(dir, 'certs') }).done;
    expect(res.code).to.equal(3);
    expect(res.stderr).to.match(/^registry-adapter: store unreachable \(postgres postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none\)/);
    expect(res.stderr).not.to.contain(':pw@');
  });

  it('refuses an unreadable key file with exit 4', async () => {
    const dir = tmp();
    const certs = path.join(dir, 'certs');
    ensureDevPki(certs);
    fs.writeFileSync(path.join(certs, 'member-70000099.key'), 'garbage');
    const res = await startMain({ DATA_DIR: path.join(dir, 'data'), CERTS_DIR: certs }).done;
    expect(res.code).to.equal(4);
    expect(res.stderr).to.match(/^registry-adapter: .*member-70000099: private key is not a readable PEM key/);
    fs.writeFileSync(path.join(certs, 'ca.key'), 'not a key');
    const res2 = await startMain({ DATA_DIR: path.join(dir, 'data'), CERTS_DIR: certs }).done;
    expect(res2.code).to.equal(4);
    expect(res2.stderr).to.match(/^registry-adapter: .*ca\.key/);
  });
});
