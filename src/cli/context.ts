import type { Command } from 'commander';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/loader.js';
import { KoppelError } from '../core/errors.js';

/** Exit codes: 0 done, 1 failed or problems found, 2 usage error or capability not available yet. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface CliContext {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Global options of the program (--config). */
  globals(): { config?: string };
  /** Loads koppel.yaml (or defaults); throws ConfigError listing every problem. */
  loadConfig(): LoadedConfig;
}

export type Register = (program: Command, ctx: CliContext) => void;

/** Thrown by a command to end the process with a code after printing its own message. */
export class ExitError extends Error {
  constructor(readonly exitCode: number, message = '') {
    super(message);
  }
}

export function notAvailableYet(ctx: CliContext, what: string, arrivesWith: string): never {
  ctx.err(`koppel: ${what} is not available yet (${arrivesWith}).`);
  throw new ExitError(EXIT.usage);
}

export function createContext(program: Command, io: Partial<Pick<CliContext, 'out' | 'err' | 'env' | 'cwd'>> = {}): CliContext {
  const ctx: CliContext = {
    out: io.out ?? ((l) => process.stdout.write(l + '\n')),
    err: io.err ?? ((l) => process.stderr.write(l + '\n')),
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    globals: () => program.opts<{ config?: string }>(),
    loadConfig: () => loadConfig({ path: ctx.globals().config, env: ctx.env, cwd: ctx.cwd }),
  };
  return ctx;
}

/** Prints an error the way a shop owner can act on it; returns the exit code. */
export function reportError(ctx: CliContext, e: unknown): number {
  if (e instanceof ExitError) {
    if (e.message) ctx.err(e.message);
    return e.exitCode;
  }
  if (e instanceof ConfigError) {
    ctx.err(e.message);
    return EXIT.failed;
  }
  if (e instanceof KoppelError) {
    ctx.err(`koppel: ${e.describe()}`);
    return EXIT.failed;
  }
  ctx.err(`koppel: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return EXIT.failed;
}
