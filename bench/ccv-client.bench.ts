/**
 * CCV client under sustained load against the CCV sandbox: how much of the API's limit it uses, how
 * many 429s it causes, and how it ends under injected faults.
 */
import { startCcvSandbox } from '../sandbox/ccv/index.js';
import { CcvClient, CcvRateBudget } from '../src/connectors/ccv/index.js';
import { isKoppelError } from '../src/core/errors.js';
import type { Benchmark, Metric } from './harness.js';

const SCALE = 10;
const GET = 150 * SCALE;
const GLOBAL = 500 * SCALE;

async function load(resources: string[], seconds: number): Promise<{ ok: number; throttled: number; total: number; ceiling: number }> {
  const sb = await startCcvSandbox({ port: 0, products: 300, rateScale: SCALE, webhookDispatch: 'manual', logger: () => {} });
  try {
    // Count what the server answered inside the measured windows (its own request log is a bounded ring).
    const statuses = { accepted: 0, throttled: 0 };
    let measuring = false;
    const counting = (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (measuring && Date.now() < end) {
        if (res.status === 429) statuses.throttled++;
        else statuses.accepted++;
      }
      return res;
    }) as typeof fetch;
    let end = Infinity;
    const client = new CcvClient({ baseUrl: sb.origin, publicKey: sb.publicKey, secretKey: sb.secretKey, fetch: counting, budget: new CcvRateBudget({ getPerMinute: GET, writePerMinute: 100 * SCALE, globalPerMinute: GLOBAL }) });
    const ids = (await client.get<{ items: Array<{ id: number }> }>('products', { query: { size: 250 } })).items.map((p) => p.id);
    sb.resetLimits();
    const start = Date.now();
    end = start + seconds * 1000;
    measuring = true;
    let ok = 0;
    const producer = async (resource: string, n: number) => {
      let i = n;
      while (Date.now() < end) {
        const path = resource === 'products' ? `products/${ids[i++ % ids.length]}` : resource;
        await client.get(path, { query: resource === 'products' ? undefined : { size: 1 } });
        ok++;
      }
    };
    // 8 concurrent producers per resource keep the budget saturated.
    await Promise.all(resources.flatMap((r) => Array.from({ length: 8 }, (_, k) => producer(r, k * 37))));
    // A rolling 60 s window admits at most one limit's worth in any minute: over whole minutes the ceiling is limit × minutes.
    const ceiling = Math.min(resources.length * GET, GLOBAL) * (seconds / 60);
    return { ok, throttled: statuses.throttled, total: statuses.accepted + statuses.throttled, ceiling };
  } finally {
    await sb.close();
  }
}

async function faults(): Promise<{ calls: number; ok: number; typed: number; untyped: number; maxMs: number; maxAttemptMs: number; timeoutMs: number; codes: string }> {
  const sb = await startCcvSandbox({ port: 0, products: 50, rateScale: SCALE, webhookDispatch: 'manual', logger: () => {} });
  const timeoutMs = 2000;
  let maxAttemptMs = 0;
  // Times each attempt on the wire (request sent until body read or failure).
  const timed = (async (input: string | URL | Request, init?: RequestInit) => {
    const t0 = Date.now();
    try {
      const res = await fetch(input, init);
      await res.clone().arrayBuffer();
      return res;
    } finally {
      maxAttemptMs = Math.max(maxAttemptMs, Date.now() - t0);
    }
  }) as typeof fetch;
  try {
    const client = new CcvClient({ baseUrl: sb.origin, publicKey: sb.publicKey, secretKey: sb.secretKey, fetch: timed, timeoutMs, minRetryDelayMs: 10, maxRetryDelayMs: 100, budget: new CcvRateBudget({ getPerMinute: GET, writePerMinute: 100 * SCALE, globalPerMinute: GLOBAL }) });
    sb.setFaults({ error5xx: 0.1, drop: 0.05, burst429: 0.01, burstLength: 5, latency: 0.05, latencyMs: 3000, seed: 3 });
    let ok = 0, typed = 0, untyped = 0, maxMs = 0;
    const codes = new Map<string, number>();
    const calls = 600;
    // 16 callers at a time, as flows would: what matters is how each call ends, not a thundering herd.
    let next = 0;
    const worker = async () => {
      while (next < calls) {
        const i = next++;
        const t0 = Date.now();
        try {
          if (i % 4 === 0) await client.post('categories', { name: `Bench ${i}` });
          else await client.get('categories', { query: { size: 5 } });
          ok++;
        } catch (e) {
          if (isKoppelError(e)) {
            typed++;
            codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
          } else untyped++;
        }
        maxMs = Math.max(maxMs, Date.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return { calls, ok, typed, untyped, maxMs, maxAttemptMs, timeoutMs, codes: [...codes].map(([c, n]) => `${c} × ${n}`).join(', ') };
  } finally {
    await sb.close();
  }
}

export const benchmark: Benchmark = {
  name: 'ccv-client',
  description: 'CCV client: share of the sandbox rate limit used under sustained load, 429s caused, and outcomes under faults',
  async run({ log, quick }) {
    // Whole minutes, so the ceiling of a rolling window is exact.
    const seconds = quick ? 60 : 180;
    log(`one resource, ${seconds} s`);
    const one = await load(['products'], seconds);
    log(`four resources (global limit binds), ${seconds} s`);
    const four = await load(['products', 'orders', 'categories', 'paymethods'], seconds);
    log('faults: 10% 5xx, 5% drop after commit, 1% 429 bursts of 5, 5% latency of 3 s beyond the 2 s timeout');
    const f = await faults();
    const metrics: Metric[] = [
      { name: 'one resource: accepted / limit', value: (one.total - one.throttled) / one.ceiling, unit: 'ratio', target: { op: '>=', value: 0.9 } },
      { name: 'one resource: 429 share', value: one.throttled / one.total, unit: 'ratio', target: { op: '<=', value: 0.01 } },
      { name: 'four resources: accepted / global limit', value: (four.total - four.throttled) / four.ceiling, unit: 'ratio', target: { op: '>=', value: 0.9 } },
      { name: 'four resources: 429 share', value: four.throttled / four.total, unit: 'ratio', target: { op: '<=', value: 0.01 } },
      { name: 'faults: calls ending in an untyped error', value: f.untyped, unit: 'calls', target: { op: '<=', value: 0 } },
      { name: 'faults: longest single attempt on the wire', value: f.maxAttemptMs / 1000, unit: 's', target: { op: '<=', value: f.timeoutMs / 1000 + 0.5 }, note: `per-attempt timeout ${f.timeoutMs / 1000} s` },
      { name: 'faults: longest call including rate waits and retries', value: f.maxMs / 1000, unit: 's', note: 'a 429 burst makes the bucket wait out a full minute, by design' },
    ];
    return {
      setup: `sandbox rateScale ${SCALE} (GET ${GET}/min per resource, global ${GLOBAL}/min, rolling 60 s windows); client told the same limits; 8 concurrent producers per resource; ${seconds} s per run. ` +
        `Ratios count requests the sandbox accepted against limit × elapsed minutes. Faults: ${f.calls} calls (every 4th a POST, which is never resent after a 5xx or a drop), ${f.ok} succeeded, ${f.typed} typed errors: ${f.codes}.`,
      metrics,
    };
  },
};
