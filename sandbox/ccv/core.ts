/**
 * The sandbox without a socket: state, limiter, faults, webhooks, request log and the operations tests and the
 * /__sandbox/ endpoints use. `createCcvApp` (app.ts) puts HTTP in front of it; `startCcvSandbox` (index.ts) listens.
 */
import { generateCcvDataset } from '../data/generate.js';
import { Effects, href, type Ctx } from './context.js';
import { ccvDate, type Keys } from './sign.js';
import { FaultInjector, type FaultConfig } from './faults.js';
import { RateLimiter } from './limits.js';
import type { CcvBehaviour, CcvSandboxOptions } from './options.js';
import { DEFAULT_PUBLIC_KEY, DEFAULT_SECRET_KEY, resolveBehaviour } from './options.js';
import { Query } from './query.js';
import { renderOrder } from './resources/orders.js';
import { renderProduct } from './resources/products.js';
import { Router } from './router.js';
import { allRoutes } from './routes.js';
import { parseSnapshot, readSnapshotFile, toSnapshot, writeSnapshotFile, type CcvSnapshot } from './snapshot.js';
import { CcvState } from './state.js';
import { WebhookDispatcher } from './webhooks.js';

export interface RequestLogEntry {
  at: string;
  method: string;
  uri: string;
  status: number;
  resource: string | null;
  fault?: string;
}

export interface DataOptions {
  seed?: number;
  products?: number;
  dirty?: boolean;
  salespos?: boolean;
}

export class CcvSandboxCore {
  readonly state = new CcvState();
  readonly behaviour: CcvBehaviour;
  readonly keys: Keys;
  readonly router = new Router().add(allRoutes);
  readonly faults: FaultInjector;
  readonly webhooks: WebhookDispatcher;
  limiter: RateLimiter;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
  /** Origin used for hrefs outside a request (back-office calls from code); set by startCcvSandbox. */
  origin = 'http://127.0.0.1:4100';
  private readonly requestLog: RequestLogEntry[] = [];
  private data: Required<DataOptions>;

  constructor(readonly options: CcvSandboxOptions = {}) {
    this.behaviour = resolveBehaviour(options);
    this.keys = { publicKey: options.publicKey ?? DEFAULT_PUBLIC_KEY, secretKey: options.secretKey ?? DEFAULT_SECRET_KEY };
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.log = options.logger ?? (() => undefined);
    this.limiter = new RateLimiter(this.behaviour);
    this.faults = new FaultInjector(options.faultSeed ?? options.seed ?? 1);
    this.webhooks = new WebhookDispatcher({
      now: this.now,
      fetch: options.fetch ?? ((...a) => fetch(...a)),
      maxAttempts: this.behaviour.webhookMaxAttempts,
      backoffMs: this.behaviour.webhookBackoffMs,
      timeScale: this.behaviour.webhookTimeScale,
      timeoutMs: this.behaviour.webhookTimeoutMs,
      mode: options.webhookDispatch ?? 'auto',
      logger: this.log,
    });
    this.data = { seed: options.seed ?? 1, products: options.products ?? 500, dirty: options.dirty ?? false, salespos: options.salespos ?? true };
    const snap = options.snapshotFile ? readSnapshotFile(options.snapshotFile) : undefined;
    if (snap) {
      this.state.load(snap.dataset, snap.nextIds);
      this.log(`loaded snapshot ${options.snapshotFile}: ${this.state.products.size} products`);
    } else {
      this.reset();
    }
  }

  /** Regenerates the demo data (options default to the ones the sandbox started with). */
  reset(opts: DataOptions = {}): void {
    this.data = { ...this.data, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
    this.state.load(generateCcvDataset(this.data));
    this.webhooks.clear();
    this.log(`generated data: seed ${this.data.seed}, ${this.data.products} products${this.data.dirty ? ' (dirty)' : ''}`);
  }

  snapshot(): CcvSnapshot {
    return toSnapshot(this.state);
  }

  /** Loads a snapshot. `raw` is copied unless `fresh` says it was just parsed (records must not be shared). */
  loadSnapshot(raw: unknown, fresh = false): void {
    const s = parseSnapshot(fresh ? raw : JSON.parse(JSON.stringify(raw)));
    this.state.load(s.dataset, s.nextIds);
  }

  saveSnapshot(file = this.options.snapshotFile): string {
    if (!file) throw new Error('no snapshot file: pass one or start the sandbox with snapshotFile');
    writeSnapshotFile(file, this.state);
    return file;
  }

  setFaults(cfg: FaultConfig): void {
    this.faults.set(cfg);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  resetLimits(): void {
    this.limiter.reset();
  }

  deliverWebhooks(): Promise<number> {
    return this.webhooks.deliverDue();
  }

  requests(): readonly RequestLogEntry[] {
    return this.requestLog;
  }

  clearRequests(): void {
    this.requestLog.length = 0;
  }

  record(e: RequestLogEntry): void {
    this.requestLog.push(e);
    if (this.requestLog.length > 2000) this.requestLog.splice(0, this.requestLog.length - 1000);
    this.log(`${e.method} ${e.uri} -> ${e.status}${e.fault ? ` (fault: ${e.fault})` : ''}`);
  }

  /** A handler context for work outside an API request (back-office operations). */
  ctx(origin = this.origin, body: unknown = undefined): Ctx {
    const nowMs = this.now();
    const nowSec = Math.floor(nowMs / 1000);
    return {
      state: this.state, b: this.behaviour, method: 'PATCH', params: [], query: new Query(''), body, origin, path: '',
      nowMs, nowSec, effects: new Effects(this.state, this.behaviour, nowSec),
    };
  }

  /** Queues webhook deliveries for the events a request or back-office action produced. */
  emit(ctx: Ctx): void {
    for (const e of ctx.effects.events) {
      const payload: Record<string, unknown> = {
        id: e.id, event: e.event, href: href(ctx, e.resource, e.id), webshop_id: this.state.webshop.id, create_date: ccvDate(ctx.nowMs),
      };
      if (this.behaviour.webhookPayload === 'full' && !e.event.endsWith('.deleted')) {
        if (e.resource === 'products') {
          const p = this.state.products.get(e.id);
          if (p) payload['resource'] = renderProduct(ctx, p, new Set());
        } else {
          const o = this.state.orders.get(e.id);
          if (o) payload['resource'] = renderOrder(ctx, o);
        }
      }
      this.webhooks.enqueue(this.state.webhooks.rows.values(), e.event, payload);
    }
  }

  async close(): Promise<void> {
    await this.webhooks.close();
    if (this.options.snapshotFile) this.saveSnapshot();
  }
}
