import type { LoadedConfig } from '../../config/loader.js';
import { createLogger } from '../../obs/log.js';
import { startKoppel } from '../runtime.js';
import type { Register } from '../context.js';
import { untilSignal } from '../signals.js';

/** The flows a start without koppel.yaml runs against the sandboxes, so the demo shows them working. */
export const DEMO_FLOWS = ['products', 'categories', 'stock'] as const;

/**
 * Without a koppel.yaml both connections are sandboxes (credentials only come from the file), so the
 * flows that exist run on the demo data. With a file, only what it switches on runs.
 */
export function withDemoFlows(loaded: LoadedConfig): LoadedConfig {
  if (loaded.file !== null) return loaded;
  const f = loaded.config.flows;
  const flows = { ...f, products: { ...f.products, enabled: true }, categories: { ...f.categories, enabled: true }, stock: { ...f.stock, enabled: true } };
  return { ...loaded, config: { ...loaded.config, flows } };
}

export const register: Register = (program, ctx) => {
  program
    .command('start')
    .description('run Koppel: dashboard, webhooks, scheduler (with no configuration: SQLite, the built-in sandboxes and the products, categories and stock flows on their demo data)')
    .action(async () => {
      const loaded = withDemoFlows(ctx.loadConfig());
      const logger = createLogger({ level: loaded.config.log.level });
      logger.info({ config: loaded.file ?? 'defaults (no koppel.yaml)' }, 'starting Koppel');
      if (loaded.file === null) logger.info({ flows: DEMO_FLOWS }, 'demo: these flows run against the sandboxes; `koppel init` writes a koppel.yaml to choose flows and connections');
      const koppel = await startKoppel(loaded, { logger, cwd: ctx.cwd });
      await untilSignal(logger, () => koppel.close());
    });
};
