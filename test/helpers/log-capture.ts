import fs from 'node:fs';
import { setLogTap } from '../../src/log/logger.js';
import { personalDataFinder } from '../../fixtures/privacy/personal-data.js';

/**
 * Mocha root hook plugin (loaded by .mocharc.json): every line any of the project's loggers
 * formats during the run, at any level and even when the logger is silent, is checked against the
 * personal data of the fixtures (PINs, persons' names, phones, e-mails). After all tests, the run
 * fails naming what leaked and in which test. Lines are scanned as they come and not kept.
 * LOG_CAPTURE_REPORT=1 prints the totals; LOG_CAPTURE_DUMP=<file> also appends every line there.
 */

interface Leak {
  kind: string;
  value: string;
  test: string;
  line: string;
}

const find = personalDataFinder();
const leaks: Leak[] = [];
const totals = { lines: 0, bytes: 0, ms: 0 };
const dump = process.env.LOG_CAPTURE_DUMP;
let currentTest = '(outside a test)';

setLogTap((line) => {
  const t0 = performance.now();
  totals.lines += 1;
  totals.bytes += line.length;
  const hit = find(line);
  if (hit && leaks.length < 50) leaks.push({ ...hit, test: currentTest, line: line.slice(0, 400) });
  totals.ms += performance.now() - t0;
  if (dump) fs.appendFileSync(dump, line);
});

export const mochaHooks = {
  beforeEach(this: Mocha.Context) {
    currentTest = this.currentTest?.fullTitle() ?? '(unknown test)';
  },
  afterAll() {
    if (process.env.LOG_CAPTURE_REPORT) process.stderr.write(`log capture: ${totals.lines} lines, ${totals.bytes} bytes, ${totals.ms.toFixed(1)} ms scanning\n`);
    if (leaks.length === 0) return;
    const report = leaks.map((l) => `- ${l.kind} "${l.value}" in: ${l.test}\n  ${l.line.trim()}`).join('\n');
    throw new Error(`personal data from the fixtures reached application logs (${leaks.length}${leaks.length >= 50 ? '+' : ''}):\n${report}`);
  },
};
