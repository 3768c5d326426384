import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
 * Scenario D's exchange-log part on `records` records: the reusable runLogGrowth of
 * bench/scenarios/log-growth.ts when that module is there, otherwise bench/exchange-log.ts run as a
 * child process with --json.
 */
export async function runLogPart(o: { records: number; store: 'sqlite' | 'postgres'; quick: boolean; tmp: string }): Promise<LogPart> {
  const growth = path.join(benchDir, 'scenarios', 'log-growth.ts');
  if (fs.existsSync(growth)) {
    const mod = (await import(pathToFileURL(growth).href)) as { runLogGrowth?: (opts: Record<string, unknown>) => Promise<unknown> };
    if (typeof mod.runLogGrowth === 'function') {
      const r = (await mod.runLogGrowth({ records: o.records, store: o.store, quick: o.quick })) as Record<string, unknown>;
      const adapted = adaptGrowth(r, o.records);
      if (adapted) return adapted;
    }
  }
  const out = path.join(o.tmp, `exchange-log-${process.pid}.json`);
  const args = ['--import', 'tsx', path.join(benchDir, 'exchange-log.ts'), '--records', String(o.records), '--store', o.store, '--json', out, ...(o.quick ? ['--quick'] : [])];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench/exchange-log.ts exited with ${code}`))));
  });
  return fromExchangeLogRows(JSON.parse(fs.readFileSync(out, 'utf8')) as Parameters<typeof fromExchangeLogRows>[0]);
}

/** Takes runLogGrowth's result when it has the three numbers (named as in its rows or as fields). */
function adaptGrowth(r: Record<string, unknown>, records: number): LogPart | undefined {
  if (Array.isArray(r.rows)) return fromExchangeLogRows({ records: Number(r.records ?? records), rows: r.rows as Array<{ measure: string; value: string }> });
  const num = (k: string): number => (typeof r[k] === 'number' ? (r[k] as number) : NaN);
  const part = { records: Number(r.records ?? records), searchByIdP50ms: num('searchByIdP50ms'), searchHourP50ms: num('searchHourP50ms'), verifyPerSec: num('verifyPerSec'), raw: r };
  return Number.isFinite(part.searchByIdP50ms) && Number.isFinite(part.verifyPerSec) ? part : undefined;
}
