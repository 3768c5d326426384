import path from 'node:path';
import { parseArgs } from 'node:util';
import { runHoldersDemo } from './holders-demo.js';
import { runInfraDemo } from './infra-demo.js';
import { DemoError } from './soap-client.js';

/**
 * `npm run demo` / `npm run demo:infra` (tsx src/demo/run.ts holders|infra [--url URL]): runs a
 * demo against an adapter started with `npm start`. Certificates from CERTS_DIR, else ./certs/dev
 * (where `npm start` generates them). Exit codes: 0 done, 1 a step failed, 2 usage.
 */
const USAGE = 'usage: tsx src/demo/run.ts holders|infra [--url http://localhost:8080]   (certificates: CERTS_DIR, default ./certs/dev)';

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const which = parsed.positionals[0];
  if (parsed.values.help || (which !== 'holders' && which !== 'infra') || parsed.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return parsed.values.help ? 0 : 2;
  }
  const url = parsed.values.url ?? 'http://localhost:8080';
  if (!/^https?:\/\/[^/\s]+/.test(url)) {
    process.stderr.write(`--url: expected http://host:port, got "${url}"\n`);
    return 2;
  }
  const certsDir = path.resolve(process.env.CERTS_DIR || './certs/dev');
  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  try {
    if (which === 'holders') await runHoldersDemo({ url, certsDir, print });
    else await runInfraDemo({ url, certsDir, print });
    return 0;
  } catch (e) {
    if (e instanceof DemoError) {
      process.stderr.write(`demo: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`demo: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  },
);
