import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What scenario D needs from the exchange-log benchmark. */
export interface LogPart {
  records: number;
  searchByIdP50ms: number;
  searchHourP50ms: number;
  verifyPerSec: number;
  /** Everything the exchange-log benchmark reported, as it reported it. */
  raw: unknown;
}

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** "p50 1.23 ms" → 1.23 (the number after a "p50 " label when there is one); "456789 records/s" → 456789. */
export function firstNumber(s: string): number {
  const m = /(?:^|\s)(-?\d+(?:\.\d+)?)(?=\s|$)/.exec(s.replace(/^p\d+\s+/, ''));
  return m ? Number(m[1]) : NaN;
}

/** Reads the rows bench/exchange-log.ts writes with --json. */
export function fromExchangeLogRows(json: { records: number; rows: Array<{ measure: string; value: string }> }): LogPart {
  const find = (re: RegExp): number => {
    const r = json.rows.find((x) => re.test(x.measure));
    return r ? firstNumber(r.value) : NaN;
  };
  return {
    records: json.records,
    searchByIdP50ms: find(/^search by messageId/),
    searchHourP50ms: find(/^search one-hour window \(/),
    verifyPerSec: find(/^verify, metadata only/),
    raw: json,
  };
}

/**
 * Scenario D's exchange-log part on `records` records: runLogGrowth (bench/scenarios/log-growth.ts)
 * in a child process (bench/lib/log-part-child.ts), its progress lines passed to `onLine`.
 */
export async function runLogPart(o: { records: number; store: 'sqlite' | 'postgres'; quick: boolean; tmp: string; onLine?: (line: string) => void }): Promise<LogPart> {
  const out = path.join(o.tmp, `exchange-log-${process.pid}.json`);
  const args = ['--import', 'tsx', path.join(benchDir, 'lib', 'log-part-child.ts'), '--records', String(o.records), '--store', o.store, '--out', out];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    readline.createInterface({ input: child.stdout }).on('line', (line) => o.onLine?.(line));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the exchange-log part exited with ${code}`))));
  });
  const part = adaptGrowth(JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>, o.records);
  if (!part) throw new Error('the exchange-log part reported no search or verify figures');
  return part;
}

/**
 * Takes runLogGrowth's result: its fields (verify as the CLI runs it by default, with the body
 * check), or else its rows.
 */
export function adaptGrowth(r: Record<string, unknown>, records: number): LogPart | undefined {
  const num = (k: string): number => (typeof r[k] === 'number' ? (r[k] as number) : NaN);
  const part = { records: Number(r.records ?? records), searchByIdP50ms: num('searchByMessageIdP50Ms'), searchHourP50ms: num('searchByHourP50Ms'), verifyPerSec: num('verifyRecordsPerSec'), raw: r };
  if ([part.searchByIdP50ms, part.searchHourP50ms, part.verifyPerSec].every(Number.isFinite)) return part;
  if (Array.isArray(r.rows)) return fromExchangeLogRows({ records: part.records, rows: r.rows as Array<{ measure: string; value: string }> });
  return undefined;
}
