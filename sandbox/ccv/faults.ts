/**
 * Fault injection for API requests (never for /__sandbox/). Random faults use a seeded stream, so a run with
 * the same seed and request sequence injects the same faults; `script` queues exact faults for the next matching
 * requests (deterministic tests).
 *
 * Modes:
 *  - error5xx: answer with one of `errorStatuses` before the request is processed (no state change).
 *    500 is a signed JSON error; 502/503/504 are unsigned HTML pages, as a gateway in front of the API would send.
 *  - latency: wait `latencyMs` before processing.
 *  - drop: process and commit the request, then destroy the connection without a response.
 *  - burst429: answer 429 (`burstCode`) to this and the next `burstLength - 1` matching requests.
 */
import { Prng } from '../data/prng.js';

export type FaultKind = 'error5xx' | 'latency' | 'drop' | '429';

export interface ScriptedFault {
  fault: FaultKind;
  /** Only requests with this method / resource consume the entry. */
  method?: string;
  resource?: string;
  status?: number;
  ms?: number;
  code?: '429.10' | '429.11';
}

export interface FaultConfig {
  error5xx?: number;
  errorStatuses?: number[];
  latency?: number;
  latencyMs?: number;
  drop?: number;
  burst429?: number;
  burstLength?: number;
  burstCode?: '429.10' | '429.11';
  /** Restrict random faults to these methods / resources (default: all). */
  methods?: string[];
  resources?: string[];
  script?: ScriptedFault[];
  seed?: number;
}

export interface FaultDecision {
  latencyMs: number;
  errorStatus?: number;
  drop: boolean;
  rate429?: '429.10' | '429.11';
}

export interface FaultStats { error5xx: number; latency: number; drop: number; '429': number }

const PROBS = ['error5xx', 'latency', 'drop', 'burst429'] as const;

export function validateFaultConfig(c: unknown): FaultConfig {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new Error('fault config must be a JSON object');
  const cfg = c as Record<string, unknown>;
  const known = ['error5xx', 'errorStatuses', 'latency', 'latencyMs', 'drop', 'burst429', 'burstLength', 'burstCode', 'methods', 'resources', 'script', 'seed'];
  for (const k of Object.keys(cfg)) if (!known.includes(k)) throw new Error(`unknown fault setting '${k}'; known: ${known.join(', ')}`);
  for (const k of PROBS) {
    const v = cfg[k];
    if (v !== undefined && (typeof v !== 'number' || v < 0 || v > 1)) throw new Error(`'${k}' must be a probability between 0 and 1`);
  }
  if (cfg['errorStatuses'] !== undefined && (!Array.isArray(cfg['errorStatuses']) || !cfg['errorStatuses'].every((s) => typeof s === 'number' && s >= 500 && s <= 599))) {
    throw new Error("'errorStatuses' must be a list of 5xx status codes");
  }
  for (const k of ['latencyMs', 'burstLength', 'seed']) {
    const v = cfg[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) throw new Error(`'${k}' must be a non-negative integer`);
  }
  if (cfg['burstCode'] !== undefined && cfg['burstCode'] !== '429.10' && cfg['burstCode'] !== '429.11') throw new Error("'burstCode' must be '429.10' or '429.11'");
  if (cfg['script'] !== undefined) {
    if (!Array.isArray(cfg['script'])) throw new Error("'script' must be a list");
    cfg['script'].forEach((s: unknown, i) => {
      const f = (s as { fault?: unknown } | null)?.fault;
      if (!['error5xx', 'latency', 'drop', '429'].includes(f as string)) throw new Error(`script[${i}].fault must be error5xx, latency, drop or 429`);
    });
  }
  return cfg as FaultConfig;
}

export class FaultInjector {
  private cfg: FaultConfig = {};
  private rng: Prng;
  private burstLeft = 0;
  private burstCode: '429.10' | '429.11' = '429.10';
  readonly stats: FaultStats = { error5xx: 0, latency: 0, drop: 0, '429': 0 };

  constructor(private readonly defaultSeed: number) {
    this.rng = new Prng(`faults:${defaultSeed}`);
  }

  set(cfg: FaultConfig): void {
    this.cfg = { ...cfg, script: cfg.script ? cfg.script.map((s) => ({ ...s })) : undefined };
    this.rng = new Prng(`faults:${cfg.seed ?? this.defaultSeed}`);
    this.burstLeft = 0;
  }

  get(): FaultConfig {
    return this.cfg;
  }

  clear(): void {
    this.set({});
  }

  decide(method: string, resource: string): FaultDecision {
    const d: FaultDecision = { latencyMs: 0, drop: false };
    const script = this.cfg.script;
    if (script && script.length > 0) {
      const i = script.findIndex((s) => (!s.method || s.method === method) && (!s.resource || s.resource === resource));
      if (i >= 0) {
        const s = script.splice(i, 1)[0] as ScriptedFault;
        return this.count(this.apply(d, s));
      }
    }
    const c = this.cfg;
    if (c.methods && !c.methods.includes(method)) return d;
    if (c.resources && !c.resources.includes(resource)) return d;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      d.rate429 = this.burstCode;
      return this.count(d);
    }
    // Draw every stream each request so one fault's probability does not shift another's sequence.
    const rBurst = this.rng.next();
    const rError = this.rng.next();
    const rLatency = this.rng.next();
    const rDrop = this.rng.next();
    const rStatus = this.rng.next();
    if (rLatency < (c.latency ?? 0)) d.latencyMs = c.latencyMs ?? 2000;
    if (rBurst < (c.burst429 ?? 0)) {
      this.burstCode = c.burstCode ?? '429.10';
      this.burstLeft = Math.max(0, (c.burstLength ?? 5) - 1);
      d.rate429 = this.burstCode;
    } else if (rError < (c.error5xx ?? 0)) {
      const statuses = c.errorStatuses ?? [500, 502, 503];
      d.errorStatus = statuses[Math.floor(rStatus * statuses.length)] ?? 500;
    } else if (rDrop < (c.drop ?? 0)) {
      d.drop = true;
    }
    return this.count(d);
  }

  private apply(d: FaultDecision, s: ScriptedFault): FaultDecision {
    switch (s.fault) {
      case 'error5xx': d.errorStatus = s.status ?? 500; break;
      case 'latency': d.latencyMs = s.ms ?? 2000; break;
      case 'drop': d.drop = true; break;
      case '429': d.rate429 = s.code ?? '429.10'; break;
    }
    return d;
  }

  private count(d: FaultDecision): FaultDecision {
    if (d.latencyMs > 0) this.stats.latency++;
    if (d.errorStatus !== undefined) this.stats.error5xx++;
    if (d.drop) this.stats.drop++;
    if (d.rate429) this.stats['429']++;
    return d;
  }
}
