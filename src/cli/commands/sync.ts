import { InvalidArgumentError } from 'commander';
import { notAvailableYet, type Register } from '../context.js';

export const FLOWS = ['products', 'categories', 'stock', 'customers', 'orders'] as const;

export const register: Register = (program, ctx) => {
  program
    .command('sync')
    .description('run one flow now: read, plan, apply (or only read and plan with --dry-run)')
    .argument('<flow>', `one of ${FLOWS.join(', ')}`, (v: string) => {
      if (!(FLOWS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${FLOWS.join(', ')}`);
      return v;
    })
    .option('--dry-run', 'print the plan without writing anything')
    .option('--json', 'machine-readable output')
    .action((flow: string) => notAvailableYet(ctx, `koppel sync ${flow}`, 'the flows land with their own issues'));
};
