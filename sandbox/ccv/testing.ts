/**
 * Test harness for the CCV sandbox: an in-process app (no socket) with a fake clock and a signed client.
 * Used by the sandbox's own tests; handy for other suites that need a CCV stand-in without a port.
 */
import { createCcvApp } from './app.js';
import type { CcvSandboxCore } from './core.js';
import type { CcvSandboxOptions } from './options.js';
import { API_PREFIX } from './options.js';
import { ccvFetch, type SignedResponse } from './sign.js';

export const TEST_EPOCH = Date.UTC(2025, 5, 2, 9, 0, 0);

export interface TestSandbox {
  core: CcvSandboxCore;
  fetch: (req: Request) => Promise<Response>;
  /** Current fake time (ms). */
  now(): number;
  advance(ms: number): void;
  /** Signed API call; `path` is relative to /api/rest/v1 (e.g. 'products?size=5') or an absolute URL. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response JSON loosely
  api<T = any>(method: string, path: string, body?: unknown, opts?: { dateMs?: number; headers?: Record<string, string> }): Promise<SignedResponse<T>>;
  /** Unsigned call to /__sandbox/... */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response JSON loosely
  control<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
}

export const ORIGIN = 'http://ccv.test';

export function testSandbox(opts: CcvSandboxOptions = {}): TestSandbox {
  let t = TEST_EPOCH;
  const { core, fetch } = createCcvApp({ products: 40, webhookDispatch: 'manual', now: () => t, ...opts });
  const fetchImpl = (url: string, init: RequestInit): Promise<Response> => fetch(new Request(url, init));
  return {
    core,
    fetch,
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    api: (method, path, body, o = {}) => {
      const url = /^https?:/.test(path) ? path : `${ORIGIN}${API_PREFIX}/${path.replace(/^\//, '')}`;
      return ccvFetch(core.keys, url, { method, body, dateMs: o.dateMs ?? t, headers: o.headers }, fetchImpl);
    },
    control: async (method, path, body) => {
      const res = await fetch(new Request(`${ORIGIN}/__sandbox/${path.replace(/^\//, '')}`, {
        method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' },
      }));
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
  };
}
