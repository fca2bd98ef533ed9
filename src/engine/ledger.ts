/**
 * The identity ledger: which source record is which target record, per connection pair and
 * entity type (CCV product 555 / combination 9012 <-> Shopify product, variant and inventory-item
 * GIDs), with the content hash last pushed per field group.
 *
 * Flows use it to skip what exists, to update instead of create, to recognise their own echo in
 * two-way flows ("did we push exactly this?") and to explain a record. Unique constraints make a
 * double link impossible in both directions: a source key has one link, and no target id (primary
 * or secondary) belongs to two links.
 */
import type { Kysely, Selectable } from 'kysely';
import { KoppelError } from '../core/errors.js';
import type { GroupHashes } from '../core/hash.js';
import { isUniqueViolation } from '../store/dialect.js';
import type { Database, LedgerLinkTable } from '../store/schema.js';

export type LinkDirection = 'source_to_target' | 'target_to_source' | 'two_way';
const DIRECTIONS: readonly LinkDirection[] = ['source_to_target', 'target_to_source', 'two_way'];

export interface LinkInput {
  /** The connection pair, e.g. `ccv:main>shopify:main`. */
  pair: string;
  /** Entity type, e.g. `product`, `variant`, `customer`, `order`. */
  entity: string;
  /** The record's key in the source system, e.g. `555/9012`. */
  sourceKey: string;
  /** The record's primary id in the target system, e.g. the variant GID. */
  targetId: string;
  /** Further target ids by role, e.g. `{ product: 'gid://shopify/Product/1', inventoryItem: '...' }`. */
  refs?: Readonly<Record<string, string>>;
  sku?: string | null;
  direction: LinkDirection;
  /** Content hashes of what was pushed, per field group (merged into the stored map). */
  hashes?: GroupHashes;
}

export interface Link {
  id: number;
  pair: string;
  entity: string;
  sourceKey: string;
  targetId: string;
  refs: Record<string, string>;
  sku: string | null;
  direction: LinkDirection;
  hashes: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
  pushedAt: Date | null;
}

type Row = Selectable<LedgerLinkTable>;

function toLink(r: Row): Link {
  return {
    id: r.id,
    pair: r.pair,
    entity: r.entity,
    sourceKey: r.source_key,
    targetId: r.target_id,
    refs: JSON.parse(r.target_refs) as Record<string, string>,
    sku: r.sku,
    direction: r.direction as LinkDirection,
    hashes: JSON.parse(r.hashes) as Record<string, string>,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    pushedAt: r.pushed_at === null ? null : new Date(r.pushed_at),
  };
}

const LIMITS = { pair: 200, entity: 50, sourceKey: 300, targetId: 300, sku: 200, role: 50 };

function check(value: unknown, field: keyof typeof LIMITS, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > LIMITS[field]) {
    throw new KoppelError({
      code: 'LEDGER_INPUT_INVALID',
      message: `ledger ${what}: ${field} must be 1 to ${LIMITS[field]} characters, got ${JSON.stringify(value)}`,
      hint: 'this is a bug in the flow that records the link: report it with this message',
      errorClass: 'invalid_input',
    });
  }
  return value;
}

function doubleLink(pair: string, entity: string, targetId: string, holder: string, sourceKey: string): KoppelError {
  return new KoppelError({
    code: 'LEDGER_DOUBLE_LINK',
    message: `${entity} ${targetId} is already linked to source ${holder}; it cannot also be linked to ${sourceKey} (${pair})`,
    hint: `two source records map to the same target: make them distinct (e.g. unique SKUs), or unlink ${holder} first`,
    record: `${entity} ${sourceKey}`,
    errorClass: 'invalid_input',
    details: { pair, entity, targetId, linkedTo: holder, sourceKey },
  });
}

export class IdentityLedger {
  constructor(private readonly db: Kysely<Database>) {}

  /** The same ledger on a transaction (e.g. inside `Checkpoints.commitAfter`). */
  with(tx: Kysely<Database>): IdentityLedger {
    return new IdentityLedger(tx);
  }

  /**
   * Creates the link, or updates the existing link of this source key to the same target (refs,
   * SKU, direction, hashes). Throws LEDGER_DOUBLE_LINK when a target id belongs to another link,
   * LEDGER_SOURCE_LINKED when the source key is linked to another target (use `relink`).
   */
  async link(input: LinkInput, now = Date.now()): Promise<Link> {
    return this.write(input, now, false);
  }

  /** Points an existing link at new target ids (e.g. the target record was deleted and created again). */
  async relink(input: LinkInput, now = Date.now()): Promise<Link> {
    return this.write(input, now, true);
  }

  private async write(input: LinkInput, now: number, relink: boolean): Promise<Link> {
    const pair = check(input.pair, 'pair', 'link');
    const entity = check(input.entity, 'entity', 'link');
    const sourceKey = check(input.sourceKey, 'sourceKey', 'link');
    const targetId = check(input.targetId, 'targetId', 'link');
    if (!DIRECTIONS.includes(input.direction)) {
      throw new KoppelError({ code: 'LEDGER_INPUT_INVALID', message: `ledger link: direction ${JSON.stringify(input.direction)} is not one of ${DIRECTIONS.join(', ')}`, errorClass: 'invalid_input' });
    }
    const refs: Record<string, string> = {};
    for (const [role, id] of Object.entries(input.refs ?? {})) {
      check(role, 'role', 'link ref role');
      if (role === 'primary') throw new KoppelError({ code: 'LEDGER_INPUT_INVALID', message: 'ledger link: ref role "primary" is reserved for targetId', errorClass: 'invalid_input' });
      refs[role] = check(id, 'targetId', `link ref ${role}`);
    }
    const sku = input.sku === undefined || input.sku === null ? null : check(input.sku, 'sku', 'link');
    const allIds = new Map<string, string>([[targetId, 'primary']]);
    for (const [role, id] of Object.entries(refs)) {
      if (allIds.has(id)) throw new KoppelError({ code: 'LEDGER_INPUT_INVALID', message: `ledger link: target id ${id} is given twice (${allIds.get(id)} and ${role})`, errorClass: 'invalid_input' });
      allIds.set(id, role);
    }

    const run = async (db: Kysely<Database>): Promise<Link> => {
      const existing = await db.selectFrom('ledger_link').selectAll().where('pair', '=', pair).where('entity', '=', entity).where('source_key', '=', sourceKey).executeTakeFirst();
      if (existing && existing.target_id !== targetId && !relink) {
        throw new KoppelError({
          code: 'LEDGER_SOURCE_LINKED',
          message: `${entity} ${sourceKey} is already linked to ${existing.target_id}, not ${targetId} (${pair})`,
          hint: 'if the target record was replaced, relink it; otherwise look for a duplicate in the target',
          record: `${entity} ${sourceKey}`,
          errorClass: 'invalid_input',
        });
      }
      const holders = await db
        .selectFrom('ledger_ref')
        .innerJoin('ledger_link', 'ledger_link.id', 'ledger_ref.link_id')
        .select(['ledger_ref.ref_id', 'ledger_ref.link_id', 'ledger_link.source_key'])
        .where('ledger_ref.pair', '=', pair)
        .where('ledger_ref.entity', '=', entity)
        .where('ledger_ref.ref_id', 'in', [...allIds.keys()])
        .execute();
      for (const h of holders) {
        if (h.link_id !== existing?.id) throw doubleLink(pair, entity, h.ref_id, h.source_key, sourceKey);
      }
      const hashes = { ...(existing ? (JSON.parse(existing.hashes) as Record<string, string>) : {}), ...(input.hashes ?? {}) };
      let id: number;
      if (existing) {
        id = existing.id;
        await db
          .updateTable('ledger_link')
          .set({
            target_id: targetId,
            target_refs: JSON.stringify(refs),
            sku,
            direction: input.direction,
            hashes: JSON.stringify(hashes),
            updated_at: now,
            ...(input.hashes ? { pushed_at: now } : {}),
          })
          .where('id', '=', id)
          .execute();
        const keep = [...allIds.keys()];
        await db.deleteFrom('ledger_ref').where('link_id', '=', id).where('ref_id', 'not in', keep).execute();
      } else {
        const row = await db
          .insertInto('ledger_link')
          .values({
            pair,
            entity,
            source_key: sourceKey,
            target_id: targetId,
            target_refs: JSON.stringify(refs),
            sku,
            direction: input.direction,
            hashes: JSON.stringify(hashes),
            created_at: now,
            updated_at: now,
            pushed_at: input.hashes ? now : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        id = Number(row.id);
      }
      const have = new Set(holders.filter((h) => h.link_id === id).map((h) => h.ref_id));
      const add = [...allIds.entries()].filter(([ref]) => !have.has(ref)).map(([ref_id, role]) => ({ pair, entity, ref_id, role, link_id: id }));
      if (add.length > 0) await db.insertInto('ledger_ref').values(add).execute();
      for (const [ref, role] of allIds) {
        if (have.has(ref)) await db.updateTable('ledger_ref').set({ role }).where('pair', '=', pair).where('entity', '=', entity).where('ref_id', '=', ref).execute();
      }
      return toLink(await db.selectFrom('ledger_link').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    };

    try {
      return this.db.isTransaction ? await run(this.db) : await this.db.transaction().execute(run);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // Another writer linked one of these ids at the same moment: report who holds it.
      const holder = this.db.isTransaction ? undefined : await this.byTarget(pair, entity, targetId).catch(() => undefined);
      throw doubleLink(pair, entity, targetId, holder?.sourceKey ?? 'another source record', sourceKey);
    }
  }

  async bySource(pair: string, entity: string, sourceKey: string): Promise<Link | undefined> {
    const r = await this.db.selectFrom('ledger_link').selectAll().where('pair', '=', pair).where('entity', '=', entity).where('source_key', '=', sourceKey).executeTakeFirst();
    return r ? toLink(r) : undefined;
  }

  /** By any target id of the link: the primary one or a ref (e.g. an inventory item GID). */
  async byTarget(pair: string, entity: string, targetId: string): Promise<Link | undefined> {
    const r = await this.db
      .selectFrom('ledger_ref')
      .innerJoin('ledger_link', 'ledger_link.id', 'ledger_ref.link_id')
      .selectAll('ledger_link')
      .where('ledger_ref.pair', '=', pair)
      .where('ledger_ref.entity', '=', entity)
      .where('ledger_ref.ref_id', '=', targetId)
      .executeTakeFirst();
    return r ? toLink(r) : undefined;
  }

  /** Links with this SKU (more than one means the SKU is not unique in the source). */
  async bySku(pair: string, entity: string, sku: string): Promise<Link[]> {
    const rows = await this.db.selectFrom('ledger_link').selectAll().where('pair', '=', pair).where('entity', '=', entity).where('sku', '=', sku).orderBy('id').execute();
    return rows.map(toLink);
  }

  /** Records what was pushed: merges group hashes into the link and stamps the push time. */
  async recordPush(pair: string, entity: string, sourceKey: string, hashes: GroupHashes, now = Date.now()): Promise<Link> {
    const link = await this.bySource(pair, entity, sourceKey);
    if (!link) {
      throw new KoppelError({
        code: 'LEDGER_LINK_MISSING',
        message: `${entity} ${sourceKey} has no link in ${pair}`,
        hint: 'link the record before recording a push: this is a bug in the flow',
        record: `${entity} ${sourceKey}`,
      });
    }
    const merged = { ...link.hashes, ...hashes };
    await this.db.updateTable('ledger_link').set({ hashes: JSON.stringify(merged), pushed_at: now, updated_at: now }).where('id', '=', link.id).execute();
    return { ...link, hashes: merged, pushedAt: new Date(now), updatedAt: new Date(now) };
  }

  /**
   * Loop prevention for two-way flows: true when the content with this hash is exactly what we
   * pushed last for the group, so a change notification about it is our own echo.
   */
  async isOwnEcho(q: { pair: string; entity: string; sourceKey?: string; targetId?: string; group: string; hash: string }): Promise<boolean> {
    const link = q.sourceKey !== undefined ? await this.bySource(q.pair, q.entity, q.sourceKey) : q.targetId !== undefined ? await this.byTarget(q.pair, q.entity, q.targetId) : undefined;
    return link !== undefined && link.hashes[q.group] === q.hash;
  }

  async unlink(pair: string, entity: string, sourceKey: string): Promise<boolean> {
    const link = await this.bySource(pair, entity, sourceKey);
    if (!link) return false;
    await this.db.deleteFrom('ledger_ref').where('link_id', '=', link.id).execute();
    await this.db.deleteFrom('ledger_link').where('id', '=', link.id).execute();
    return true;
  }

  /** Pages through the links of a pair and entity, by id. */
  async list(pair: string, entity: string, opts: { afterId?: number; limit?: number } = {}): Promise<Link[]> {
    let q = this.db.selectFrom('ledger_link').selectAll().where('pair', '=', pair).where('entity', '=', entity);
    if (opts.afterId !== undefined) q = q.where('id', '>', opts.afterId);
    const rows = await q.orderBy('id').limit(opts.limit ?? 500).execute();
    return rows.map(toLink);
  }

  async count(pair: string, entity: string): Promise<number> {
    const r = await this.db.selectFrom('ledger_link').select((eb) => eb.fn.countAll<number | string>().as('n')).where('pair', '=', pair).where('entity', '=', entity).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
