import { createEngine } from '../../engine/index.js';
import { installFlows } from '../../flows/install.js';
import { createLogger } from '../../obs/log.js';
import { dialectOf, redactUrl } from '../../store/url.js';
import { openCliEnv } from '../env.js';
import { databaseUrl } from '../runtime.js';
import { EXIT, ExitError, type Register } from '../context.js';
import { JOB_GRACE_MS, untilSignal } from '../signals.js';

export const register: Register = (program, ctx) => {
  program
    .command('worker')
    .description('run as a scale-out worker that shares the jobs with other workers through PostgreSQL')
    .option('--concurrency <n>', 'jobs this worker runs at once', (v) => Number(v), 4)
    .action(async (o: { concurrency: number }) => {
      const loaded = ctx.loadConfig();
      const url = databaseUrl(loaded.config, ctx.cwd);
      if (dialectOf(url) !== 'postgres') {
        throw new ExitError(EXIT.usage, `koppel worker shares jobs through PostgreSQL, but the database is SQLite (${redactUrl(url)}).\n  fix: set KOPPEL_DATABASE_URL=postgres://... on every worker and on koppel start; with SQLite, koppel start runs the jobs itself`);
      }
      const logger = createLogger({ level: loaded.config.log.level });
      const cli = await openCliEnv(loaded, { logger, cwd: ctx.cwd, startSandboxes: false });
      const engine = createEngine(cli.env.store, { logger, concurrency: o.concurrency });
      const installed = await installFlows(engine.runtime, cli.env);
      await engine.start();
      logger.info({ workerId: engine.runtime.workerId, schedules: installed.scheduled }, 'worker started');
      await untilSignal(logger, async () => {
        await engine.stop({ graceMs: JOB_GRACE_MS });
        await cli.close();
      });
    });
};
