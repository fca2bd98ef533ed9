/**
 * Memory of the CCV sandbox with a large catalog (benchmark script, not a test):
 *
 *   node --expose-gc --import tsx sandbox/ccv/bench/memory.ts [products=100000]
 *
 * 1. generates the demo data and loads it into the sandbox state;
 * 2. pages once through every product (size=250, orderby=modifydate_desc, expand=attributecombinations) via the
 *    in-process app, which also fills the sorted-list cache;
 * 3. saves a JSON snapshot, drops the first sandbox, and loads the snapshot into a new one.
 * Reports live heap (after a full GC) and RSS. Client and server share the process, so RSS also holds the client's
 * garbage; run with --max-old-space-size=448 to see that everything fits in that.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCcvApp } from '../app.js';
import { CcvSandboxCore } from '../core.js';
import { API_PREFIX } from '../options.js';
import { ccvFetch } from '../sign.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with: node --expose-gc --import tsx sandbox/ccv/bench/memory.ts [products]');
  process.exit(2);
}
const collect = gc;
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const products = Number(process.argv[2] ?? 100_000);

async function generateAndPage(snapshotFile: string): Promise<void> {
  collect();
  const base = process.memoryUsage();
  const t0 = performance.now();
  const { core, fetch } = createCcvApp({ products, seed: 1, globalLimit: 0, rateScale: 1000, webhookDispatch: 'manual' });
  const tGen = performance.now() - t0;
  collect();
  const loaded = process.memoryUsage();
  const s = core.state;
  console.log(`products ${s.products.size}, combinations ${s.combinations.size}, option values ${s.productAttributeValues.size}, users ${s.users.size}, orders ${s.orders.size}, rows ${s.orderRows.size}`);
  console.log(`generate + load: ${secs(tGen)}`);
  console.log(`state heap: ${mb(loaded.heapUsed - base.heapUsed)} (heapUsed ${mb(loaded.heapUsed)}, rss ${mb(loaded.rss)})`);

  const t1 = performance.now();
  let url: string | null = `http://bench.local${API_PREFIX}/products?size=250&orderby=modifydate_desc&expand=attributecombinations`;
  let pages = 0;
  let seen = 0;
  while (url) {
    const r: { status: number; json: { next: string | null; items: unknown[] } } = await ccvFetch(core.keys, url, {}, (u, init) => fetch(new Request(u, init)));
    if (r.status !== 200) throw new Error(`page ${pages}: HTTP ${r.status}`);
    seen += r.json.items.length;
    pages++;
    url = r.json.next;
  }
  const tPage = performance.now() - t1;
  collect();
  const after = process.memoryUsage();
  console.log(`paged ${seen} products in ${pages} pages: ${secs(tPage)} (${Math.round(tPage / pages)} ms/page incl. client)`);
  console.log(`after paging: heapUsed ${mb(after.heapUsed)}, rss ${mb(after.rss)}`);
  const t2 = performance.now();
  core.saveSnapshot(snapshotFile);
  console.log(`snapshot: ${mb(statSync(snapshotFile).size)} written in ${secs(performance.now() - t2)}`);
}

const dir = mkdtempSync(join(tmpdir(), 'ccv-bench-'));
try {
  const file = join(dir, 'snapshot.json');
  await generateAndPage(file);
  collect();
  const beforeLoad = process.memoryUsage().heapUsed;
  const t3 = performance.now();
  const second = new CcvSandboxCore({ snapshotFile: file, webhookDispatch: 'manual' });
  const tLoad = performance.now() - t3;
  collect();
  const afterLoad = process.memoryUsage();
  console.log(`snapshot load: ${secs(tLoad)}, ${second.state.products.size} products, heap +${mb(afterLoad.heapUsed - beforeLoad)} (heapUsed ${mb(afterLoad.heapUsed)}, rss ${mb(afterLoad.rss)})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
