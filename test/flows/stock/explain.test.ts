/** `koppel explain stock <SKU>`: CCV inputs, formula, result, Shopify's figure, the last pushes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { register } from '../../../src/cli/commands/explain.js';
import { createContext, ExitError } from '../../../src/cli/context.js';
import { stockSettings } from '../../../src/config/stock.js';
import { LazyRun } from '../../../src/flows/stock/lazy-run.js';
import { StockService } from '../../../src/flows/stock/service.js';
import { openTestStore } from '../../support/db.js';
import { createWorld } from './support.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function cli(dir: string, args: string[]): Promise<{ out: string[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('koppel').exitOverride();
  const ctx = createContext(program, { out: (l) => out.push(l), err: (l) => err.push(l), cwd: dir, env: {} });
  register(program, ctx);
  try {
    await program.parseAsync(['node', 'koppel', ...args]);
    return { out, err, code: 0 };
  } catch (e) {
    if (e instanceof ExitError) return { out, err: [...err, e.message], code: e.exitCode };
    throw e;
  }
}

describe('koppel explain stock', () => {
  it('shows the inputs, the formula with values, the result, Shopify\'s figure and the last pushes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koppel-explain-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'koppel.db');
    writeFileSync(join(dir, 'koppel.yaml'), `database:\n  url: ${file}\nflows:\n  stock:\n    enabled: true\n`);
    const store = await openTestStore('sqlite', { file });
    cleanup.push(() => store.dispose());
    const w = await createWorld({ store, products: 8 });
    const svc = new StockService(w.env, stockSettings(w.config.flows));
    const run = (trigger: string) => new LazyRun(w.env, { flow: 'stock', direction: 'ccv_to_shopify', trigger, jobId: crypto.randomUUID() });
    const r1 = run('reconcile');
    await svc.fullPass({ jobId: crypto.randomUUID(), trigger: 'reconcile', run: r1, mode: 'reconcile' });
    await r1.finish();
    const [key, sku] = [...w.skus].find(([k]) => !k.includes('/') && w.ccvStock(k) > 1)!;
    w.setStock({ sku, stock: 6.5 });
    const r2 = run('webhook');
    await svc.refreshProduct(Number(key), { jobId: crypto.randomUUID(), trigger: 'webhook', run: r2 });
    await r2.finish();

    const text = await cli(dir, ['explain', 'stock', sku]);
    expect(text.code).toBe(0);
    const joined = text.out.join('\n');
    expect(joined).toContain(`SKU ${sku} — CCV variant ${key} (product ${key})`);
    expect(joined).toMatch(/CCV stock\s+6\.5 → on hand 6/);
    expect(joined).toMatch(/reserved\s+0 {2}— CCV takes orders out of stock at checkout/);
    expect(joined).toContain('note           stock 6.5 rounded down to 6');
    expect(joined).toContain('formula        first active location: onHand - reserved - buffer = 6 - 0 - 0 = 6');
    expect(joined).toMatch(/Shopify\s+gid:\/\/shopify\/Location\/\d+: Koppel last knew 6 .* decided 6, last pushed /);
    const loc = w.locations.find((l) => l.id === w.locationId)!.name; // the first active location Shopify lists
    expect(joined).toMatch(new RegExp(`updated\\s+available@${loc} \\d+ → 6 {2}webhook: onHand - reserved - buffer = 6 - 0 - 0 = 6 — stock 6\\.5 rounded down to 6`));
    expect(joined).toMatch(new RegExp(`updated\\s+available@${loc} 1000 → \\d+ {2}reconcile: `));

    const json = await cli(dir, ['explain', 'stock', sku, '--json']);
    const data = JSON.parse(json.out.join('\n'));
    expect(data.variants[0]).toMatchObject({ variantKey: key, ccv: { stock: '6.5', onHand: 6, reserved: 0 }, formula: [{ result: 6 }], shopify: [{ lastKnown: 6, decided: 6 }] });
    expect(data.variants[0].pushes[0]).toMatchObject({ outcome: 'updated', change: expect.stringMatching(/→ 6$/) });

    const none = await cli(dir, ['explain', 'stock', 'NO-SUCH-SKU']);
    expect(none.code).toBe(1);
    expect(none.out[0]).toContain('no CCV variant with SKU "NO-SUCH-SKU" has been seen');
  });
});
