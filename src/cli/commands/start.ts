import { createLogger } from '../../obs/log.js';
import { startKoppel } from '../runtime.js';
import type { Register } from '../context.js';
import { untilSignal } from '../signals.js';

export const register: Register = (program, ctx) => {
  program
    .command('start')
    .description('run Koppel: dashboard, webhooks, scheduler (with no configuration: SQLite and the built-in sandboxes)')
    .action(async () => {
      const loaded = ctx.loadConfig();
      const logger = createLogger({ level: loaded.config.log.level });
      logger.info({ config: loaded.file ?? 'defaults (no koppel.yaml)' }, 'starting Koppel');
      const koppel = await startKoppel(loaded, { logger, cwd: ctx.cwd });
      await untilSignal(logger, () => koppel.close());
    });
};
