/**
 * The embedded adapter: jobs in the store's `job` table on SQLite, worked in-process.
 *
 * Every state change is one SQL statement (SQLite runs each atomically, even when a second process
 * opens the same file), and every change of a running job checks that this worker still holds its
 * lease. A restart resumes: running jobs whose lease expired go back to the queue.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { KoppelError } from '../../core/errors.js';
import { isPostgres } from '../../store/dialect.js';
import type { Database, JobTable } from '../../store/schema.js';
import type { Backend, ClaimedJob, LaneFilter, NewJob, ResolvedDefinition } from './backend.js';
import type { EnqueueResult, JobError, JobInfo, JobState, ParkedJob, ReplayResult } from './port.js';

type Row = Selectable<JobTable>;

export interface EmbeddedBackendOptions {
  /** Completed and cancelled jobs are deleted after this long (default 1 day). */
  keepFinishedMs?: number;
  /** Parked jobs are deleted after this long unless replayed (default 30 days). */
  keepParkedMs?: number;
}

const LEASE_EXPIRED: JobError = {
  code: 'JOB_LEASE_EXPIRED',
  message: 'the worker running this job stopped before finishing it',
  hint: 'the job runs again; if this repeats, look for crashes in the log',
  errorClass: 'transient',
};

function toClaimed(r: Row): ClaimedJob {
  return {
    id: r.id,
    name: r.name,
    key: r.key,
    lanes: JSON.parse(r.lanes) as string[],
    data: JSON.parse(r.data) as unknown,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
  };
}

function errorOf(r: Row): JobError | undefined {
  if (r.error_code === null) return undefined;
  const e: JobError = { code: r.error_code, message: r.error_message ?? '' };
  if (r.error_hint !== null) e.hint = r.error_hint;
  if (r.error_class !== null) e.errorClass = r.error_class as JobError['errorClass'];
  return e;
}

function errorColumns(e: JobError | null) {
  return {
    error_code: e?.code ?? null,
    error_class: e?.errorClass ?? null,
    error_message: e?.message ?? null,
    error_hint: e?.hint ?? null,
  };
}

export class EmbeddedBackend implements Backend {
  readonly kind = 'embedded' as const;
  private nextHousekeeping = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: EmbeddedBackendOptions = {},
  ) {
    if (isPostgres(db)) {
      throw new KoppelError({
        code: 'RUNTIME_DIALECT',
        message: 'the embedded job runtime runs on SQLite only',
        hint: 'use the pg-boss runtime with a PostgreSQL database (createRuntime picks it for you)',
      });
    }
  }

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async prepare(): Promise<void> {}

  async enqueue(def: ResolvedDefinition, job: NewJob): Promise<EnqueueResult> {
    const db = job.tx ?? this.db;
    const now = Date.now();
    for (let tries = 0; tries < 3; tries++) {
      const inserted = await db
        .insertInto('job')
        .values({
          id: job.id,
          name: def.name,
          key: job.key,
          per_key: def.perKey,
          lanes: JSON.stringify(job.lanes),
          data: JSON.stringify(job.data),
          state: 'queued',
          priority: job.priority,
          attempt: 0,
          max_attempts: def.policy.maxAttempts,
          run_at: job.runAt ?? now,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) return { id: job.id, status: 'queued' };
      const same = await db.selectFrom('job').select('id').where('id', '=', job.id).executeTakeFirst();
      if (same) return { id: job.id, status: 'duplicate' };
      if (def.perKey === 'coalesce' && job.key !== null) {
        const waiting = await db
          .selectFrom('job')
          .select('id')
          .where('name', '=', def.name)
          .where('key', '=', job.key)
          .where('state', '=', 'queued')
          .where('per_key', '=', 'coalesce')
          .executeTakeFirst();
        if (waiting) return { id: waiting.id, status: 'coalesced' };
      }
    }
    throw new KoppelError({ code: 'JOB_ENQUEUE_FAILED', message: `job ${def.name} could not be enqueued`, hint: 'try again', errorClass: 'transient' });
  }

  async claim(limit: number, names: string[], lanes: LaneFilter, workerId: string, leaseMs: number): Promise<ClaimedJob[]> {
    if (!lanes.all && lanes.held.length === 0) {
      // Only lane-less jobs may run.
      return this.claimWith(limit, names, sql`and c.lanes = '[]'`, workerId, leaseMs);
    }
    if (!lanes.all) {
      return this.claimWith(limit, names, sql`and not exists (select 1 from json_each(c.lanes) l where l.value not in (${sql.join(lanes.held)}))`, workerId, leaseMs);
    }
    return this.claimWith(limit, names, sql``, workerId, leaseMs);
  }

  private async claimWith(limit: number, names: string[], laneCond: ReturnType<typeof sql>, workerId: string, leaseMs: number): Promise<ClaimedJob[]> {
    const now = Date.now();
    // Per key: one job in flight (running, or waiting for its retry); the oldest due job goes first.
    // The inner query walks the due jobs in order (index job_due_order_i) and stops early.
    const res = await sql<Row>`
      update job set state = 'running', attempt = attempt + 1, lease_owner = ${workerId},
        lease_until = ${now + leaseMs}, started_at = ${now}, updated_at = ${now}
      where seq in (
        select seq from (
          select seq, priority, run_at,
            row_number() over (
              partition by name, coalesce(key, id)
              order by case state when 'retry' then 0 else 1 end, priority desc, run_at, seq
            ) as rn
          from (
            select c.seq, c.id, c.name, c.key, c.state, c.priority, c.run_at
            from job c indexed by job_due_order_i
            where c.state in ('queued', 'retry') and c.run_at <= ${now}
              and c.name in (${sql.join(names)})
              and (c.key is null or not exists (
                select 1 from job o
                where o.name = c.name and o.key = c.key and o.seq <> c.seq
                  and (o.state = 'running' or (o.state = 'retry' and c.state = 'queued'))))
              ${laneCond}
            order by c.priority desc, c.run_at, c.seq
            limit ${limit * 4 + 16}
          )
        ) where rn = 1
        order by priority desc, run_at, seq
        limit ${limit}
      )
      returning *`.execute(this.db);
    return res.rows.map(toClaimed);
  }

  async renew(jobs: ClaimedJob[], workerId: string, leaseMs: number): Promise<Set<string>> {
    if (jobs.length === 0) return new Set();
    const rows = await this.db
      .updateTable('job')
      .set({ lease_until: Date.now() + leaseMs })
      .where('lease_owner', '=', workerId)
      .where('state', '=', 'running')
      .where(
        'id',
        'in',
        jobs.map((j) => j.id),
      )
      .returning('id')
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  private async settle(job: ClaimedJob, workerId: string, set: Record<string, unknown>): Promise<boolean> {
    const res = await this.db
      .updateTable('job')
      .set({ ...set, lease_owner: null, lease_until: null, updated_at: Date.now() })
      .where('id', '=', job.id)
      .where('lease_owner', '=', workerId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  complete(job: ClaimedJob, workerId: string): Promise<boolean> {
    return this.settle(job, workerId, { state: 'completed', finished_at: Date.now(), ...errorColumns(null) });
  }

  retry(job: ClaimedJob, delayMs: number, error: JobError, workerId: string): Promise<boolean> {
    return this.settle(job, workerId, { state: 'retry', run_at: Date.now() + delayMs, ...errorColumns(error) });
  }

  park(job: ClaimedJob, error: JobError, workerId: string): Promise<boolean> {
    return this.settle(job, workerId, { state: 'parked', finished_at: Date.now(), ...errorColumns(error) });
  }

  async handBack(job: ClaimedJob, workerId: string): Promise<boolean> {
    const res = await this.db
      .updateTable('job')
      .set((eb) => ({
        state: 'retry',
        run_at: Date.now(),
        max_attempts: eb('max_attempts', '+', 1),
        lease_owner: null,
        lease_until: null,
        updated_at: Date.now(),
      }))
      .where('id', '=', job.id)
      .where('lease_owner', '=', workerId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async recoverExpired(_names: string[], running: ReadonlySet<string>): Promise<number> {
    const now = Date.now();
    let q = this.db
      .updateTable('job')
      .set((eb) => ({
        state: eb.case().when('attempt', '>=', eb.ref('max_attempts')).then('parked').else('retry').end(),
        finished_at: eb.case().when('attempt', '>=', eb.ref('max_attempts')).then(now).else(null).end(),
        run_at: now,
        lease_owner: null,
        lease_until: null,
        updated_at: now,
        ...errorColumns(LEASE_EXPIRED),
      }))
      .where('state', '=', 'running')
      .where('lease_until', '<', now);
    if (running.size > 0) q = q.where('id', 'not in', [...running]);
    const res = await q.executeTakeFirst();
    if (now >= this.nextHousekeeping) {
      this.nextHousekeeping = now + 60_000;
      await this.housekeeping(now);
    }
    return Number(res.numUpdatedRows);
  }

  /** Deletes finished jobs past their retention so the table stays small. */
  async housekeeping(now = Date.now()): Promise<number> {
    const a = await this.db
      .deleteFrom('job')
      .where('state', 'in', ['completed', 'cancelled'])
      .where('finished_at', '<', now - (this.opts.keepFinishedMs ?? 86_400_000))
      .executeTakeFirst();
    const b = await this.db
      .deleteFrom('job')
      .where('state', '=', 'parked')
      .where('finished_at', '<', now - (this.opts.keepParkedMs ?? 30 * 86_400_000))
      .executeTakeFirst();
    return Number(a.numDeletedRows) + Number(b.numDeletedRows);
  }

  async pendingLaneSets(): Promise<string[][]> {
    // The embedded runtime holds every lane.
    return [];
  }

  async getJob(id: string): Promise<JobInfo | undefined> {
    const r = await this.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    const info: JobInfo = {
      id: r.id,
      name: r.name,
      key: r.key,
      lanes: JSON.parse(r.lanes) as string[],
      data: JSON.parse(r.data) as Record<string, unknown>,
      state: r.state as JobState,
      attempt: r.attempt,
      maxAttempts: r.max_attempts,
      runAt: new Date(r.run_at),
      createdAt: new Date(r.created_at),
    };
    if (r.started_at !== null) info.startedAt = new Date(r.started_at);
    if (r.finished_at !== null) info.finishedAt = new Date(r.finished_at);
    const e = errorOf(r);
    if (e) info.error = e;
    return info;
  }

  async cancel(id: string): Promise<boolean> {
    const now = Date.now();
    const res = await this.db
      .updateTable('job')
      .set({ state: 'cancelled', finished_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', 'in', ['queued', 'retry'])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async listParked(opts: { name?: string; limit: number }): Promise<ParkedJob[]> {
    let q = this.db.selectFrom('job').selectAll().where('state', '=', 'parked');
    if (opts.name) q = q.where('name', '=', opts.name);
    const rows = await q.orderBy('finished_at', 'desc').orderBy('seq', 'desc').limit(opts.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      key: r.key,
      data: JSON.parse(r.data) as Record<string, unknown>,
      attempts: r.attempt,
      error: errorOf(r) ?? { code: 'JOB_FAILED', message: 'unknown failure' },
      parkedAt: new Date(r.finished_at ?? r.updated_at),
    }));
  }

  async replay(id: string, defs: ReadonlyMap<string, ResolvedDefinition>): Promise<ReplayResult> {
    const r = await this.db.selectFrom('job').selectAll().where('id', '=', id).where('state', '=', 'parked').executeTakeFirst();
    if (!r) return { status: 'missing' };
    const def = defs.get(r.name);
    const now = Date.now();
    if ((def?.perKey ?? r.per_key) === 'coalesce' && r.key !== null) {
      const waiting = await this.db
        .selectFrom('job')
        .select('id')
        .where('name', '=', r.name)
        .where('key', '=', r.key)
        .where('state', 'in', ['queued', 'retry'])
        .executeTakeFirst();
      if (waiting) {
        await this.db
          .updateTable('job')
          .set({ state: 'cancelled', updated_at: now, error_message: `replay covered by waiting job ${waiting.id}` })
          .where('id', '=', id)
          .where('state', '=', 'parked')
          .execute();
        return { status: 'coalesced' };
      }
    }
    const budget = def?.policy.maxAttempts ?? r.max_attempts;
    const res = await this.db
      .updateTable('job')
      .set({ state: 'retry', run_at: now, max_attempts: r.attempt + budget, finished_at: null, updated_at: now, ...errorColumns(null) })
      .where('id', '=', id)
      .where('state', '=', 'parked')
      .executeTakeFirst();
    return { status: Number(res.numUpdatedRows) === 1 ? 'replayed' : 'missing' };
  }

  async discard(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('job').where('id', '=', id).where('state', '=', 'parked').executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }
}
