/**
 * Lane ownership: exactly one worker at a time holds the lease of a connection's API lane (e.g.
 * `shopify:main`), and only the holder runs jobs that need that lane. The in-process rate limiter
 * of a connection then sees every call made on it, so N workers cause no more throttling than one.
 *
 * Leases live in the `lane_lease` table and expire unless renewed, so a dead worker's lanes are
 * taken over. On PostgreSQL expiry is judged by the database clock (workers on several machines
 * may disagree about the time); on SQLite, which is local, by the process clock.
 */
import { hostname } from 'node:os';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from '../../store/dialect.js';
import type { Database } from '../../store/schema.js';

/** The lane an embedded runtime holds: all of them. */
export const ALL_LANES = '*';

export interface LeaseRow {
  lane: string;
  owner: string;
  expiresAt: number;
  acquiredAt: number;
}

class LaneTaken extends Error {}

export class LaneLeases {
  private readonly pg: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.pg = isPostgres(db);
  }

  private now(): RawBuilder<number> {
    return this.pg ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint` : sql<number>`${Date.now()}`;
  }

  /** Takes every lane in `lanes` or none of them. True when this owner now holds them all. */
  async tryAcquire(lanes: readonly string[], owner: string, ttlMs: number, opts: { steal?: string } = {}): Promise<boolean> {
    const sorted = [...new Set(lanes)].sort();
    if (sorted.length === 0) return true;
    try {
      await this.db.transaction().execute(async (tx) => {
        for (const lane of sorted) {
          const now = this.now();
          const res = await sql<{ lane: string }>`
            insert into lane_lease (lane, owner, expires_at, acquired_at, renewed_at)
            values (${lane}, ${owner}, ${now} + ${ttlMs}, ${now}, ${now})
            on conflict (lane) do update set
              owner = excluded.owner,
              expires_at = excluded.expires_at,
              acquired_at = case when lane_lease.owner = excluded.owner then lane_lease.acquired_at else excluded.acquired_at end,
              renewed_at = excluded.renewed_at
            where lane_lease.owner = excluded.owner
               or lane_lease.expires_at < excluded.renewed_at
               or lane_lease.owner = ${opts.steal ?? ''}
            returning lane`.execute(tx);
          if (res.rows.length === 0) throw new LaneTaken(lane);
        }
      });
      return true;
    } catch (e) {
      if (e instanceof LaneTaken) return false;
      throw e;
    }
  }

  /** Extends the leases this owner still holds; returns the lanes it holds afterwards. */
  async renew(lanes: readonly string[], owner: string, ttlMs: number): Promise<Set<string>> {
    if (lanes.length === 0) return new Set();
    const now = this.now();
    const res = await sql<{ lane: string }>`
      update lane_lease set expires_at = ${now} + ${ttlMs}, renewed_at = ${now}
      where owner = ${owner} and lane in (${sql.join([...lanes])})
      returning lane`.execute(this.db);
    return new Set(res.rows.map((r) => r.lane));
  }

  async release(lanes: readonly string[], owner: string): Promise<void> {
    if (lanes.length === 0) return;
    await this.db.deleteFrom('lane_lease').where('owner', '=', owner).where('lane', 'in', [...lanes]).execute();
  }

  async holder(lane: string): Promise<LeaseRow | undefined> {
    const r = await this.db.selectFrom('lane_lease').selectAll().where('lane', '=', lane).executeTakeFirst();
    return r ? { lane: r.lane, owner: r.owner, expiresAt: r.expires_at, acquiredAt: r.acquired_at } : undefined;
  }

  async list(): Promise<LeaseRow[]> {
    const rows = await this.db.selectFrom('lane_lease').selectAll().orderBy('lane').execute();
    return rows.map((r) => ({ lane: r.lane, owner: r.owner, expiresAt: r.expires_at, acquiredAt: r.acquired_at }));
  }
}

/** `host:pid:random`: unique per process start, and tells a local restart whether the old owner still lives. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** True when `owner` was a process on this host that no longer exists (so its leases may be taken at once). */
export function isDeadLocalOwner(owner: string): boolean {
  const parts = owner.split(':');
  if (parts.length < 3) return false;
  const pid = Number(parts[parts.length - 2]);
  const host = parts.slice(0, -2).join(':');
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
