/**
 * Wires a running Koppel process together from the configuration: store, sandboxes for
 * connections without credentials (embedded default), HTTP server. Only the CLI may import
 * sandbox/, so this lives here.
 */
import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/loader.js';
import type { KoppelConfig } from '../config/schema.js';
import type { Logger } from '../obs/log.js';
import { createApp, type ConnectionInfo, type ServerStatus } from '../server/app.js';
import { listen, type RunningServer } from '../server/http.js';
import { createEngine, type Engine } from '../engine/index.js';
import { createClients } from '../flows/clients.js';
import { createFlowEnv, type FlowEnv } from '../flows/env.js';
import { FLOW_MODULES } from '../flows/index.js';
import { installFlows } from '../flows/install.js';
import { productsFlow } from '../flows/products/index.js';
import { receiveCcvProductWebhook } from '../flows/stock/index.js';
import { CCV_PRODUCT_EVENTS } from '../connectors/ccv/read/stock.js';
import { ensureCcvWebhooks } from '../connectors/ccv/webhooks.js';
import { errorMessage } from '../core/errors.js';
import { webhookRoutes } from '../server/webhooks.js';
import { KvRepository } from '../store/kv.js';
import { openStore, type Store } from '../store/db.js';
import { VERSION } from '../version.js';
import { JOB_GRACE_MS } from './signals.js';
import { resolveConnections, startSandboxes, type ResolvedConnections } from './sandboxes.js';

export interface KoppelProcess {
  server: RunningServer;
  store: Store;
  engine: Engine;
  env: FlowEnv;
  connections: ResolvedConnections;
  status(): ServerStatus;
  /** Stops everything in reverse order of start; safe to call twice. */
  close(): Promise<void>;
}

/** kv key of the keys CCV generated for Koppel's webhooks (they sign the deliveries). */
const CCV_WEBHOOK_KEYS = 'ccv.webhook.keys';

export function databaseUrl(config: KoppelConfig, cwd: string): string {
  return config.database.url ?? resolve(cwd, config.dataDir, 'koppel.db');
}

/** Where the built-in sandboxes keep their shops: next to the database, which links to ids in them. */
export function sandboxDir(config: KoppelConfig, cwd: string): string {
  return resolve(cwd, config.dataDir, 'sandbox');
}

export async function startKoppel(loaded: LoadedConfig, opts: { logger: Logger; cwd: string }): Promise<KoppelProcess> {
  const { config } = loaded;
  const log = opts.logger;
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) {
      await c().catch((e: unknown) => log.error({ err: e }, 'error during shutdown'));
    }
  };
  try {
    const store = await openStore({ url: databaseUrl(config, opts.cwd) });
    closers.push(() => store.close());
    log.info({ database: store.displayUrl, dialect: store.dialect }, 'database ready');

    // Embedded default: a sandbox for every side without credentials, seeded with demo data.
    const want = { ccv: !config.connections.ccv, shopify: !config.connections.shopify };
    const keptIn = sandboxDir(config, opts.cwd);
    const sandboxes = await startSandboxes(want, {
      host: '127.0.0.1', ccvPort: config.sandbox.ccvPort, shopifyPort: config.sandbox.shopifyPort, seed: config.sandbox.seed, products: config.sandbox.products,
      snapshotDir: keptIn,
    }, log);
    closers.push(() => sandboxes.close());
    const resolved = resolveConnections(config, sandboxes);
    const services: ServerStatus['services'] = [];
    if (sandboxes.ccv) {
      services.push({ name: 'CCV sandbox', url: sandboxes.ccv.apiRoot, note: `${config.sandbox.products} demo products (seed ${config.sandbox.seed}); both sandboxes keep their state in ${keptIn}` });
      log.info({ url: sandboxes.ccv.apiRoot }, 'CCV sandbox stands in for the CCV connection (no credentials configured)');
    }
    if (sandboxes.shopify) {
      services.push({ name: 'Shopify sandbox', url: sandboxes.shopify.graphqlUrl(), note: `shop ${sandboxes.shopify.shop}` });
      log.info({ url: sandboxes.shopify.graphqlUrl() }, 'Shopify sandbox stands in for the Shopify connection (no credentials configured)');
    }
    const connections: ConnectionInfo[] = [
      { name: 'ccv', label: 'CCV SalesPOS', target: resolved.ccv.baseUrl, sandbox: resolved.ccv.sandbox },
      { name: 'shopify', label: 'Shopify', target: resolved.shopify.endpoint ?? `https://${resolved.shopify.shop}`, sandbox: resolved.shopify.sandbox },
    ];
    const startedAt = Date.now();
    const status = (): ServerStatus => ({
      version: VERSION,
      startedAt,
      dialect: store.dialect,
      database: store.displayUrl,
      connections,
      flows: Object.fromEntries(Object.entries(config.flows).map(([k, v]) => [k, v.enabled])),
      services,
    });

    // The engine runs the flows' jobs and schedules in this process (SQLite: the only one; PostgreSQL: next to workers).
    const clients = createClients(resolved, log);
    const env = createFlowEnv({ config, store, ...clients, logger: log });
    const engine = createEngine(store, { logger: log });
    const installed = await installFlows(engine.runtime, env);
    await engine.start();
    closers.push(() => engine.stop({ graceMs: JOB_GRACE_MS }));
    // Enabled flows run once at start (their jobs coalesce with a scheduled run already waiting).
    for (const m of Object.values(FLOW_MODULES)) {
      if (config.flows[m.name].enabled && m.enqueue) await m.enqueue(engine.runtime, { mode: 'delta', trigger: 'startup' });
    }
    services.push({ name: 'Job engine', note: `${engine.runtime.kind}; schedules: ${installed.scheduled.join(', ') || 'none (no flow enabled)'}` });
    log.info({ runtime: engine.runtime.kind, schedules: installed.scheduled }, 'job engine started');

    let ccvWebhookAddress: string | undefined;
    const webhooks = webhookRoutes({
      inbox: engine.inbox,
      logger: log,
      ccv: {
        address: () => ccvWebhookAddress,
        receive: async (d) => receiveCcvProductWebhook(engine.inbox, { ...d, keys: JSON.parse((await new KvRepository(store.db).get(CCV_WEBHOOK_KEYS)) ?? '[]') as string[] }),
        after: async () => {
          // A changed CCV product also means a products delta run soon (coalesced with one already waiting).
          if (config.flows.products.enabled) await productsFlow.enqueue!(engine.runtime, { mode: 'delta', trigger: 'webhook' });
        },
      },
      shopify: {
        secrets: () => [config.connections.shopify?.webhookSecret, config.connections.shopify?.clientSecret, sandboxes.shopify?.clientSecret].filter((x): x is string => Boolean(x)),
        jobFor: () => null,
      },
    });
    const recentRuns = async () => (await env.runs.list({ limit: 12 })).items;
    const server = await listen(createApp(status, { webhooks, recentRuns }), { host: config.server.host, port: config.server.port });
    closers.push(() => server.close());
    services.unshift({ name: 'Dashboard', url: server.url });

    // CCV product webhooks, where CCV can reach us: the public URL, or this machine for the sandbox.
    const base = config.server.publicUrl ?? (resolved.ccv.sandbox ? server.url : undefined);
    if (base && ((config.flows.stock.enabled && config.flows.stock.signals.webhooks) || config.flows.products.enabled)) {
      const address = `${base.replace(/\/$/, '')}/webhooks/ccv`;
      try {
        const r = await ensureCcvWebhooks(clients.ccv, address, CCV_PRODUCT_EVENTS);
        await new KvRepository(store.db).set(CCV_WEBHOOK_KEYS, JSON.stringify(r.webhooks.map((w) => w.key).filter(Boolean)));
        ccvWebhookAddress = address;
        log.info({ address, created: r.created }, 'CCV product webhooks deliver to Koppel');
      } catch (e) {
        log.warn({ err: errorMessage(e) }, 'CCV webhooks could not be set up; changes are still found by polling');
      }
    }
    log.info({ url: server.url }, 'Koppel is serving');
    return { server, store, engine, env, connections: resolved, status, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
