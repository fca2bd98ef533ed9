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
import { openStore, type Store } from '../store/db.js';
import { VERSION } from '../version.js';

export interface KoppelProcess {
  server: RunningServer;
  store: Store;
  status(): ServerStatus;
  /** Stops everything in reverse order of start; safe to call twice. */
  close(): Promise<void>;
}

export function databaseUrl(config: KoppelConfig, cwd: string): string {
  return config.database.url ?? resolve(cwd, config.dataDir, 'koppel.db');
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

    const connections: ConnectionInfo[] = [
      config.connections.ccv
        ? { name: 'ccv', label: 'CCV SalesPOS', target: config.connections.ccv.baseUrl, sandbox: false }
        : { name: 'ccv', label: 'CCV SalesPOS', target: 'not configured (the CCV sandbox is not built yet)', sandbox: true },
      config.connections.shopify
        ? { name: 'shopify', label: 'Shopify', target: config.connections.shopify.endpoint ?? `https://${config.connections.shopify.shop}`, sandbox: false }
        : { name: 'shopify', label: 'Shopify', target: 'not configured (the Shopify sandbox is not built yet)', sandbox: true },
    ];
    const services: ServerStatus['services'] = [];
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

    const server = await listen(createApp(status), { host: config.server.host, port: config.server.port });
    closers.push(() => server.close());
    services.unshift({ name: 'Dashboard', url: server.url });
    log.info({ url: server.url }, 'Koppel is serving');
    return { server, store, status, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
