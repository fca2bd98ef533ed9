/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** The HTTP surface: health, home page; later the dashboard, JSON API and webhook receivers. */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { RunRecord } from '../engine/runs.js';
import { registry } from '../obs/metrics.js';
import { HomePage } from './pages/home.js';

export interface ConnectionInfo {
  /** 'ccv' | 'shopify' */
  name: string;
  label: string;
  /** Where it points (origin only, never credentials). */
  target: string;
  sandbox: boolean;
}

export interface ServerStatus {
  version: string;
  startedAt: number;
  dialect: 'sqlite' | 'postgres';
  /** Database location with the password masked. */
  database: string;
  connections: ConnectionInfo[];
  flows: Record<string, boolean>;
  /** Other things running in this process (sandboxes, scheduler), for the home page. */
  services: Array<{ name: string; url?: string; note?: string }>;
}

export interface AppParts {
  /** Mounted under /webhooks (CCV and Shopify receivers). */
  webhooks?: Hono;
  /** The newest runs, for the home page. */
  recentRuns?: () => Promise<RunRecord[]>;
}

export function createApp(status: () => ServerStatus, parts: AppParts = {}): Hono {
  const app = new Hono();
  app.use('*', secureHeaders());
  if (parts.webhooks) app.route('/webhooks', parts.webhooks);
  app.get('/healthz', (c) => {
    const s = status();
    return c.json({ status: 'ok', version: s.version, database: s.dialect, uptimeSeconds: Math.round((Date.now() - s.startedAt) / 1000) });
  });
  // Prometheus metrics: API requests, latency, retries, throttle waits and budget per client.
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  app.get('/', async (c) => {
    const runs = parts.recentRuns ? await parts.recentRuns() : undefined;
    return c.html('<!doctype html>' + String(<HomePage status={status()} runs={runs} />));
  });
  return app;
}
