import { InvalidArgumentError } from 'commander';
import { FLOW_MODULES } from '../../flows/index.js';
import type { FlowName } from '../../flows/module.js';
import { createLogger } from '../../obs/log.js';
import { openCliEnv } from '../env.js';
import { EXIT, ExitError, notAvailableYet, type Register } from '../context.js';
import { periodicProgress, terminalProgress } from '../progress.js';

export const FLOWS = ['products', 'categories', 'stock', 'customers', 'orders'] as const;

export const register: Register = (program, ctx) => {
  program
    .command('sync')
    .description('run one flow now: read, plan, apply (or only read and plan with --dry-run)')
    .argument('<flow>', `one of ${FLOWS.join(', ')}`, (v: string) => {
      if (!(FLOWS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${FLOWS.join(', ')}`);
      return v;
    })
    .option('--dry-run', 'print the plan (and, on a first sync, the linking report) without writing anything')
    .option('--full', 'compare everything instead of what changed since the last run')
    .option('--json', 'machine-readable output on stdout (progress as JSON lines on stderr)')
    .action(async (flow: FlowName, o: { dryRun?: boolean; full?: boolean; json?: boolean }) => {
      const module = FLOW_MODULES[flow];
      if (!module) notAvailableYet(ctx, `koppel sync ${flow}`, 'this flow lands with its own issue');
      const loaded = ctx.loadConfig();
      const logger = createLogger({ level: o.json ? 'warn' : loaded.config.log.level === 'info' ? 'warn' : loaded.config.log.level, ...(o.json ? { pretty: false, destination: process.stderr } : {}) });
      const cli = await openCliEnv(loaded, { logger, cwd: ctx.cwd });
      try {
        if (cli.temporarySandboxes && !o.json) ctx.err('note: no sandbox is running, so this runs against temporary sandboxes whose data is gone afterwards (start them with "koppel start" or "koppel sandbox")');
        const progress = o.json
          ? periodicProgress({ jsonLine: (x) => process.stderr.write(JSON.stringify(x) + '\n') })
          : process.stderr.isTTY ? terminalProgress() : periodicProgress({ logger: createLogger({ level: 'info', pretty: false, destination: process.stderr }) });
        const report = await module.sync(cli.env, { dryRun: o.dryRun === true, trigger: 'manual', mode: o.full ? 'full' : 'delta', progress });
        if (o.json) ctx.out(JSON.stringify(report.data, null, 2));
        else for (const line of report.lines) ctx.out(line);
        if (report.run.status === 'failed') throw new ExitError(EXIT.failed);
      } finally {
        await cli.close();
      }
    });
};
