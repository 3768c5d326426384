import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function compare(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/compare.ts'), ...args], { cwd: root, env: { ...process.env, NODE_ENV: 'test' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench:compare', function () {
  this.timeout(120_000);

  it('refuses overrides that are not a JSON object, and unknown options, with the reason', async () => {
    const notJson = await compare(['--with', '{"xroad":']);
    expect(notJson.code).to.equal(1);
    expect(notJson.stderr).to.match(/--with is not JSON/);
    const array = await compare(['--with', '[1]']);
    expect(array.stderr).to.match(/--with is a JSON object/);
    const unknown = await compare(['--with', '{}', '--fast']);
    expect(unknown.stderr).to.match(/unknown option --fast/);
  });

  it('loads both sides in turns and reports each with the ratios, every sampled answer verified', async () => {
    const r = await compare(['--with', '{"xroad":{"messageIds":{"readClaims":"upfront"}}}', '--slices', '2', '--seconds', '1', '--holders', '200']);
    expect(r.code, r.stderr.slice(-2000)).to.equal(0);
    expect(r.stdout).to.match(/^defaults\s+\d+/m);
    expect(r.stdout).to.match(/^with overrides\s+\d+/m);
    expect(r.stdout).to.match(/overrides\/defaults: req\/s \d+\.\d+×/);
    const file = /results: (\S+)/.exec(r.stdout)?.[1];
    expect(file).to.be.a('string');
    const json = JSON.parse(fs.readFileSync(path.join(root, file as string), 'utf8')) as { sides: Array<{ label: string; errors: number; signatures: { checked: number; invalid: number }; slices: { rps: number[] } }> };
    fs.rmSync(path.join(root, file as string));
    expect(json.sides.map((s) => s.label)).to.deep.equal(['defaults', 'with overrides']);
    for (const s of json.sides) {
      expect(s.errors).to.equal(0);
      expect(s.signatures.invalid).to.equal(0);
      expect(s.signatures.checked).to.be.greaterThan(0);
      expect(s.slices.rps).to.have.length(2);
    }
  });
});
