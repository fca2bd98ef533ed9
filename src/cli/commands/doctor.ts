import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, formatProblem, type LoadedConfig } from '../../config/loader.js';
import { errorMessage, isKoppelError } from '../../core/errors.js';
import { openStore, pendingMigrations } from '../../store/db.js';
import { dialectOf, redactUrl, sqlitePath } from '../../store/url.js';
import { ccvClientFromConfig, probeCcv } from '../../connectors/ccv/index.js';
import { databaseUrl } from '../runtime.js';
import { EXIT, ExitError, type Register } from '../context.js';

export interface Check {
  area: 'configuration' | 'database' | 'connection' | 'flows';
  status: 'ok' | 'problem' | 'info';
  message: string;
  /** Config path the check concerns, when there is one. */
  path?: string;
}

const SYMBOL = { ok: '✔', problem: '✖', info: '–' } as const;

export const register: Register = (program, ctx) => {
  program
    .command('doctor')
    .description('check the configuration, the database and the connections, and print every problem')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const checks: Check[] = [];
      let loaded: LoadedConfig | undefined;
      try {
        loaded = ctx.loadConfig();
        checks.push({ area: 'configuration', status: 'ok', message: loaded.file ? `${loaded.file} is valid` : 'no koppel.yaml: running on defaults' });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const p of e.problems) checks.push({ area: 'configuration', status: 'problem', message: formatProblem(e.file, p), path: p.path });
      }

      if (loaded) {
        checks.push(...(await checkDatabase(databaseUrl(loaded.config, ctx.cwd))));
        checks.push(...(await checkConnections(loaded)));
      } else {
        checks.push({ area: 'database', status: 'info', message: 'not checked: fix the configuration first' });
      }

      const problems = checks.filter((c) => c.status === 'problem').length;
      if (opts.json) {
        ctx.out(JSON.stringify({ ok: problems === 0, problems, checks }, null, 2));
      } else {
        for (const c of checks) ctx.out(`${SYMBOL[c.status]} ${c.area}: ${c.message}`);
        ctx.out(problems === 0 ? 'no problems found' : `${problems} problem${problems === 1 ? '' : 's'} found`);
      }
      if (problems > 0) throw new ExitError(EXIT.failed);
    });
};

async function checkDatabase(url: string): Promise<Check[]> {
  const shown = redactUrl(url);
  if (dialectOf(url) === 'sqlite') {
    const file = sqlitePath(url);
    if (file !== ':memory:' && !existsSync(file)) {
      let dir = dirname(file);
      while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
      try {
        accessSync(dir, constants.W_OK);
        return [{ area: 'database', status: 'ok', message: `SQLite ${shown} does not exist yet; koppel start creates it` }];
      } catch {
        return [{ area: 'database', status: 'problem', message: `SQLite ${shown} cannot be created: ${dir} is not writable (set KOPPEL_DATA_DIR or database.url)`, path: 'database.url' }];
      }
    }
  }
  try {
    const store = await openStore({ url, migrate: false });
    try {
      const pending = await pendingMigrations(store);
      return [{
        area: 'database',
        status: 'ok',
        message: `${store.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${shown} answers` +
          (pending.length ? `; ${pending.length} migration(s) pending, koppel start applies them` : '; schema up to date'),
      }];
    } finally {
      await store.close();
    }
  } catch (e) {
    return [{ area: 'database', status: 'problem', message: isKoppelError(e) ? e.describe() : errorMessage(e), path: 'database.url' }];
  }
}

async function checkConnections(loaded: LoadedConfig): Promise<Check[]> {
  const { ccv, shopify } = loaded.config.connections;
  const out: Check[] = [];
  if (ccv) {
    const probe = await probeCcv(ccvClientFromConfig(ccv, { timeoutMs: 10_000, retries: 1 }));
    out.push({ area: 'connection', status: probe.ok ? 'ok' : 'problem', message: `CCV ${ccv.baseUrl}: ${probe.message}`, path: 'connections.ccv' });
  } else {
    out.push({ area: 'connection', status: 'info', message: 'CCV: no credentials configured, koppel start uses the built-in sandbox' });
  }
  out.push(shopify
    ? { area: 'connection', status: 'info', message: `Shopify ${shopify.shop}: live connection test not available yet (it arrives with the Shopify connector)`, path: 'connections.shopify' }
    : { area: 'connection', status: 'info', message: 'Shopify: no credentials configured, koppel start uses the built-in sandbox' });
  return out;
}
