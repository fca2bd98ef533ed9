/**
 * The worker core shared by both adapters: definitions, enqueue validation, the claim loop, job
 * leases (heartbeats), lane ownership, retries and parking, schedules and graceful stop. The
 * adapters (embedded.ts, pgboss.ts) only store jobs and change their state atomically.
 */
import { setMaxListeners } from 'node:events';
import type { Kysely } from 'kysely';
import { KoppelError, errorMessage } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../obs/log.js';
import type { Database } from '../../store/schema.js';
import type { Backend, ClaimedJob, LaneFilter, ResolvedDefinition } from './backend.js';
import { newJobId } from './ids.js';
import { ALL_LANES, LaneLeases, isDeadLocalOwner, newWorkerId } from './lanes.js';
import {
  JOB_NAME,
  isUuid,
  type EnqueueOptions,
  type EnqueueResult,
  type FailureDecision,
  type JobContext,
  type JobData,
  type JobDefinition,
  type JobInfo,
  type JobRuntime,
  type ListParkedOptions,
  type ParkedJob,
  type ReplayResult,
  type RuntimeKind,
  type RuntimeOptions,
  type ScheduleInfo,
  type ScheduleSpec,
  type StopOptions,
} from './port.js';
import { backoffDelay, defaultDecision, resolvePolicy, retryAfterOf, toJobError } from './retry.js';
import { ScheduleStore, normaliseSchedule } from './scheduler.js';

interface Definition extends ResolvedDefinition {
  handler: JobDefinition['handler'];
  parse?: JobDefinition['parse'];
  classify?: JobDefinition['classify'];
  lanes?: JobDefinition['lanes'];
  timeoutMs?: number;
}

type AbortReason = 'stop' | 'lane' | 'lease' | 'timeout';

interface Running {
  job: ClaimedJob;
  ac: AbortController;
  reason?: AbortReason;
  /** Set when stop() handed the job back itself: the handler's late outcome is ignored. */
  abandoned?: boolean;
  done: Promise<void>;
}

export interface WorkerCoreOptions extends RuntimeOptions {
  /** `exclusive`: one process holds every lane (embedded); `leased`: lanes are leased one by one (pg-boss). */
  laneMode: 'exclusive' | 'leased';
  /** How long start() waits for another live process to give up the exclusive lease (default 2 × laneLeaseMs). */
  startWaitMs?: number;
}

const MAX_DATA_BYTES = 64 * 1024;
const TERMINAL = new Set(['completed', 'parked', 'cancelled']);

function invalid(code: string, message: string, hint: string): KoppelError {
  return new KoppelError({ code, message, hint, errorClass: 'invalid_input' });
}

function normaliseLanes(lanes: readonly string[], job: string): string[] {
  const out = [...new Set(lanes)].sort();
  for (const l of out) {
    if (typeof l !== 'string' || l.length === 0 || l.length > 200 || l === ALL_LANES) {
      throw invalid('JOB_LANE_INVALID', `job ${job}: lane ${JSON.stringify(l)} is not a connection name`, 'name lanes after connections, e.g. shopify:main');
    }
  }
  return out;
}

export class WorkerCore implements JobRuntime {
  readonly kind: RuntimeKind;
  readonly workerId: string;
  private readonly log: Logger;
  private readonly defs = new Map<string, Definition>();
  private readonly prepared = new Map<string, Promise<void>>();
  private readonly running = new Map<string, Running>();
  private readonly leases: LaneLeases;
  private readonly schedules: ScheduleStore;
  /** Lanes held, with the time each was last used by a job here. */
  private readonly held = new Map<string, number>();
  private state: 'idle' | 'started' | 'stopping' | 'stopped' = 'idle';
  private initPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private loopDone: Promise<void> | undefined;
  private wakeTimer: { resolve: () => void; timer: NodeJS.Timeout } | undefined;
  private intervals: NodeJS.Timeout[] = [];
  private nextRecoverAt = 0;
  private nextLaneAt = 0;
  private laneBusy = false;
  private scheduleBusy = false;
  private heartbeatBusy = false;

  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly laneLeaseMs: number;
  private readonly laneIdleMs: number;

  constructor(
    private readonly backend: Backend,
    private readonly db: Kysely<Database>,
    private readonly opts: WorkerCoreOptions,
  ) {
    this.kind = backend.kind;
    this.workerId = opts.workerId ?? newWorkerId();
    this.log = (opts.logger ?? silentLogger).child({ worker: this.workerId, runtime: backend.kind });
    this.leases = new LaneLeases(db);
    this.schedules = new ScheduleStore(db);
    this.concurrency = opts.concurrency ?? 4;
    this.pollMs = opts.pollIntervalMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.laneLeaseMs = opts.laneLeaseMs ?? 30_000;
    this.laneIdleMs = opts.laneIdleReleaseMs ?? 60_000;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw invalid('RUNTIME_OPTION_INVALID', 'concurrency must be a whole number of at least 1', 'set concurrency to 1 or more');
    if (!(this.leaseMs >= 1000 && this.leaseMs <= 3_600_000)) throw invalid('RUNTIME_OPTION_INVALID', `leaseMs must be from 1000 to 3600000, got ${this.leaseMs}`, 'leases are renewed while a job runs, so a short lease (the default 60 s) suits long jobs too');
    if (this.laneLeaseMs < 300) throw invalid('RUNTIME_OPTION_INVALID', 'laneLeaseMs must be at least 300', 'set laneLeaseMs to 300 or more');
  }

  // ---------------------------------------------------------------- definitions and enqueue

  define<T extends JobData>(def: JobDefinition<T>): void {
    if (typeof def.name !== 'string' || !JOB_NAME.test(def.name)) {
      throw invalid('JOB_NAME_INVALID', `job name ${JSON.stringify(def.name)} is invalid`, 'use lower-case letters, digits, dots, dashes and underscores, starting with a letter (at most 100)');
    }
    if (this.defs.has(def.name)) throw invalid('JOB_DEFINED_TWICE', `job ${def.name} is defined twice`, 'define each job once per process');
    if (typeof def.handler !== 'function') throw invalid('JOB_HANDLER_MISSING', `job ${def.name} has no handler`, 'give the definition a handler(data, ctx)');
    const d: Definition = {
      name: def.name,
      perKey: def.perKey ?? 'serial',
      policy: resolvePolicy(this.opts.retry, def.retry),
      handler: def.handler as JobDefinition['handler'],
      parse: def.parse,
      classify: def.classify,
      lanes: def.lanes as JobDefinition['lanes'],
      timeoutMs: def.timeoutMs,
    };
    this.defs.set(def.name, d);
    if (this.state === 'started') void this.prepare(d).catch((e: unknown) => this.log.error({ err: e, job: d.name }, 'cannot prepare job queue'));
  }

  private requireDef(name: string): Definition {
    const d = this.defs.get(name);
    if (!d) {
      throw invalid('JOB_UNKNOWN', `job ${JSON.stringify(name)} is not defined in this process`, `define the job (runtime.define({ name: '${name}', ... })) before enqueueing or scheduling it`);
    }
    return d;
  }

  private ready(): Promise<void> {
    this.initPromise ??= this.backend.init().catch((e: unknown) => {
      this.initPromise = undefined;
      throw e;
    });
    return this.initPromise;
  }

  private prepare(def: Definition): Promise<void> {
    let p = this.prepared.get(def.name);
    if (!p) {
      p = this.ready().then(() => this.backend.prepare(def));
      p.catch(() => this.prepared.delete(def.name));
      this.prepared.set(def.name, p);
    }
    return p;
  }

  async enqueue<T extends JobData>(name: string, data: T, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    const def = this.requireDef(name);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw invalid('JOB_DATA_INVALID', `job ${name}: data must be an object`, 'pass the job parameters as a plain object');
    }
    let json: string;
    try {
      json = JSON.stringify(data);
    } catch (e) {
      throw invalid('JOB_DATA_INVALID', `job ${name}: data cannot be stored as JSON (${errorMessage(e)})`, 'pass ids and parameters only');
    }
    if (Buffer.byteLength(json) > MAX_DATA_BYTES) {
      throw invalid('JOB_DATA_TOO_LARGE', `job ${name}: data is ${Buffer.byteLength(json)} bytes (at most ${MAX_DATA_BYTES})`, 'pass ids and let the job read the records; never put payloads in job data');
    }
    const key = opts.key ?? null;
    if (key !== null && (typeof key !== 'string' || key.length === 0 || key.length > 480)) {
      throw invalid('JOB_KEY_INVALID', `job ${name}: key must be 1 to 480 characters`, 'use a short key such as stock:SKU-123');
    }
    if (opts.id !== undefined && !isUuid(opts.id)) {
      throw invalid('JOB_ID_INVALID', `job ${name}: id ${JSON.stringify(opts.id)} is not a UUID`, 'derive a deterministic id with jobIdFrom(...) or leave it out');
    }
    const lanes = normaliseLanes(opts.lanes ?? def.lanes?.(data as never) ?? [], name);
    let runAt: number | null = null;
    if (opts.runAt) runAt = opts.runAt.getTime();
    else if (opts.delayMs !== undefined && opts.delayMs > 0) runAt = Date.now() + opts.delayMs;
    if (runAt !== null && !Number.isFinite(runAt)) throw invalid('JOB_RUN_AT_INVALID', `job ${name}: runAt is not a valid time`, 'pass a valid Date or delayMs');
    await this.prepare(def);
    const res = await this.backend.enqueue(def, {
      id: opts.id ?? newJobId(),
      key,
      lanes,
      data: JSON.parse(json) as Record<string, unknown>,
      priority: opts.priority ?? 0,
      runAt,
      tx: opts.tx,
    });
    if (res.status === 'queued' && runAt === null) this.wake();
    return res;
  }

  // ---------------------------------------------------------------- queries and parked jobs

  async getJob(id: string): Promise<JobInfo | undefined> {
    if (!isUuid(id)) return undefined;
    await this.ready();
    return this.backend.getJob(id, this.defs);
  }

  async waitFor(id: string, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<JobInfo> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    const poll = opts.pollMs ?? Math.min(this.pollMs, 200);
    for (;;) {
      const j = await this.getJob(id);
      if (!j) throw new KoppelError({ code: 'JOB_NOT_FOUND', message: `job ${id} does not exist`, hint: 'check the job id', errorClass: 'not_found' });
      if (TERMINAL.has(j.state)) return j;
      if (Date.now() >= deadline) {
        throw new KoppelError({
          code: 'JOB_WAIT_TIMEOUT',
          message: `job ${j.name} (${id}) is still ${j.state} after ${opts.timeoutMs ?? 60_000} ms`,
          hint: j.state === 'queued' ? 'check that a worker is running (koppel start or koppel worker)' : 'wait longer or look at the job in the dashboard',
          errorClass: 'transient',
        });
      }
      await new Promise((r) => setTimeout(r, poll));
    }
  }

  async cancel(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    await this.ready();
    return this.backend.cancel(id, this.defs);
  }

  async listParked(opts: ListParkedOptions = {}): Promise<ParkedJob[]> {
    await this.ready();
    return this.backend.listParked({ name: opts.name, limit: opts.limit ?? 100 });
  }

  async replay(id: string): Promise<ReplayResult> {
    if (!isUuid(id)) return { status: 'missing' };
    await this.ready();
    for (const d of this.defs.values()) await this.prepare(d);
    const res = await this.backend.replay(id, this.defs);
    if (res.status === 'replayed') this.wake();
    return res;
  }

  async discard(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    await this.ready();
    return this.backend.discard(id);
  }

  // ---------------------------------------------------------------- schedules

  async schedule(spec: ScheduleSpec): Promise<ScheduleInfo> {
    const def = this.requireDef(spec.job);
    const data = spec.data ?? {};
    const lanes = normaliseLanes(spec.lanes ?? def.lanes?.(data as never) ?? [], spec.job);
    return this.schedules.upsert(normaliseSchedule(spec, lanes));
  }

  unschedule(name: string): Promise<boolean> {
    return this.schedules.remove(name);
  }

  listSchedules(): Promise<ScheduleInfo[]> {
    return this.schedules.list();
  }

  // ---------------------------------------------------------------- lifecycle

  ownedLanes(): string[] {
    return [...this.held.keys()].sort();
  }

  runningCount(): number {
    return this.running.size;
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') throw invalid('RUNTIME_STATE', `the job runtime cannot start: it is ${this.state}`, 'create a new runtime after stop()');
    await this.ready();
    for (const d of this.defs.values()) await this.prepare(d);
    if (this.opts.laneMode === 'exclusive') await this.acquireExclusive();
    this.state = 'started';
    this.log.info({ jobs: [...this.defs.keys()], concurrency: this.concurrency }, 'job runtime started');
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => void fn(), Math.max(10, ms));
      t.unref?.();
      this.intervals.push(t);
    };
    every(this.leaseMs / 3, () => this.heartbeat());
    every(this.laneLeaseMs / 3, () => this.renewLanes());
    if (this.opts.schedules !== false) every(this.opts.scheduleTickMs ?? 1000, () => this.fireSchedules());
    this.loopDone = this.loop();
  }

  async stop(opts: StopOptions = {}): Promise<void> {
    this.stopPromise ??= this.doStop(opts.graceMs ?? 30_000);
    return this.stopPromise;
  }

  private async doStop(graceMs: number): Promise<void> {
    const wasStarted = this.state === 'started';
    this.state = 'stopping';
    this.wake();
    await this.loopDone;
    if (wasStarted) {
      const all = () => Promise.allSettled([...this.running.values()].map((r) => r.done));
      if (this.running.size > 0) {
        this.log.info({ running: this.running.size, graceMs }, 'waiting for running jobs to finish');
        await settledWithin(all(), graceMs);
      }
      if (this.running.size > 0) {
        for (const r of this.running.values()) this.abort(r, 'stop');
        // Handlers that honour their signal settle now and hand their job back themselves.
        await settledWithin(all(), Math.min(5000, Math.max(500, graceMs)));
      }
      for (const r of [...this.running.values()]) {
        r.abandoned = true;
        this.running.delete(r.job.id);
        await this.backend.handBack(r.job, this.workerId).catch((e: unknown) => this.log.error({ err: e, jobId: r.job.id }, 'cannot hand back job'));
        this.log.warn({ jobId: r.job.id, job: r.job.name }, 'job ignored its abort signal; handed back while still running');
      }
    }
    for (const t of this.intervals.splice(0)) clearInterval(t);
    if (this.held.size > 0) {
      await this.leases.release([...this.held.keys()], this.workerId).catch((e: unknown) => this.log.warn({ err: e }, 'cannot release lanes'));
      this.held.clear();
    }
    await this.backend.close();
    this.state = 'stopped';
    if (wasStarted) this.log.info('job runtime stopped');
  }

  private async acquireExclusive(): Promise<void> {
    const deadline = Date.now() + (this.opts.startWaitMs ?? this.laneLeaseMs * 2);
    for (;;) {
      const holder = await this.leases.holder(ALL_LANES);
      const steal = holder && isDeadLocalOwner(holder.owner) ? holder.owner : undefined;
      if (await this.leases.tryAcquire([ALL_LANES], this.workerId, this.laneLeaseMs, { steal })) {
        this.held.set(ALL_LANES, Date.now());
        return;
      }
      if (Date.now() >= deadline) {
        throw new KoppelError({
          code: 'RUNTIME_BUSY',
          message: `another Koppel process (${holder?.owner ?? 'unknown'}) is working on this database`,
          hint: 'stop the other process first, or let it run the jobs: a SQLite database has one worker at a time (use PostgreSQL and koppel worker to scale out)',
          errorClass: 'transient',
        });
      }
      await sleep(Math.min(250, this.laneLeaseMs / 3));
    }
  }

  /** The exclusive lease was lost (e.g. the process stalled past it): take it back once it is free. */
  private async reacquireExclusive(): Promise<void> {
    const holder = await this.leases.holder(ALL_LANES);
    const steal = holder && isDeadLocalOwner(holder.owner) ? holder.owner : undefined;
    if (await this.leases.tryAcquire([ALL_LANES], this.workerId, this.laneLeaseMs, { steal })) {
      this.held.set(ALL_LANES, Date.now());
      this.log.info('took the job runtime lease back');
    }
  }

  // ---------------------------------------------------------------- the loop

  private wake(): void {
    const w = this.wakeTimer;
    if (w) {
      this.wakeTimer = undefined;
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeTimer = undefined;
        resolve();
      }, ms);
      this.wakeTimer = { resolve, timer };
    });
  }

  private async loop(): Promise<void> {
    while (this.state === 'started') {
      let more = false;
      try {
        more = await this.tick();
      } catch (e) {
        this.log.error({ err: e }, 'job runtime poll failed');
      }
      if (this.state !== 'started') break;
      if (!more) await this.idle(this.pollMs);
    }
  }

  /** One poll: recovery, lanes, claim. True when more work may be waiting right now. */
  private async tick(): Promise<boolean> {
    const now = Date.now();
    const names = [...this.defs.keys()];
    if (names.length === 0) return false;
    if (now >= this.nextRecoverAt) {
      this.nextRecoverAt = now + Math.max(this.pollMs, this.leaseMs / 4);
      const n = await this.backend.recoverExpired(names, new Set(this.running.keys()));
      if (n > 0) this.log.warn({ jobs: n }, 'returned jobs of a stopped worker to the queue');
    }
    if (now >= this.nextLaneAt) {
      this.nextLaneAt = now + Math.max(this.pollMs, 100);
      if (this.opts.laneMode === 'leased') await this.laneTick(names);
      else if (!this.held.has(ALL_LANES)) await this.reacquireExclusive();
    }
    const free = this.concurrency - this.running.size;
    if (free <= 0) return false;
    const filter = this.laneFilter();
    if (!filter) return false;
    const jobs = await this.backend.claim(free, names, filter, this.workerId, this.leaseMs);
    for (const j of jobs) this.execute(j);
    return jobs.length === free;
  }

  private laneFilter(): LaneFilter | undefined {
    if (this.opts.laneMode === 'exclusive') return this.held.has(ALL_LANES) ? { all: true } : undefined;
    return { all: false, held: [...this.held.keys()] };
  }

  private lanesInUse(): Set<string> {
    const s = new Set<string>();
    for (const r of this.running.values()) for (const l of r.job.lanes) s.add(l);
    return s;
  }

  /** Leased mode: release idle lanes, then take at most one uncovered lane set per tick, so workers share. */
  private async laneTick(names: string[]): Promise<void> {
    if (this.laneBusy) return;
    this.laneBusy = true;
    try {
      const now = Date.now();
      const inUse = this.lanesInUse();
      const idle = [...this.held.entries()].filter(([l, used]) => !inUse.has(l) && now - used > this.laneIdleMs).map(([l]) => l);
      if (idle.length > 0) {
        await this.leases.release(idle, this.workerId);
        for (const l of idle) this.held.delete(l);
        this.log.info({ lanes: idle }, 'released idle lanes');
      }
      const pending = await this.backend.pendingLaneSets(names, [...this.held.keys()]);
      for (const set of shuffle(pending)) {
        const missing = set.filter((l) => !this.held.has(l));
        if (missing.length === 0) continue;
        if (this.opts.maxLanes !== undefined && this.held.size + missing.length > this.opts.maxLanes) continue;
        if (await this.leases.tryAcquire(missing, this.workerId, this.laneLeaseMs)) {
          for (const l of missing) this.held.set(l, Date.now());
          this.log.info({ lanes: missing }, 'took lanes');
          break;
        }
      }
    } finally {
      this.laneBusy = false;
    }
  }

  private async renewLanes(): Promise<void> {
    if (this.held.size === 0 || this.state !== 'started') return;
    try {
      const lanes = [...this.held.keys()];
      const kept = await this.leases.renew(lanes, this.workerId, this.laneLeaseMs);
      const lost = lanes.filter((l) => !kept.has(l));
      if (lost.length === 0) return;
      for (const l of lost) this.held.delete(l);
      this.log.warn({ lanes: lost }, 'lost lanes to another worker; aborting their jobs');
      for (const r of this.running.values()) {
        if (lost.includes(ALL_LANES) || r.job.lanes.some((l) => lost.includes(l))) this.abort(r, 'lane');
      }
    } catch (e) {
      this.log.error({ err: e }, 'cannot renew lanes');
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatBusy || this.running.size === 0) return;
    this.heartbeatBusy = true;
    try {
      const jobs = [...this.running.values()].filter((r) => !r.abandoned).map((r) => r.job);
      const kept = await this.backend.renew(jobs, this.workerId, this.leaseMs);
      for (const j of jobs) {
        const r = this.running.get(j.id);
        if (r && !kept.has(j.id)) {
          this.log.warn({ jobId: j.id, job: j.name }, 'lost the lease of a running job; aborting it');
          this.abort(r, 'lease');
        }
      }
    } catch (e) {
      this.log.error({ err: e }, 'cannot renew job leases');
    } finally {
      this.heartbeatBusy = false;
    }
  }

  private async fireSchedules(): Promise<void> {
    if (this.scheduleBusy || this.state !== 'started') return;
    this.scheduleBusy = true;
    try {
      const n = await this.schedules.fireDue(new Set(this.defs.keys()), (job, data, o) => this.enqueue(job, data, o));
      if (n > 0) this.wake();
    } catch (e) {
      this.log.error({ err: e }, 'cannot run schedules');
    } finally {
      this.scheduleBusy = false;
    }
  }

  // ---------------------------------------------------------------- running one job

  private abort(r: Running, reason: AbortReason): void {
    if (r.reason === undefined) r.reason = reason;
    if (!r.ac.signal.aborted) r.ac.abort(new KoppelError({ code: `JOB_ABORTED_${reason.toUpperCase()}`, message: `job aborted (${reason})`, errorClass: 'transient' }));
  }

  private execute(job: ClaimedJob): void {
    const def = this.defs.get(job.name);
    const r: Running = { job, ac: new AbortController(), done: Promise.resolve() };
    // A flow passes its job's signal to every API call it makes at once (each retry helper and timeout
    // listens to it): many listeners on this one signal are expected, not a leak.
    setMaxListeners(1000, r.ac.signal);
    this.running.set(job.id, r);
    const now = Date.now();
    for (const l of job.lanes) if (this.held.has(l)) this.held.set(l, now);
    r.done = (def ? this.runJob(def, r) : this.settleUnknown(r)).finally(() => {
      if (this.running.get(job.id) === r) this.running.delete(job.id);
      const t = Date.now();
      for (const l of job.lanes) if (this.held.has(l)) this.held.set(l, t);
      this.wake();
    });
  }

  private async settleUnknown(r: Running): Promise<void> {
    await this.backend.handBack(r.job, this.workerId).catch(() => undefined);
  }

  private async runJob(def: Definition, r: Running): Promise<void> {
    const { job } = r;
    const log = this.log.child({ job: job.name, jobId: job.id, attempt: job.attempt, ...(job.key !== null ? { key: job.key } : {}) });
    const timer = def.timeoutMs ? setTimeout(() => this.abort(r, 'timeout'), def.timeoutMs) : undefined;
    try {
      let data: JobData;
      try {
        data = (def.parse ? def.parse(job.data) : job.data) as JobData;
      } catch (e) {
        throw new KoppelError({
          code: 'JOB_DATA_INVALID',
          message: `job ${job.name} ${job.id}: stored data does not match the job's schema: ${errorMessage(e)}`,
          hint: 'discard the parked job, or fix the job definition and replay it',
          errorClass: 'invalid_input',
          cause: e,
        });
      }
      const ctx: JobContext = {
        jobId: job.id,
        attempt: job.attempt,
        maxAttempts: job.maxAttempts,
        name: job.name,
        key: job.key,
        lanes: job.lanes,
        signal: r.ac.signal,
        log,
        workerId: this.workerId,
      };
      await def.handler(data, ctx);
      if (r.abandoned) return;
      if (r.reason === 'lease') {
        log.warn('job finished after its lease was lost; another worker may run it again');
        return;
      }
      if (!(await this.backend.complete(job, this.workerId))) log.warn('job finished but was no longer ours to complete');
    } catch (err) {
      if (!r.abandoned) await this.settleFailure(def, r, err, log);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private async settleFailure(def: Definition, r: Running, err: unknown, log: Logger): Promise<void> {
    const { job } = r;
    try {
      if (r.reason === 'stop' || r.reason === 'lane') {
        await this.backend.handBack(job, this.workerId);
        log.info({ reason: r.reason }, 'job handed back');
        return;
      }
      if (r.reason === 'lease') {
        log.warn({ err: errorMessage(err) }, 'job stopped after its lease was lost');
        return;
      }
      let error = err;
      let decision: FailureDecision;
      if (r.reason === 'timeout') {
        error = new KoppelError({
          code: 'JOB_TIMEOUT',
          message: `job ${job.name} did not finish within ${def.timeoutMs} ms`,
          hint: 'the job is retried; if it keeps timing out, raise its timeout or make it do less per run',
          errorClass: 'transient',
          cause: err,
        });
        decision = 'retry';
      } else {
        decision = def.classify?.(err) ?? defaultDecision(err);
      }
      const jobError = toJobError(error);
      if (decision === 'retry' && job.attempt < job.maxAttempts) {
        const delay = Math.max(backoffDelay(def.policy, job.attempt), retryAfterOf(err) ?? 0);
        await this.backend.retry(job, delay, jobError, this.workerId);
        log.warn({ code: jobError.code, err: jobError.message, retryInMs: delay }, 'job failed; will retry');
      } else {
        await this.backend.park(job, jobError, this.workerId);
        log.error({ code: jobError.code, err: jobError.message, attempts: job.attempt }, 'job parked');
      }
    } catch (e) {
      log.error({ err: e }, 'cannot record the outcome of a job; its lease will expire and it will run again');
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits for `p` or `ms`, whichever comes first, and leaves no timer behind (it would hold the process open). */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function shuffle<T>(a: T[]): T[] {
  const out = [...a];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
