/**
 * In-memory table: records by id (Map keeps insertion = id order), id counter, a version that changes on every
 * write (list caches key on it) and optional secondary indexes on immutable foreign keys.
 */
export class Table<T extends { id: number }> {
  readonly rows = new Map<number, T>();
  nextId: number;
  version = 0;
  private readonly indexes = new Map<string, { key: (r: T) => number | null; map: Map<number, number[]> }>();

  constructor(
    readonly name: string,
    firstId = 1,
  ) {
    this.nextId = firstId;
  }

  /** Adds a secondary index: key -> ids (insertion order). The key of a record must never change. */
  index(name: string, key: (r: T) => number | null): this {
    const map = new Map<number, number[]>();
    this.indexes.set(name, { key, map });
    for (const r of this.rows.values()) this.addTo(map, key(r), r.id);
    return this;
  }

  private addTo(map: Map<number, number[]>, k: number | null, id: number): void {
    if (k === null) return;
    const l = map.get(k);
    if (l) l.push(id);
    else map.set(k, [id]);
  }

  get size(): number {
    return this.rows.size;
  }

  get(id: number): T | undefined {
    return this.rows.get(id);
  }

  allocateId(): number {
    return this.nextId++;
  }

  insert(r: T): T {
    if (this.rows.has(r.id)) throw new Error(`${this.name}: duplicate id ${r.id}`);
    this.rows.set(r.id, r);
    if (r.id >= this.nextId) this.nextId = r.id + 1;
    for (const { key, map } of this.indexes.values()) this.addTo(map, key(r), r.id);
    this.version++;
    return r;
  }

  delete(id: number): T | undefined {
    const r = this.rows.get(id);
    if (!r) return undefined;
    this.rows.delete(id);
    for (const { key, map } of this.indexes.values()) {
      const k = key(r);
      if (k === null) continue;
      const l = map.get(k);
      if (!l) continue;
      const i = l.indexOf(id);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) map.delete(k);
    }
    this.version++;
    return r;
  }

  /** Trims the slack `push` leaves in index arrays (called after a bulk load). */
  compactIndexes(): void {
    for (const { map } of this.indexes.values()) for (const [k, ids] of map) map.set(k, ids.slice());
  }

  /** Marks a record as changed (after mutating it in place). */
  touch(): void {
    this.version++;
  }

  /** Records whose index key equals `k`, in insertion order. */
  by(indexName: string, k: number): T[] {
    const idx = this.indexes.get(indexName);
    if (!idx) throw new Error(`${this.name}: no index ${indexName}`);
    const ids = idx.map.get(k);
    if (!ids) return [];
    const out: T[] = [];
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r) out.push(r);
    }
    return out;
  }

  all(): T[] {
    return [...this.rows.values()];
  }

  clear(firstId: number): void {
    this.rows.clear();
    for (const idx of this.indexes.values()) idx.map.clear();
    this.nextId = firstId;
    this.version++;
  }

  load(records: readonly T[], nextId?: number): void {
    for (const r of records) this.insert(r);
    if (nextId !== undefined && nextId > this.nextId) this.nextId = nextId;
  }
}
