/**
 * Scenario D's exchange-log part in a process of its own:
 *   node --import tsx bench/lib/log-part-child.ts --records N --store sqlite|postgres --out FILE
 * SQLite statements run in the calling thread, so in the bench's own process this part and the
 * seeding of the large holder store would take turns instead of running side by side. Progress
 * lines go to stdout; runLogGrowth's result is written to FILE as JSON.
 */
import fs from 'node:fs';
import { runLogGrowth } from '../scenarios/log-growth.js';

const arg = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
};

const store = arg('store') as 'sqlite' | 'postgres';
const result = await runLogGrowth({ records: Number(arg('records')), client: store, store, log: (line: string) => process.stdout.write(`${line}\n`) });
fs.writeFileSync(arg('out'), JSON.stringify(result));
process.exit(0);
