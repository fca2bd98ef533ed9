import { InvalidArgumentError } from 'commander';
import { hasErrorCode } from '../../core/errors.js';
import { createEngine } from '../../engine/index.js';
import type { RunRecord } from '../../engine/runs.js';
import { FLOW_MODULES } from '../../flows/index.js';
import type { FlowModule, FlowName, FlowReport } from '../../flows/module.js';
import type { FlowEnv } from '../../flows/env.js';
import { createLogger, type Logger } from '../../obs/log.js';
import { openCliEnv } from '../env.js';
import { EXIT, ExitError, notAvailableYet, type CliContext, type Register } from '../context.js';
import { periodicProgress, terminalProgress } from '../progress.js';
import type { ProgressSink } from '../../flows/run.js';

export const FLOWS = ['products', 'categories', 'stock', 'customers', 'orders'] as const;

interface SyncOptions { dryRun?: boolean; full?: boolean; json?: boolean }

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
    .action(async (flow: FlowName, o: SyncOptions) => {
      const module = FLOW_MODULES[flow];
      if (!module) notAvailableYet(ctx, `koppel sync ${flow}`, 'this flow lands with its own issue');
      const loaded = ctx.loadConfig();
      const level = o.json ? 'warn' : loaded.config.log.level === 'info' ? 'warn' : loaded.config.log.level;
      const logger = createLogger({ level, ...(o.json ? { pretty: false, destination: process.stderr } : {}) });
      const cli = await openCliEnv(loaded, { logger, cwd: ctx.cwd });
      try {
        if (cli.startedSandboxes && !o.json) ctx.err(`note: no sandbox is running, so this runs against the sandboxes' shops kept in ${cli.startedSandboxes}`);
        const progress = o.json
          ? periodicProgress({ jsonLine: (x) => process.stderr.write(JSON.stringify(x) + '\n') })
          : process.stderr.isTTY ? terminalProgress() : periodicProgress({ logger: createLogger({ level: 'info', pretty: false, destination: process.stderr }) });
        const mode = o.full ? 'full' : 'delta';
        // A dry run only reads, so it runs here; a real run is a job on the engine, so it never overlaps a scheduled one.
        const report = o.dryRun || !module.enqueue
          ? await module.sync(cli.env, { dryRun: o.dryRun === true, trigger: 'manual', mode, progress })
          : await runAsJob(ctx, module, cli.env, { mode, progress, logger });
        if (o.json) ctx.out(JSON.stringify(report.data, null, 2));
        else for (const line of report.lines) ctx.out(line);
        if (report.run.status === 'failed') throw new ExitError(EXIT.failed);
      } finally {
        await cli.close();
      }
    });
};

/**
 * Queues the flow's job and follows its run until it ends. When `koppel start` (or a worker) is
 * running, the job runs there; otherwise this process works it.
 */
async function runAsJob(ctx: CliContext, module: FlowModule, env: FlowEnv, o: { mode: 'delta' | 'full'; progress: ProgressSink; logger: Logger }): Promise<FlowReport> {
  const engine = createEngine(env.store, { logger: o.logger, pollIntervalMs: 200, schedules: false });
  for (const m of Object.values(FLOW_MODULES)) m.define(engine.runtime, env);
  let working = false;
  try {
    await engine.runtime.start();
    working = true;
  } catch (e) {
    if (!hasErrorCode(e, 'RUNTIME_BUSY')) throw e;
    ctx.err('note: koppel start is running, so the run happens there; following it here');
  }
  try {
    const job = await module.enqueue!(engine.runtime, { mode: o.mode, trigger: 'manual' });
    let run: RunRecord | undefined;
    o.progress.start(undefined, `${module.name} (job ${job.id.slice(0, 8)})`);
    const ticker = setInterval(async () => {
      run = (await env.runs.byJob(job.id).catch(() => undefined)) ?? run;
      if (run) o.progress.update(Object.values(run.counts).reduce((a, b) => a + b, 0), run.counts);
    }, 1000);
    let info;
    try {
      info = await engine.runtime.waitFor(job.id, { timeoutMs: 24 * 3_600_000, pollMs: 300 });
    } finally {
      clearInterval(ticker);
      o.progress.stop();
    }
    run = await env.runs.byJob(job.id);
    if (!run) {
      throw new ExitError(EXIT.failed, `koppel: the ${module.name} job ended (${info.state}) without a run${info.error ? `: ${info.error.message}` : ''}`);
    }
    const problems = (await env.activity.query({ runId: run.id, outcome: ['quarantined', 'failed'], limit: 20 })).items;
    const c = run.counts;
    const lines = [
      `${module.name}: ${run.status} — created ${c.created}, updated ${c.updated}, skipped ${c.skipped}, quarantined ${c.quarantined}, failed ${c.failed} in ${(run.durationMs / 1000).toFixed(1)} s` +
        (run.apiCost ? `; Shopify cost ${run.apiCost} points over ${run.apiCalls} calls` : ''),
      ...(info.state === 'parked' && info.error ? [`the job was parked: ${info.error.message}${info.error.hint ? `\n  fix: ${info.error.hint}` : ''}`] : []),
      ...problems.map((p) => `  ${p.action} ${p.entity ?? ''} ${p.sourceKey ?? ''}: ${p.message ?? ''}${p.hint ? `\n    fix: ${p.hint}` : ''}`),
      ...(c.quarantined + c.failed > problems.length ? [`  … see all: koppel log --flow ${module.name} --outcome quarantined`] : []),
    ];
    return { run, lines, data: { run, job: { id: job.id, state: info.state, error: info.error }, problems } };
  } finally {
    if (working) await engine.stop({ graceMs: 3000 });
    else await engine.stop();
  }
}
