import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Small instance-wide settings (demo seeded, schema versions of external data, ...). */
export class KvRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async set(key: string, value: string, now = Date.now()): Promise<void> {
    await this.db
      .insertInto('kv')
      .values({ key, value, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
      .execute();
  }

  /** Sets the value only if the key is absent; returns true when this call wrote it. */
  async setIfAbsent(key: string, value: string, now = Date.now()): Promise<boolean> {
    const res = await this.db
      .insertInto('kv')
      .values({ key, value, updated_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async delete(key: string): Promise<boolean> {
    const res = await this.db.deleteFrom('kv').where('key', '=', key).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
