#!/usr/bin/env node
/** The `koppel` command. Each subcommand lives in ./commands/<name>.ts. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { createContext, reportError, type CliContext } from './context.js';
import { register as doctor } from './commands/doctor.js';
import { register as explain } from './commands/explain.js';
import { register as init } from './commands/init.js';
import { register as log } from './commands/log.js';
import { register as runs } from './commands/runs.js';
import { register as sandbox } from './commands/sandbox.js';
import { register as start } from './commands/start.js';
import { register as sync } from './commands/sync.js';
import { register as worker } from './commands/worker.js';

export function buildProgram(io: Partial<Pick<CliContext, 'out' | 'err' | 'env' | 'cwd'>> = {}): { program: Command; ctx: CliContext } {
  const program = new Command('koppel')
    .description('Keeps a CCV SalesPOS till and a Shopify store in step.')
    .version(VERSION, '-v, --version')
    .option('-c, --config <file>', 'configuration file (default: $KOPPEL_CONFIG or ./koppel.yaml)')
    .showHelpAfterError('(run "koppel --help" for usage)')
    .exitOverride();
  const ctx = createContext(program, io);
  for (const register of [start, sync, runs, log, explain, sandbox, worker, init, doctor]) register(program, ctx);
  return { program, ctx };
}

export async function main(argv: string[]): Promise<number> {
  const { program, ctx } = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    return reportError(ctx, e);
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

// `tsx src/cli/main.ts ...` during development; the installed bin (bin/koppel.js) calls main() itself.
if (invokedDirectly) {
  process.exitCode = await main(process.argv);
}
