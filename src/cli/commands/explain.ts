/**
 * `koppel explain stock <SKU> [--json]`: the CCV inputs (on hand, reserved and where it came from),
 * the formula with the values put in, the result, Shopify's quantity as Koppel last knew it, and
 * the last pushes with time and outcome. Reads the store only: no API calls.
 */
import { stockSettings } from '../../config/stock.js';
import { DEFAULT_PAIR } from '../../flows/env.js';
import { pendingMigrations } from '../../store/db.js';
import { explainStock, explanationLines } from '../../flows/stock/explain.js';
import { EXIT, ExitError, type Register } from '../context.js';
import { openForReading } from './runs.js';

export const register: Register = (program, ctx) => {
  const explain = program.command('explain').description('show why a record looks the way it does in the target system');
  explain
    .command('stock')
    .description('stock of one SKU: CCV inputs, reserved and its orders, the formula, the result, Shopify\'s figure and the last pushes')
    .argument('<sku>', 'the SKU exactly as in CCV (case-sensitive)')
    .option('--json', 'machine-readable output')
    .option('--pushes <n>', 'how many journal entries to show (default 10)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 200) throw new ExitError(EXIT.usage, `koppel: --pushes must be a whole number from 1 to 200, got ${JSON.stringify(v)}`);
      return n;
    })
    .action(async (sku: string, opts: { json?: boolean; pushes?: number }) => {
      const loaded = ctx.loadConfig();
      const settings = stockSettings(loaded.config.flows);
      let store = await openForReading(ctx);
      if (store && (await pendingMigrations(store)).some((m) => m.includes('stock'))) {
        await store.close();
        store = undefined;
      }
      if (!store) {
        if (opts.json) ctx.out(JSON.stringify({ sku, variants: [] }, null, 2));
        else ctx.out('nothing to explain yet: the database has not been set up (koppel start does that)');
        throw new ExitError(EXIT.failed);
      }
      try {
        const e = await explainStock(store.db, DEFAULT_PAIR, sku, settings, { pushes: opts.pushes ?? 10 });
        if (opts.json) ctx.out(JSON.stringify(e, null, 2));
        else for (const line of explanationLines(e)) ctx.out(line);
        if (e.variants.length === 0) throw new ExitError(EXIT.failed);
      } finally {
        await store.close();
      }
    });
};
