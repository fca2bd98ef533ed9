// The sandbox's in-memory shop. Plain records (JSON-serialisable) in named tables, so the
// `/__sandbox/state` dump and reset work for every table, including ones later modules add.
import type { PlanName } from './bucket.js';

export interface ShopRecord {
  id: string;
  name: string;
  myshopifyDomain: string;
  email: string;
  currencyCode: string;
  taxesIncluded: boolean;
  ianaTimezone: string;
  plan: PlanName;
  b2b: boolean;
  devStore: boolean;
  createdAt: string;
  updatedAt: string;
  /** App-reserved metafield namespace (`$app`), e.g. `app--1000001`. */
  appNamespace: string;
}

export interface Record_ {
  id: string;
}

/** A table of records keyed by GID, in insertion order. */
export class Table<T extends Record_> {
  readonly rows = new Map<string, T>();
  constructor(readonly name: string) {}
  get(id: string | null | undefined): T | undefined {
    return id ? this.rows.get(id) : undefined;
  }
  has(id: string): boolean {
    return this.rows.has(id);
  }
  set(rec: T): T {
    this.rows.set(rec.id, rec);
    return rec;
  }
  delete(id: string): boolean {
    return this.rows.delete(id);
  }
  values(): IterableIterator<T> {
    return this.rows.values();
  }
  get size(): number {
    return this.rows.size;
  }
  clear(): void {
    this.rows.clear();
  }
}

export class SandboxState {
  shop: ShopRecord;
  private readonly tables = new Map<string, Table<Record_>>();
  private readonly seq = new Map<string, bigint>();

  constructor(
    shop: ShopRecord,
    /** First numeric id handed out per GID type (a decimal string; may exceed 2^53). */
    private readonly idStart: bigint,
  ) {
    this.shop = shop;
  }

  /** A named table; created on first use so later modules (customers, orders, ...) need no change here. */
  table<T extends Record_>(name: string): Table<T> {
    let t = this.tables.get(name);
    if (!t) {
      t = new Table<Record_>(name);
      this.tables.set(name, t);
    }
    return t as unknown as Table<T>;
  }

  tableNames(): string[] {
    return [...this.tables.keys()];
  }

  /** The next numeric id for a GID type, as a decimal string. */
  nextId(type: string): string {
    const n = this.seq.get(type) ?? this.idStart;
    this.seq.set(type, n + 1n);
    return n.toString();
  }

  /** First numeric id per GID type, as a decimal string. */
  get firstId(): string {
    return this.idStart.toString();
  }

  toJSON(): StateJSON {
    const tables: Record<string, Record_[]> = {};
    for (const [name, t] of this.tables) tables[name] = [...t.values()];
    const seq: Record<string, string> = {};
    for (const [k, v] of this.seq) seq[k] = v.toString();
    return { shop: this.shop, tables, seq };
  }

  /**
   * A state from a dump (records are used as they are: pass freshly parsed JSON). A sequence is raised
   * past the highest numeric id of its GID type found among the records, so a new id never repeats one.
   */
  static fromJSON(data: StateJSON, idStart: bigint): SandboxState {
    const s = new SandboxState(data.shop, idStart);
    for (const [name, rows] of Object.entries(data.tables)) {
      const t = s.table(name);
      for (const r of rows) t.set(r);
    }
    for (const [k, v] of Object.entries(data.seq)) s.seq.set(k, BigInt(v));
    for (const rows of Object.values(data.tables)) {
      for (const r of rows) {
        const m = GID_NUMBER.exec(r.id);
        if (!m) continue;
        const next = BigInt(m[2]!) + 1n;
        if (next > (s.seq.get(m[1]!) ?? idStart)) s.seq.set(m[1]!, next);
      }
    }
    return s;
  }
}

/** `gid://shopify/<Type>/<number>` (with optional parameters). */
const GID_NUMBER = /^gid:\/\/shopify\/([A-Za-z][A-Za-z0-9]*)\/([0-9]+)(\?.*)?$/;

/** The `/__sandbox/state` dump and the core of a snapshot file. */
export interface StateJSON {
  shop: ShopRecord;
  tables: Record<string, Record_[]>;
  /** Next numeric id per GID type (decimal strings: they may exceed 2^53). */
  seq: Record<string, string>;
}
