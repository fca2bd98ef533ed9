/** Query-string parsing and typed, strict access. Every error names the parameter. */
import { badParam } from './errors.js';

export class Query {
  private readonly map = new Map<string, string>();
  /** Raw `key=value` segments in the order sent, for building `next` links that keep the client's encoding. */
  readonly rawPairs: { key: string; raw: string }[] = [];

  constructor(readonly raw: string) {
    if (raw === '') return;
    for (const seg of raw.split('&')) {
      if (seg === '') continue;
      const eq = seg.indexOf('=');
      const rawKey = eq < 0 ? seg : seg.slice(0, eq);
      const rawVal = eq < 0 ? '' : seg.slice(eq + 1);
      let key: string;
      let val: string;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
        val = decodeURIComponent(rawVal.replace(/\+/g, ' '));
      } catch {
        throw badParam(rawKey, 'is not valid percent-encoding');
      }
      if (this.map.has(key)) throw badParam(key, 'is given more than once');
      this.map.set(key, val);
      this.rawPairs.push({ key, raw: seg });
    }
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** Throws on a parameter outside `allowed` (when strict). */
  allowOnly(allowed: readonly string[], strict: boolean): void {
    if (!strict) return;
    for (const k of this.map.keys()) {
      if (!allowed.includes(k)) {
        throw badParam(k, allowed.length === 0 ? 'is not supported here: this endpoint takes no query parameters' : `is not supported here; allowed: ${allowed.join(', ')}`);
      }
    }
  }

  string(name: string): string | undefined {
    return this.map.get(name);
  }

  int(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.map.get(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw badParam(name, `must be an integer, got '${v}'`);
    const n = Number(v);
    if (n < min || n > max) throw badParam(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  }

  number(name: string): number | undefined {
    const v = this.map.get(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+(\.\d+)?$/.test(v)) throw badParam(name, `must be a number, got '${v}'`);
    return Number(v);
  }

  /** Booleans as PHP clients send them: 1/0/true/false. */
  bool(name: string): boolean | undefined {
    const v = this.map.get(name);
    if (v === undefined) return undefined;
    if (v === '1' || v === 'true') return true;
    if (v === '0' || v === 'false') return false;
    throw badParam(name, `must be a boolean (1, 0, true or false), got '${v}'`);
  }

  /** `YYYY-MM-DD` or a full ISO timestamp; returns epoch seconds and whether it was a bare date. */
  date(name: string): { at: number; dateOnly: boolean } | undefined {
    const v = this.map.get(name);
    if (v === undefined) return undefined;
    const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (d) {
      const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
      if (new Date(ms).getUTCDate() !== Number(d[3])) throw badParam(name, `is not a valid date: '${v}'`);
      return { at: ms / 1000, dateOnly: true };
    }
    const t = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
    if (t) {
      const ms = Date.parse(v.replace(' ', 'T') + (t[1] ? '' : 'Z'));
      if (!Number.isNaN(ms)) return { at: Math.floor(ms / 1000), dateOnly: false };
    }
    throw badParam(name, `must be a date like 2025-01-31 or 2025-01-31T12:00:00Z, got '${v}'`);
  }

  /** Comma-separated list of expansions, each checked against `allowed`. */
  expand(allowed: readonly string[]): Set<string> {
    const v = this.map.get('expand');
    if (v === undefined || v === '') return new Set();
    const out = new Set<string>();
    for (const part of v.split(',')) {
      const name = part.trim();
      if (!allowed.includes(name)) {
        throw badParam('expand', allowed.length === 0 ? 'is not supported on this resource' : `cannot expand '${name}'; allowed: ${allowed.join(', ')}`);
      }
      out.add(name);
    }
    return out;
  }
}
