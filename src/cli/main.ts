import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadConfig, redactConfig, ConfigError } from '../config/loader.js';
import { openStore, StoreUnavailableError } from '../store/store.js';
import { ensureDevPki } from '../pki/dev-pki.js';
import { openExchangeLog } from '../exchange-log/open-exchange-log.js';
import { registerLogCommands } from './log-commands.js';

/**
 * Operator CLI. Exit codes: 0 ok, 1 the check failed (e.g. integrity broken, not found),
 * 2 usage or configuration error, 3 store unavailable.
 */
export const CLI_EXIT = { OK: 0, FAILED: 1, USAGE: 2, STORE: 3 } as const;

export function buildCli(): Command {
  const program = new Command('registry-adapter').description('Tunduk registry adapter: operator commands').exitOverride();

  const config = program.command('config').description('configuration');
  config
    .command('check')
    .description('load and validate the configuration; exit 0 when valid')
    .action(() => {
      const cfg = loadConfig();
      console.log(`configuration valid (env ${cfg.env}, store ${cfg.store.client})`);
    });
  config
    .command('print')
    .description('print the effective configuration')
    .option('--redacted', 'hide secrets (always on; kept for clarity)', true)
    .action(() => {
      console.log(JSON.stringify(redactConfig(loadConfig()), null, 2));
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const cfg = loadConfig();
      const store = await openStore(cfg.store);
      try {
        const { applied } = await store.migrate();
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await store.close();
      }
    });

  program
    .command('certs')
    .description('generate the development CA and member certificates when absent')
    .action(() => {
      const cfg = loadConfig();
      const res = ensureDevPki(path.resolve(cfg.certs.dir));
      console.log(`${res.created ? 'generated' : 'already present'}: ${res.members.length} member certificates in ${cfg.certs.dir}`);
    });

  registerLogCommands(program, () => openExchangeLog(loadConfig()));

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return CLI_EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? CLI_EXIT.OK : CLI_EXIT.USAGE;
    if (e instanceof ConfigError) {
      console.error(e.message);
      return CLI_EXIT.USAGE;
    }
    if (e instanceof StoreUnavailableError) {
      console.error(e.message);
      return CLI_EXIT.STORE;
    }
    // LogCommandFailure (integrity broken, nothing found) and anything else: the check failed.
    console.error(`error: ${(e as Error).message}`);
    return CLI_EXIT.FAILED;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cli/main.ts') || process.argv[1]?.endsWith('cli/main.js')) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
