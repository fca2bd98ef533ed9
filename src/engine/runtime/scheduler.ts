/**
 * Named schedules (interval or cron) in the store's `job_schedule` table, for both adapters.
 *
 * Each due schedule is claimed with a compare-and-set on its `next_run_at` inside the transaction
 * that enqueues its job, so with any number of workers ticking, every occurrence enqueues exactly
 * one job. (pg-boss's own cron keys schedules by queue name, allows one per queue and only
 * minute precision; named schedules with intervals need this table anyway, and one implementation
 * keeps the semantics identical on both adapters.)
 */
import type { Kysely, Selectable } from 'kysely';
import { KoppelError } from '../../core/errors.js';
import type { Database, JobScheduleTable } from '../../store/schema.js';
import type { EnqueueOptions, EnqueueResult, JobData, ScheduleInfo, ScheduleSpec } from './port.js';
import { nextCronRun, nextRun, parseCron, parseInterval } from './schedule-spec.js';

type Row = Selectable<JobScheduleTable>;

export interface NormalisedSchedule {
  name: string;
  job: string;
  data: JobData;
  key: string | null;
  lanes: string[];
  everyMs: number | null;
  cron: string | null;
  tz: string | null;
}

export function normaliseSchedule(spec: ScheduleSpec, lanes: string[]): NormalisedSchedule {
  if (typeof spec.name !== 'string' || spec.name.length === 0 || spec.name.length > 200) {
    throw new KoppelError({
      code: 'SCHEDULE_NAME_INVALID',
      message: `schedule name ${JSON.stringify(spec.name)} must be 1 to 200 characters`,
      hint: 'name schedules after what they do, e.g. stock.poll:ccv:main',
      errorClass: 'invalid_input',
    });
  }
  if ((spec.every === undefined) === (spec.cron === undefined)) {
    throw new KoppelError({
      code: 'SCHEDULE_KIND_INVALID',
      message: `schedule ${spec.name} needs exactly one of "every" and "cron"`,
      hint: 'give an interval (every: "5m") or a cron expression (cron: "0 3 * * *"), not both',
      errorClass: 'invalid_input',
    });
  }
  const everyMs = spec.every !== undefined ? parseInterval(spec.every, spec.name) : null;
  const cron = spec.cron !== undefined ? parseCron(spec.cron, spec.tz, spec.name) : null;
  return {
    name: spec.name,
    job: spec.job,
    data: spec.data ?? {},
    key: spec.key ?? null,
    lanes,
    everyMs,
    cron,
    tz: cron !== null ? (spec.tz ?? 'UTC') : null,
  };
}

function toInfo(r: Row): ScheduleInfo {
  return {
    name: r.name,
    job: r.job_name,
    data: JSON.parse(r.data) as JobData,
    key: r.key,
    lanes: r.lanes ? (JSON.parse(r.lanes) as string[]) : [],
    everyMs: r.every_ms,
    cron: r.cron,
    tz: r.tz,
    nextRunAt: new Date(r.next_run_at),
    lastRunAt: r.last_run_at === null ? null : new Date(r.last_run_at),
    lastJobId: r.last_job_id,
  };
}

export type ScheduledEnqueue = (job: string, data: JobData, opts: EnqueueOptions) => Promise<EnqueueResult>;

export class ScheduleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(s: NormalisedSchedule, now = Date.now()): Promise<ScheduleInfo> {
    const data = JSON.stringify(s.data);
    const lanes = JSON.stringify(s.lanes);
    const existing = await this.db.selectFrom('job_schedule').selectAll().where('name', '=', s.name).executeTakeFirst();
    const same =
      existing !== undefined &&
      existing.job_name === s.job &&
      existing.every_ms === s.everyMs &&
      existing.cron === s.cron &&
      existing.tz === s.tz &&
      existing.data === data &&
      existing.key === s.key &&
      (existing.lanes ?? '[]') === lanes;
    if (same) return toInfo(existing);
    const next = s.everyMs !== null ? now + s.everyMs : nextCronRun(s.cron as string, s.tz, now);
    const values = {
      name: s.name,
      job_name: s.job,
      every_ms: s.everyMs,
      cron: s.cron,
      tz: s.tz,
      data,
      key: s.key,
      lanes,
      next_run_at: next,
      last_run_at: existing?.last_run_at ?? null,
      last_job_id: existing?.last_job_id ?? null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    await this.db
      .insertInto('job_schedule')
      .values(values)
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          job_name: values.job_name,
          every_ms: values.every_ms,
          cron: values.cron,
          tz: values.tz,
          data: values.data,
          key: values.key,
          lanes: values.lanes,
          next_run_at: values.next_run_at,
          updated_at: now,
        }),
      )
      .execute();
    const row = await this.db.selectFrom('job_schedule').selectAll().where('name', '=', s.name).executeTakeFirstOrThrow();
    return toInfo(row);
  }

  async remove(name: string): Promise<boolean> {
    const res = await this.db.deleteFrom('job_schedule').where('name', '=', name).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async list(): Promise<ScheduleInfo[]> {
    const rows = await this.db.selectFrom('job_schedule').selectAll().orderBy('name').execute();
    return rows.map(toInfo);
  }

  /**
   * Enqueues one job for every due schedule whose job this process knows; returns how many.
   * Missed occurrences (no worker was up) fire once, then the schedule continues after `now`.
   */
  async fireDue(known: ReadonlySet<string>, enqueue: ScheduledEnqueue, now = Date.now()): Promise<number> {
    const due = await this.db.selectFrom('job_schedule').selectAll().where('next_run_at', '<=', now).orderBy('next_run_at').limit(100).execute();
    let fired = 0;
    for (const r of due) {
      if (!known.has(r.job_name)) continue;
      const next = nextRun({ everyMs: r.every_ms, cron: r.cron, tz: r.tz }, r.next_run_at, now);
      const ok = await this.db.transaction().execute(async (tx) => {
        const claimed = await tx
          .updateTable('job_schedule')
          .set({ next_run_at: next, last_run_at: now, updated_at: now })
          .where('name', '=', r.name)
          .where('next_run_at', '=', r.next_run_at)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) return false;
        const res = await enqueue(r.job_name, JSON.parse(r.data) as JobData, {
          key: r.key ?? undefined,
          lanes: r.lanes ? (JSON.parse(r.lanes) as string[]) : undefined,
          tx,
        });
        await tx.updateTable('job_schedule').set({ last_job_id: res.id }).where('name', '=', r.name).execute();
        return true;
      });
      if (ok) fired++;
    }
    return fired;
  }
}
