import fs from 'node:fs';
import { expect } from 'chai';
import { ERRORS } from '../../../src/errors/catalogue.js';

const README = fs.readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const PKG = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

/** The README is what a newcomer and a calling system read: it must match the code. */
describe('README', () => {
  it('documents every error code with its faultcode and HTTP status', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(README, code).to.include(`| \`${code}\` | \`${spec.faultCode}\` | ${spec.httpStatus} |`);
    }
  });

  it('names only npm scripts that exist', () => {
    const named = [...README.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]);
    expect(named.length).to.be.greaterThan(3);
    for (const n of named) expect(PKG.scripts, `npm run ${n}`).to.have.property(n);
  });

  it('shows the two commands a newcomer runs', () => {
    expect(README).to.include('npm ci && npm start');
    expect(README).to.include('npm ci && npm test');
  });
});
