import { createLogger } from '../../obs/log.js';
import { startKoppel } from '../runtime.js';
import type { Register } from '../context.js';

/** Graceful shutdown budget: after this the process exits regardless. */
const SHUTDOWN_BUDGET_MS = 5000;

export const register: Register = (program, ctx) => {
  program
    .command('start')
    .description('run Koppel: dashboard, webhooks, scheduler (with no configuration: SQLite and the built-in sandboxes)')
    .action(async () => {
      const loaded = ctx.loadConfig();
      const logger = createLogger({ level: loaded.config.log.level });
      logger.info({ config: loaded.file ?? 'defaults (no koppel.yaml)' }, 'starting Koppel');
      const koppel = await startKoppel(loaded, { logger, cwd: ctx.cwd });

      await new Promise<void>((done) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) {
            logger.warn('second signal: exiting now');
            process.exit(130);
          }
          stopping = true;
          logger.info({ signal }, 'shutting down');
          setTimeout(() => {
            logger.error(`shutdown took longer than ${SHUTDOWN_BUDGET_MS / 1000} s: exiting`);
            process.exit(1);
          }, SHUTDOWN_BUDGET_MS).unref();
          koppel.close().then(() => {
            logger.info('stopped');
            logger.flush?.();
            done();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
};
