/**
 * Checkpoints per flow and stream (Singer/Airbyte "state"): the cursor up to which records have
 * been applied. A cursor is committed only together with the records it covers: `commitAfter`
 * runs the batch's ledger and activity writes and the cursor update in one transaction, so a crash
 * either keeps all of them or none, and the next run resumes after the last applied batch.
 *
 *   await checkpoints.commitAfter({ flow: 'products', stream: 'ccv:products', cursor: next, runId }, async (tx) => {
 *     for (const r of applied) await ledger.with(tx).link(r.link);
 *     await activity.with(tx).record(entries);
 *   });
 *
 * On SQLite the callback must use `tx` only (the store has one connection; using the store itself
 * inside the transaction would wait for it forever).
 */
import type { Kysely } from 'kysely';
import { KoppelError } from '../core/errors.js';
import type { Database } from '../store/schema.js';

export interface Checkpoint {
  flow: string;
  stream: string;
  /** Opaque to the engine: an offset, a timestamp, a bulk-operation id, ... */
  cursor: string;
  runId: string | null;
  updatedAt: Date;
}

export interface CheckpointKey {
  flow: string;
  stream: string;
}

function validate(k: CheckpointKey, cursor?: string): void {
  const bad = (field: string, rule: string) =>
    new KoppelError({ code: 'CHECKPOINT_INVALID', message: `checkpoint ${k.flow}/${k.stream}: ${field} ${rule}`, hint: 'this is a bug in the flow: report it with this message', errorClass: 'invalid_input' });
  if (typeof k.flow !== 'string' || k.flow.length === 0 || k.flow.length > 100) throw bad('flow', 'must be 1 to 100 characters');
  if (typeof k.stream !== 'string' || k.stream.length === 0 || k.stream.length > 200) throw bad('stream', 'must be 1 to 200 characters');
  if (cursor !== undefined && (typeof cursor !== 'string' || cursor.length > 10_000)) throw bad('cursor', 'must be a string of at most 10000 characters');
}

export class Checkpoints {
  constructor(private readonly db: Kysely<Database>) {}

  with(tx: Kysely<Database>): Checkpoints {
    return new Checkpoints(tx);
  }

  async get(flow: string, stream: string): Promise<Checkpoint | undefined> {
    const r = await this.db.selectFrom('checkpoint').selectAll().where('flow', '=', flow).where('stream', '=', stream).executeTakeFirst();
    return r ? { flow: r.flow, stream: r.stream, cursor: r.cursor, runId: r.run_id, updatedAt: new Date(r.updated_at) } : undefined;
  }

  async list(flow?: string): Promise<Checkpoint[]> {
    let q = this.db.selectFrom('checkpoint').selectAll();
    if (flow) q = q.where('flow', '=', flow);
    const rows = await q.orderBy('flow').orderBy('stream').execute();
    return rows.map((r) => ({ flow: r.flow, stream: r.stream, cursor: r.cursor, runId: r.run_id, updatedAt: new Date(r.updated_at) }));
  }

  /** Sets the cursor. Use inside the transaction that applied the records (or use commitAfter). */
  async commit(k: CheckpointKey & { cursor: string; runId?: string }, now = Date.now()): Promise<void> {
    validate(k, k.cursor);
    await this.db
      .insertInto('checkpoint')
      .values({ flow: k.flow, stream: k.stream, cursor: k.cursor, run_id: k.runId ?? null, updated_at: now })
      .onConflict((oc) => oc.columns(['flow', 'stream']).doUpdateSet({ cursor: k.cursor, run_id: k.runId ?? null, updated_at: now }))
      .execute();
  }

  /**
   * Runs `apply(tx)` (the ledger and activity writes of a batch that has been applied to the
   * target) and moves the cursor in the same transaction. If `apply` throws, the cursor stays.
   */
  async commitAfter<T>(k: CheckpointKey & { cursor: string; runId?: string }, apply: (tx: Kysely<Database>) => Promise<T>, now = Date.now()): Promise<T> {
    validate(k, k.cursor);
    const run = async (tx: Kysely<Database>) => {
      const out = await apply(tx);
      await new Checkpoints(tx).commit(k, now);
      return out;
    };
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run);
  }

  /** Forgets the cursor(s): the next run of the flow starts from the beginning (a full resync). */
  async reset(flow: string, stream?: string): Promise<number> {
    let q = this.db.deleteFrom('checkpoint').where('flow', '=', flow);
    if (stream !== undefined) q = q.where('stream', '=', stream);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
