/**
 * The scale-out adapter: pg-boss 10 on PostgreSQL, in its own schema (default `koppel_jobs`).
 *
 * pg-boss provides the storage, queues with the `singleton` (serial per key) and `stately`
 * (coalescing per key) policies, whose unique indexes guarantee one active job per key even when
 * workers race; job expiry, so a dead worker's jobs are taken over; the dead-letter queue
 * (`__koppel_parked`), archiving and retention. It runs on the store's own connection pool, so a
 * job can be enqueued inside a store transaction.
 *
 * Our own SQL on pg-boss's tables (pinned pg-boss 10.4.2; the conformance suite guards it) does
 * what pg-boss 10 cannot:
 * - claiming: pg-boss's fetch takes the oldest jobs of a queue and fails the whole fetch when one of
 *   them belongs to a key that is already active, so one busy key blocks the queue; ours skips busy
 *   keys, takes only jobs whose lanes this worker owns, and claims across queues in one statement;
 * - lease renewal (pg-boss 10 has no heartbeat): running jobs get `started_on` refreshed, so
 *   `expire_in` can be short and a dead worker's jobs return quickly, while long jobs keep running;
 * - fencing: every change of a running job checks its attempt, so a worker that lost a job's lease
 *   cannot complete the attempt another worker took over;
 * - retry delays in milliseconds with our backoff and jitter, and parking of permanent failures
 *   without spending the remaining retries.
 */
import PgBoss from 'pg-boss';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { KoppelError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../obs/log.js';
import { isPostgres, isUniqueViolation } from '../../store/dialect.js';
import type { Database } from '../../store/schema.js';
import type { Backend, ClaimedJob, LaneFilter, NewJob, ResolvedDefinition } from './backend.js';
import type { EnqueueResult, JobData, JobError, JobInfo, JobState, ParkedJob, ReplayResult } from './port.js';

export const PARKED_QUEUE = '__koppel_parked';

export interface PgBossBackendOptions {
  /** PostgreSQL schema for pg-boss's tables (default `koppel_jobs`). */
  schema?: string;
  /** Lease of a running job; pg-boss expires it (takes it over) after this without renewal. */
  leaseMs: number;
  /** How often pg-boss maintenance (archive, purge, expiry) runs (default 60 s). */
  maintenanceIntervalSeconds?: number;
  logger?: Logger;
}

/** What we store as pg-boss job data. The dead-letter copy keeps it, so a parked job can be replayed. */
interface Envelope {
  job: string;
  id: string;
  key: string | null;
  lanes: string[];
  data: JobData;
  /** Executions before this row existed (a replay after pg-boss archived the original). */
  base?: number;
}

interface StoredOutput extends JobError {
  attempts?: number;
}

type Exec = Kysely<Database>;

/**
 * pg-boss's database access, on the store's pool (or, for enqueue/settle, on a transaction).
 * Some pg-boss commands are multi-statement scripts with their own BEGIN/COMMIT; when one fails
 * half-way (e.g. two workers installing at once) the connection is left in an aborted transaction,
 * so on the pool we roll back before the connection goes back.
 */
function bossDb(db: Exec): PgBoss.Db {
  const run = async (text: string, values?: unknown[]) => {
    if (db.isTransaction) return db.executeQuery(CompiledQuery.raw(text, values ?? []));
    return db.connection().execute(async (conn) => {
      try {
        return await conn.executeQuery(CompiledQuery.raw(text, values ?? []));
      } catch (e) {
        await conn.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
        throw e;
      }
    });
  };
  return {
    async executeSql(text: string, values?: unknown[]) {
      const r = await run(text, values);
      return { rows: r.rows as unknown[] as object[] };
    },
  } as PgBoss.Db;
}

const STATE: Record<string, JobState> = {
  created: 'queued',
  retry: 'retry',
  active: 'running',
  completed: 'completed',
  cancelled: 'cancelled',
  failed: 'parked',
};

function outputError(output: unknown): JobError | undefined {
  if (!output || typeof output !== 'object') return undefined;
  const o = output as Partial<StoredOutput> & { value?: { message?: string }; message?: string };
  if (typeof o.code === 'string') {
    const e: JobError = { code: o.code, message: String(o.message ?? '') };
    if (typeof o.hint === 'string') e.hint = o.hint;
    if (typeof o.errorClass === 'string') e.errorClass = o.errorClass;
    return e;
  }
  const msg = o.value?.message ?? o.message;
  if (typeof msg === 'string') {
    if (msg.includes('timeout in active state')) {
      return { code: 'JOB_LEASE_EXPIRED', message: 'the worker running this job stopped before finishing it', errorClass: 'transient' };
    }
    return { code: 'JOB_FAILED', message: msg };
  }
  return undefined;
}

export class PgBossBackend implements Backend {
  readonly kind = 'pgboss' as const;
  readonly schema: string;
  readonly boss: PgBoss;
  private readonly log: Logger;
  private readonly expireSeconds: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: PgBossBackendOptions,
  ) {
    if (!isPostgres(db)) {
      throw new KoppelError({
        code: 'RUNTIME_DIALECT',
        message: 'the pg-boss job runtime needs PostgreSQL',
        hint: 'use the embedded runtime with a SQLite database (createRuntime picks it for you)',
      });
    }
    this.schema = opts.schema ?? 'koppel_jobs';
    if (!/^[a-z_][a-z0-9_]{0,49}$/.test(this.schema)) {
      throw new KoppelError({
        code: 'RUNTIME_OPTION_INVALID',
        message: `pg-boss schema name ${JSON.stringify(this.schema)} is invalid`,
        hint: 'use lower-case letters, digits and underscores (at most 50), e.g. koppel_jobs',
      });
    }
    this.log = opts.logger ?? silentLogger;
    this.expireSeconds = Math.max(1, Math.ceil(opts.leaseMs / 1000));
    this.boss = new PgBoss({
      db: bossDb(db),
      schema: this.schema,
      migrate: true,
      supervise: true,
      schedule: false,
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
    });
    this.boss.on('error', (e: Error) => this.log.warn({ err: e }, 'pg-boss reported an error'));
  }

  private t(table: 'job' | 'archive') {
    return sql.id(this.schema, table);
  }

  /**
   * Runs schema changes one at a time across all workers: pg-boss's create_queue, run by two
   * workers at once, deadlocks (each inserts its queue row, then adds a foreign key to the queue
   * table). A session advisory lock on a connection of its own serialises them.
   */
  private async serialised<T>(fn: () => Promise<T>): Promise<T> {
    const key = `koppel.${this.schema}.ddl`;
    return this.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(hashtext(${key}))`.execute(conn);
      try {
        return await fn();
      } finally {
        await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
      }
    });
  }

  async init(): Promise<void> {
    await this.boss.start();
    await this.serialised(async () => {
      if (!(await this.boss.getQueue(PARKED_QUEUE))) await this.boss.createQueue(PARKED_QUEUE, { name: PARKED_QUEUE, policy: 'standard' });
      // The claim looks up the keys that are in flight; pg-boss has no index for that. An index on
      // the partitioned parent also covers the partitions pg-boss creates for new queues later.
      await sql`create index if not exists koppel_busy_i on ${this.t('job')} (name, singleton_key) where state in ('retry', 'active')`.execute(this.db);
    });
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, close: false, wait: true });
  }

  async prepare(def: ResolvedDefinition): Promise<void> {
    const policy = def.perKey === 'coalesce' ? 'stately' : 'singleton';
    const fits = (q: PgBoss.QueueResult | null) => q !== null && q.policy === policy && q.deadLetter === PARKED_QUEUE;
    if (fits(await this.boss.getQueue(def.name))) return;
    await this.serialised(async () => {
      const q = await this.boss.getQueue(def.name);
      if (!q) await this.boss.createQueue(def.name, { name: def.name, policy, deadLetter: PARKED_QUEUE });
      else if (!fits(q)) await this.boss.updateQueue(def.name, { name: def.name, policy, deadLetter: PARKED_QUEUE });
    });
  }

  private singletonKey(key: string | null, id: string): string {
    return key !== null ? `k:${key}` : `i:${id}`;
  }

  async enqueue(def: ResolvedDefinition, job: NewJob): Promise<EnqueueResult> {
    const exec = job.tx ?? this.db;
    const envelope: Envelope = { job: def.name, id: job.id, key: job.key, lanes: job.lanes, data: job.data };
    const options: PgBoss.SendOptions = {
      id: job.id,
      singletonKey: this.singletonKey(job.key, job.id),
      priority: job.priority,
      retryLimit: def.policy.maxAttempts - 1,
      retryDelay: 0,
      retryBackoff: false,
      expireInSeconds: this.expireSeconds,
      db: bossDb(exec),
    };
    if (job.runAt !== null) options.startAfter = new Date(job.runAt);
    for (let tries = 0; tries < 3; tries++) {
      const id = await this.boss.send(def.name, envelope as unknown as object, options);
      if (id) return { id, status: 'queued' };
      const same = await sql<{ id: string }>`select id from ${this.t('job')} where name = ${def.name} and id = ${job.id}::uuid`.execute(exec);
      if (same.rows.length > 0) return { id: job.id, status: 'duplicate' };
      if (def.perKey === 'coalesce') {
        const waiting = await sql<{ id: string }>`
          select id from ${this.t('job')}
          where name = ${def.name} and singleton_key = ${options.singletonKey} and state = 'created'`.execute(exec);
        if (waiting.rows[0]) return { id: waiting.rows[0].id, status: 'coalesced' };
      }
    }
    throw new KoppelError({ code: 'JOB_ENQUEUE_FAILED', message: `job ${def.name} could not be enqueued`, hint: 'try again', errorClass: 'transient' });
  }

  async claim(limit: number, names: string[], lanes: LaneFilter, _workerId: string, _leaseMs: number): Promise<ClaimedJob[]> {
    const laneCond = lanes.all ? sql`` : lanes.held.length === 0 ? sql`and j.data->'lanes' = '[]'::jsonb` : sql`and (j.data->'lanes') <@ ${JSON.stringify(lanes.held)}::jsonb`;
    try {
      const res = await sql<{ id: string; name: string; data: Envelope; retry_count: number; retry_limit: number }>`
        with busy as materialized (
          select name, singleton_key, state from ${this.t('job')}
          where name = any(${names}::text[]) and state in ('retry', 'active')
        ), cand as (
          select j.name, j.id, j.singleton_key, j.priority, j.created_on, j.state
          from ${this.t('job')} j
          where j.name = any(${names}::text[])
            and j.state < 'active'
            and j.start_after < now()
            ${laneCond}
            and not exists (
              select 1 from busy o
              where o.name = j.name and o.singleton_key = j.singleton_key
                and (o.state = 'active' or (o.state = 'retry' and j.state = 'created')))
          order by j.priority desc, j.created_on, j.id
          limit ${limit}
          for update of j skip locked
        ), pick as (
          select name, id from (
            select name, id, row_number() over (
              partition by name, singleton_key
              order by case when state = 'retry' then 0 else 1 end, priority desc, created_on, id) as rn
            from cand) x
          where rn = 1
        )
        update ${this.t('job')} j set
          state = 'active',
          started_on = now(),
          retry_count = case when j.started_on is not null then j.retry_count + 1 else j.retry_count end
        from pick
        where j.name = pick.name and j.id = pick.id
        returning j.id, j.name, j.data, j.retry_count, j.retry_limit`.execute(this.db);
      return res.rows.map((r) => {
        const base = r.data.base ?? 0;
        return {
          id: r.id,
          name: r.name,
          key: r.data.key,
          lanes: r.data.lanes ?? [],
          data: r.data.data,
          attempt: base + r.retry_count + 1,
          maxAttempts: base + r.retry_limit + 1,
        };
      });
    } catch (e) {
      // Another worker claimed a job of the same key at the same moment: the unique index said no.
      if (isUniqueViolation(e)) return [];
      throw e;
    }
  }

  async renew(jobs: ClaimedJob[]): Promise<Set<string>> {
    if (jobs.length === 0) return new Set();
    const names = [...new Set(jobs.map((j) => j.name))];
    // The attempt is part of the check: if another worker took a job over, its retry_count moved on.
    const pairs = jobs.map((j) => `${j.id}:${j.attempt}`);
    const res = await sql<{ id: string }>`
      update ${this.t('job')} j set started_on = now()
      where j.name = any(${names}::text[])
        and j.state = 'active'
        and (j.id::text || ':' || (coalesce((j.data->>'base')::int, 0) + j.retry_count + 1)::text) = any(${pairs}::text[])
      returning j.id`.execute(this.db);
    return new Set(res.rows.map((r) => r.id));
  }

  /** Runs `fn` in a transaction if `job` is still active at the attempt this worker claimed. */
  private async fenced(job: ClaimedJob, fn: (tx: Exec, boss: PgBoss.Db) => Promise<void>): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await sql<{ retry_count: number; base: number | null }>`
        select retry_count, (data->>'base')::int as base from ${this.t('job')}
        where name = ${job.name} and id = ${job.id}::uuid and state = 'active'
        for update`.execute(tx);
      const row = r.rows[0];
      if (!row || (row.base ?? 0) + row.retry_count + 1 !== job.attempt) return false;
      await fn(tx, bossDb(tx));
      return true;
    });
  }

  async complete(job: ClaimedJob): Promise<boolean> {
    // pg-boss's complete plus the attempt check, in one statement: the hot path of every job.
    const res = await sql`
      update ${this.t('job')} set completed_on = now(), state = 'completed', output = ${JSON.stringify({ attempts: job.attempt })}::jsonb
      where name = ${job.name} and id = ${job.id}::uuid and state = 'active'
        and coalesce((data->>'base')::int, 0) + retry_count + 1 = ${job.attempt}`.execute(this.db);
    return Number(res.numAffectedRows ?? 0n) === 1;
  }

  retry(job: ClaimedJob, delayMs: number, error: JobError): Promise<boolean> {
    return this.fenced(job, async (tx, db) => {
      await this.boss.fail(job.name, job.id, { ...error, attempts: job.attempt } satisfies StoredOutput, { db });
      await sql`
        update ${this.t('job')} set start_after = now() + ${Math.max(0, Math.round(delayMs))} * interval '1 millisecond'
        where name = ${job.name} and id = ${job.id}::uuid and state = 'retry'`.execute(tx);
    });
  }

  park(job: ClaimedJob, error: JobError): Promise<boolean> {
    return this.fenced(job, async (tx, db) => {
      // No retries left: pg-boss moves it to failed and copies it to the dead-letter queue.
      await sql`update ${this.t('job')} set retry_limit = retry_count where name = ${job.name} and id = ${job.id}::uuid`.execute(tx);
      await this.boss.fail(job.name, job.id, { ...error, attempts: job.attempt } satisfies StoredOutput, { db });
    });
  }

  handBack(job: ClaimedJob): Promise<boolean> {
    return this.fenced(job, async (tx) => {
      await sql`
        update ${this.t('job')} set state = 'retry', start_after = now(), retry_limit = retry_limit + 1
        where name = ${job.name} and id = ${job.id}::uuid`.execute(tx);
    });
  }

  async recoverExpired(): Promise<number> {
    // pg-boss's expiry (also run by its maintenance): active jobs not renewed within expire_in go to
    // retry, or are parked when they have no attempts left.
    await this.boss.expire();
    return 0;
  }

  async pendingLaneSets(names: string[], held: string[]): Promise<string[][]> {
    const res = await sql<{ lanes: string[] }>`
      select distinct j.data->'lanes' as lanes from ${this.t('job')} j
      where j.name = any(${names}::text[]) and j.state < 'active' and j.start_after < now()
        and j.data->'lanes' <> '[]'::jsonb
        and not ((j.data->'lanes') <@ ${JSON.stringify(held)}::jsonb)
      limit 50`.execute(this.db);
    return res.rows.map((r) => r.lanes);
  }

  async getJob(id: string, defs: ReadonlyMap<string, ResolvedDefinition>): Promise<JobInfo | undefined> {
    for (const name of defs.keys()) {
      const j = await this.boss.getJobById<Envelope>(name, id, { includeArchive: true });
      if (!j) continue;
      const env = j.data;
      const base = env.base ?? 0;
      const info: JobInfo = {
        id: j.id,
        name: j.name,
        key: env.key,
        lanes: env.lanes ?? [],
        data: env.data,
        state: STATE[j.state] ?? 'queued',
        attempt: base + j.retryCount + (j.startedOn ? 1 : 0),
        maxAttempts: base + j.retryLimit + 1,
        runAt: new Date(j.startAfter),
        createdAt: new Date(j.createdOn),
      };
      if (j.startedOn) info.startedAt = new Date(j.startedOn);
      if (j.completedOn) info.finishedAt = new Date(j.completedOn);
      const e = outputError(j.output);
      if (e && j.state !== 'completed') info.error = e;
      return info;
    }
    return undefined;
  }

  async cancel(id: string, defs: ReadonlyMap<string, ResolvedDefinition>): Promise<boolean> {
    const res = await sql`
      update ${this.t('job')} set state = 'cancelled', completed_on = now()
      where name = any(${[...defs.keys()]}::text[]) and id = ${id}::uuid and state in ('created', 'retry')`.execute(this.db);
    return Number(res.numAffectedRows ?? 0n) > 0;
  }

  async listParked(opts: { name?: string; limit: number }): Promise<ParkedJob[]> {
    const res = await sql<{ data: Envelope; output: unknown; created_on: Date }>`
      select data, output, created_on from ${this.t('job')}
      where name = ${PARKED_QUEUE} and state = 'created'
        ${opts.name ? sql`and data->>'job' = ${opts.name}` : sql``}
      order by created_on desc, id desc
      limit ${opts.limit}`.execute(this.db);
    return res.rows.map((r) => {
      const out = (r.output ?? {}) as StoredOutput;
      return {
        id: r.data.id,
        name: r.data.job,
        key: r.data.key,
        data: r.data.data,
        attempts: typeof out.attempts === 'number' ? out.attempts : 0,
        error: outputError(r.output) ?? { code: 'JOB_FAILED', message: 'unknown failure' },
        parkedAt: new Date(r.created_on),
      };
    });
  }

  private async parkedEntries(tx: Exec, id: string): Promise<Array<{ id: string; data: Envelope; output: unknown }>> {
    const res = await sql<{ id: string; data: Envelope; output: unknown }>`
      select id, data, output from ${this.t('job')}
      where name = ${PARKED_QUEUE} and state = 'created' and data->>'id' = ${id}
      for update`.execute(tx);
    return res.rows;
  }

  async replay(id: string, defs: ReadonlyMap<string, ResolvedDefinition>): Promise<ReplayResult> {
    return this.db.transaction().execute(async (tx) => {
      const entries = await this.parkedEntries(tx, id);
      const first = entries[0];
      if (!first) return { status: 'missing' } as ReplayResult;
      const env = first.data;
      const def = defs.get(env.job);
      if (!def) {
        throw new KoppelError({
          code: 'JOB_UNKNOWN',
          message: `parked job ${id} is a ${env.job} job, which is not defined in this process`,
          hint: 'replay it from a process that defines the job (koppel start or koppel worker)',
        });
      }
      const db = bossDb(tx);
      const dropEntries = () => this.boss.deleteJob(PARKED_QUEUE, entries.map((e) => e.id), { db });
      const singletonKey = this.singletonKey(env.key, env.id);
      if (def.perKey === 'coalesce' && env.key !== null) {
        const waiting = await sql<{ id: string }>`
          select id from ${this.t('job')}
          where name = ${def.name} and singleton_key = ${singletonKey} and state in ('created', 'retry') and id <> ${id}::uuid`.execute(tx);
        if (waiting.rows.length > 0) {
          await dropEntries();
          await sql`update ${this.t('job')} set state = 'cancelled' where name = ${def.name} and id = ${id}::uuid and state = 'failed'`.execute(tx);
          return { status: 'coalesced' } as ReplayResult;
        }
      }
      const orig = await sql<{ state: string }>`
        select state from ${this.t('job')} where name = ${def.name} and id = ${id}::uuid for update`.execute(tx);
      const state = orig.rows[0]?.state;
      if (state === 'failed') {
        await sql`
          update ${this.t('job')} set state = 'retry', start_after = now(), completed_on = null, output = null,
            retry_limit = retry_count + ${def.policy.maxAttempts}
          where name = ${def.name} and id = ${id}::uuid`.execute(tx);
      } else if (state === undefined) {
        // pg-boss archived the original: queue it again under the same id, continuing its attempt count.
        const attempts = (first.output as StoredOutput | null)?.attempts ?? 0;
        const again: Envelope = { ...env, base: attempts };
        await this.boss.send(def.name, again as unknown as object, {
          id,
          singletonKey,
          retryLimit: def.policy.maxAttempts - 1,
          retryDelay: 0,
          retryBackoff: false,
          expireInSeconds: this.expireSeconds,
          db,
        });
      } else if (state === 'completed' || state === 'cancelled') {
        await dropEntries();
        return { status: 'missing' } as ReplayResult;
      }
      await dropEntries();
      return { status: 'replayed' } as ReplayResult;
    });
  }

  async discard(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const entries = await this.parkedEntries(tx, id);
      const first = entries[0];
      if (!first) return false;
      await this.boss.deleteJob(PARKED_QUEUE, entries.map((e) => e.id), { db: bossDb(tx) });
      await sql`update ${this.t('job')} set state = 'cancelled' where name = ${first.data.job} and id = ${id}::uuid and state = 'failed'`.execute(tx);
      return true;
    });
  }
}
