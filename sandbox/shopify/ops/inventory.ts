// Inventory items, levels and quantities (available, on_hand, committed, reserved, ...), and the
// inventory mutations: inventorySetQuantities (changeFromQuantity compare-and-swap), inventoryAdjustQuantities,
// inventoryActivate (all three `@idempotent`, handled by the framework), inventoryItemUpdate.
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { countView, paginate } from '../connection.js';
import { gid, parseGid } from '../gid.js';
import type { Registry } from '../registry.js';
import { SandboxInputError } from '../registry.js';
import { CompiledSearch } from '../search.js';
import type { SearchDoc, SearchSpec } from '../search.js';
import { badRequest, enumHas, gidOf, money, userError } from './common.js';
import type { UserErrorView } from './common.js';
import { levelKey, onHand, QUANTITY_NAMES, quantityOf, T, UNAVAILABLE_NAMES } from './model.js';
import type { AdjustmentChangeRec, AdjustmentGroupRec, InventoryItemRec, InventoryLevelRec, LocationRec } from './model.js';
import { locationView } from './shop.js';
// Circular at module level only for functions used at call time.
import { productTouched, variantView } from './products.js';

export const INVENTORY_ITEM_SEARCH: SearchSpec = {
  fields: { id: 'id', sku: 'text', created_at: 'date', updated_at: 'date' },
  defaultFields: ['sku'],
};

/** Reasons Shopify documents for quantity changes. */
export const INVENTORY_REASONS = new Set([
  'correction',
  'cycle_count_available',
  'damaged',
  'movement_created',
  'movement_updated',
  'movement_received',
  'movement_canceled',
  'other',
  'promotion',
  'quality_control',
  'received',
  'reservation_created',
  'reservation_deleted',
  'reservation_updated',
  'restock',
  'safety_stock',
  'shrinkage',
]);

const ADJUSTABLE_NAMES = new Set(['available', 'on_hand', 'incoming', ...UNAVAILABLE_NAMES]);
const SET_BOUND = 1_000_000_000;
const ADJUST_BOUND = 2_000_000_000;

// ---- records ----

export interface InventoryItemInputLike {
  sku?: string | null;
  tracked?: boolean | null;
  cost?: string | null;
  requiresShipping?: boolean | null;
  countryCodeOfOrigin?: string | null;
  provinceCodeOfOrigin?: string | null;
  harmonizedSystemCode?: string | null;
  measurement?: { weight?: { value: number; unit: string } | null } | null;
}

/** Problems with an InventoryItemInput (path prefix for userErrors). */
export function inventoryItemInputProblems(input: InventoryItemInputLike | null | undefined, path: (string | number)[]): { field: string[]; message: string }[] {
  if (!input) return [];
  const out: { field: string[]; message: string }[] = [];
  const p = (f: string) => [...path, f].map(String);
  if (input.cost !== undefined && input.cost !== null) {
    const m = money(input.cost);
    if (m === null || m.startsWith('-')) out.push({ field: p('cost'), message: 'Cost must be a non-negative decimal amount' });
  }
  if (input.harmonizedSystemCode && !/^\d{6,13}$/.test(input.harmonizedSystemCode)) out.push({ field: p('harmonizedSystemCode'), message: 'Harmonized system code must be a number between 6 and 13 digits' });
  if (input.sku !== undefined && input.sku !== null && input.sku.length > 255) out.push({ field: p('sku'), message: 'SKU is too long (maximum is 255 characters)' });
  if (input.measurement?.weight && !(input.measurement.weight.value >= 0)) out.push({ field: [...p('measurement'), 'weight', 'value'], message: 'Weight must be a non-negative number' });
  return out;
}

export function applyInventoryItemInput(item: InventoryItemRec, input: InventoryItemInputLike | null | undefined): boolean {
  if (!input) return false;
  const before = JSON.stringify(item);
  if (input.sku !== undefined) item.sku = input.sku === null || input.sku === '' ? null : input.sku;
  if (input.tracked !== undefined && input.tracked !== null) item.tracked = input.tracked;
  if (input.cost !== undefined) item.unitCost = input.cost === null ? null : money(input.cost);
  if (input.requiresShipping !== undefined && input.requiresShipping !== null) item.requiresShipping = input.requiresShipping;
  if (input.countryCodeOfOrigin !== undefined) item.countryCodeOfOrigin = input.countryCodeOfOrigin;
  if (input.provinceCodeOfOrigin !== undefined) item.provinceCodeOfOrigin = input.provinceCodeOfOrigin;
  if (input.harmonizedSystemCode !== undefined) item.harmonizedSystemCode = input.harmonizedSystemCode;
  if (input.measurement?.weight !== undefined) item.weight = input.measurement.weight ? { ...input.measurement.weight } : null;
  return JSON.stringify(item) !== before;
}

export function createInventoryItem(core: SandboxCore, variantId: string, input?: InventoryItemInputLike | null): InventoryItemRec {
  const now = core.nowIso();
  const item: InventoryItemRec = {
    id: gid('InventoryItem', core.state.nextId('InventoryItem')),
    variantId,
    sku: null,
    tracked: false,
    requiresShipping: true,
    unitCost: null,
    countryCodeOfOrigin: null,
    provinceCodeOfOrigin: null,
    harmonizedSystemCode: null,
    weight: null,
    createdAt: now,
    updatedAt: now,
  };
  applyInventoryItemInput(item, input);
  T.inventoryItems(core.state).set(item);
  core.touch('InventoryItem', item.id);
  return item;
}

export function levelsOfItem(core: SandboxCore, itemId: string, includeInactive = false): InventoryLevelRec[] {
  const out: InventoryLevelRec[] = [];
  for (const l of T.locations(core.state).values()) {
    const lv = T.inventoryLevels(core.state).get(levelKey(itemId, l.id));
    if (lv && (includeInactive || lv.isActive)) out.push(lv);
  }
  return out;
}

export function deleteInventoryItem(core: SandboxCore, itemId: string): void {
  for (const l of T.locations(core.state).values()) T.inventoryLevels(core.state).delete(levelKey(itemId, l.id));
  T.inventoryItems(core.state).delete(itemId);
  core.touch('InventoryItem', itemId);
}

/** Stocks an item at a location (idempotent); returns the level. */
export function activateLevel(core: SandboxCore, itemId: string, locationId: string): InventoryLevelRec {
  const key = levelKey(itemId, locationId);
  const existing = T.inventoryLevels(core.state).get(key);
  const now = core.nowIso();
  if (existing) {
    if (!existing.isActive) {
      existing.isActive = true;
      existing.updatedAt = now;
    }
    return existing;
  }
  const lv: InventoryLevelRec = {
    id: key,
    itemId,
    locationId,
    quantities: { available: 0, committed: 0, incoming: 0, reserved: 0, damaged: 0, quality_control: 0, safety_stock: 0 },
    quantityUpdatedAt: {},
    isActive: true,
    createdAt: now,
    updatedAt: now,
  };
  T.inventoryLevels(core.state).set(lv);
  return lv;
}

/** Sets a named quantity, keeping on_hand = available + committed + unavailable. Returns the changes. */
export function setQuantity(core: SandboxCore, lv: InventoryLevelRec, name: string, value: number, ledgerDocumentUri: string | null = null): AdjustmentChangeRec[] {
  const before = quantityOf(lv, name);
  const delta = value - before;
  if (delta === 0) return [];
  const now = core.nowIso();
  const q = lv.quantities as Record<string, number>;
  const changes: AdjustmentChangeRec[] = [];
  const record = (n: string, d: number) => {
    lv.quantityUpdatedAt[n as keyof InventoryLevelRec['quantityUpdatedAt']] = now;
    changes.push({ name: n, delta: d, quantityAfterChange: quantityOf(lv, n), itemId: lv.itemId, locationId: lv.locationId, ledgerDocumentUri });
  };
  if (name === 'on_hand') {
    q.available = (q.available ?? 0) + delta;
    record('on_hand', delta);
    record('available', delta);
  } else {
    q[name] = value;
    record(name, delta);
    if (name !== 'incoming') record('on_hand', delta);
  }
  lv.updatedAt = now;
  return changes;
}

/** After quantities at a level changed: inventory_levels/update, and the variant/product search documents. */
export function levelChanged(core: SandboxCore, lv: InventoryLevelRec): void {
  core.emit('inventory_levels/update', levelGid(lv), { inventoryItemId: lv.itemId, locationId: lv.locationId, available: lv.quantities.available });
  const item = T.inventoryItems(core.state).get(lv.itemId);
  if (item) {
    core.touch('ProductVariant', item.variantId);
    const v = T.variants(core.state).get(item.variantId);
    if (v) core.touch('Product', v.productId);
  }
}

// ---- views ----

export function levelGid(lv: InventoryLevelRec): string {
  return gid('InventoryLevel', parseGid(lv.locationId)!.id, { inventory_item_id: parseGid(lv.itemId)!.id });
}

function levelFromGid(core: SandboxCore, id: string): InventoryLevelRec | undefined {
  const p = parseGid(id);
  if (!p || p.type !== 'InventoryLevel') return undefined;
  const item = p.params.get('inventory_item_id');
  if (!item) return undefined;
  return T.inventoryLevels(core.state).get(levelKey(gid('InventoryItem', item), gid('Location', p.id)));
}

export function inventoryLevelView(core: SandboxCore, lv: InventoryLevelRec) {
  const id = levelGid(lv);
  return {
    __typename: 'InventoryLevel',
    id,
    isActive: lv.isActive,
    canDeactivate: lv.isActive,
    deactivationAlert: null,
    createdAt: lv.createdAt,
    updatedAt: lv.updatedAt,
    item: () => inventoryItemView(core, T.inventoryItems(core.state).get(lv.itemId)!),
    location: () => locationView(core, T.locations(core.state).get(lv.locationId)!),
    quantities: (args: { names: string[] }) =>
      args.names.map((name) => {
        if (!(QUANTITY_NAMES as readonly string[]).includes(name)) {
          throw badRequest(`Invalid quantity name '${name}'. Valid names: ${QUANTITY_NAMES.join(', ')}.`);
        }
        return {
          __typename: 'InventoryQuantity',
          id: gid('InventoryQuantity', parseGid(lv.locationId)!.id, { inventory_item_id: parseGid(lv.itemId)!.id, name }),
          name,
          quantity: quantityOf(lv, name),
          updatedAt: lv.quantityUpdatedAt[name as keyof InventoryLevelRec['quantityUpdatedAt']] ?? null,
        };
      }),
  };
}

export function inventoryItemView(core: SandboxCore, item: InventoryItemRec) {
  const currency = core.state.shop.currencyCode;
  return {
    __typename: 'InventoryItem',
    id: item.id,
    legacyResourceId: parseGid(item.id)!.id,
    sku: item.sku,
    tracked: item.tracked,
    requiresShipping: item.requiresShipping,
    unitCost: item.unitCost === null ? null : { __typename: 'MoneyV2', amount: item.unitCost, currencyCode: currency },
    countryCodeOfOrigin: item.countryCodeOfOrigin,
    provinceCodeOfOrigin: item.provinceCodeOfOrigin,
    harmonizedSystemCode: item.harmonizedSystemCode,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    trackedEditable: { __typename: 'EditableProperty', locked: false, reason: null },
    inventoryHistoryUrl: `https://admin.shopify.com/store/${core.state.shop.myshopifyDomain.replace('.myshopify.com', '')}/products/inventory/${parseGid(item.id)!.id}/inventory_history`,
    measurement: {
      __typename: 'InventoryItemMeasurement',
      id: gid('InventoryItemMeasurement', parseGid(item.id)!.id),
      weight: item.weight ? { __typename: 'Weight', value: item.weight.value, unit: item.weight.unit } : null,
    },
    duplicateSkuCount: () => {
      if (!item.sku) return 0;
      let n = 0;
      for (const other of T.inventoryItems(core.state).values()) if (other.id !== item.id && other.sku === item.sku) n++;
      return n;
    },
    locationsCount: () => countView(levelsOfItem(core, item.id).length),
    inventoryLevel: (args: { locationId: string; includeInactive?: boolean }) => {
      const lv = T.inventoryLevels(core.state).get(levelKey(item.id, args.locationId));
      return lv && (lv.isActive || args.includeInactive) ? inventoryLevelView(core, lv) : null;
    },
    inventoryLevels: (args: { includeInactive?: boolean; query?: string | null; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }) => {
      if (args.query) throw badRequest('InventoryItem.inventoryLevels(query:) is not implemented by the sandbox', { code: 'SANDBOX_UNSUPPORTED', field: 'InventoryItem.inventoryLevels(query:)' });
      return paginate(levelsOfItem(core, item.id, !!args.includeInactive), args, (lv) => [parseGid(lv.locationId)!.id], (lv) => inventoryLevelView(core, lv));
    },
    variant: () => {
      const v = T.variants(core.state).get(item.variantId);
      return v ? variantView(core, v) : null;
    },
    variants: (args: { first?: number; last?: number; after?: string; before?: string }) => {
      const v = T.variants(core.state).get(item.variantId);
      return paginate(v ? [v] : [], args, (x) => [parseGid(x.id)!.id], (x) => variantView(core, x));
    },
  };
}

export function adjustmentGroupView(core: SandboxCore, g: AdjustmentGroupRec) {
  return {
    __typename: 'InventoryAdjustmentGroup',
    id: g.id,
    reason: g.reason,
    referenceDocumentUri: g.referenceDocumentUri,
    createdAt: g.createdAt,
    app: null,
    staffMember: null,
    changes: (args: { inventoryItemIds?: string[] | null; locationIds?: string[] | null; quantityNames?: string[] | null }) =>
      g.changes
        .filter((c) => (!args.inventoryItemIds || args.inventoryItemIds.includes(c.itemId)) && (!args.locationIds || args.locationIds.includes(c.locationId)) && (!args.quantityNames || args.quantityNames.includes(c.name)))
        .map((c) => ({
          __typename: 'InventoryChange',
          name: c.name,
          delta: c.delta,
          quantityAfterChange: c.quantityAfterChange,
          ledgerDocumentUri: c.ledgerDocumentUri,
          item: () => {
            const it = T.inventoryItems(core.state).get(c.itemId);
            return it ? inventoryItemView(core, it) : null;
          },
          location: () => {
            const l = T.locations(core.state).get(c.locationId);
            return l ? locationView(core, l) : null;
          },
        })),
  };
}

// ---- validation helpers ----

const URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
function uriProblem(uri: string): boolean {
  if (!URI_RE.test(uri)) return true;
  if (uri.startsWith('gid:') && !/^gid:\/\/[^/\s]+\/[^/\s]+\/\S+$/.test(uri)) return true;
  return false;
}

function requireChangeFrom(entries: readonly object[], input: string, list: string): void {
  entries.forEach((e, i) => {
    if (!('changeFromQuantity' in e)) {
      throw badRequest(
        `${input}.${list}[${i}].changeFromQuantity must be provided: send the quantity you expect (compare-and-swap) or null to skip the check.`,
        { field: ['input', list, String(i), 'changeFromQuantity'] },
      );
    }
  });
}

function stockedLevel(ctx: RequestContext, itemId: string, locationId: string): InventoryLevelRec | 'not_stocked' {
  const lv = T.inventoryLevels(ctx.state).get(levelKey(itemId, locationId));
  if (lv?.isActive) return lv;
  const autoStock = ctx.core.options.autoStock || !enumHas(ctx, 'InventorySetQuantitiesUserErrorCode', 'ITEM_NOT_STOCKED_AT_LOCATION');
  return autoStock ? activateLevel(ctx.core, itemId, locationId) : 'not_stocked';
}

function newGroup(core: SandboxCore, reason: string, uri: string | null, changes: AdjustmentChangeRec[]): AdjustmentGroupRec {
  const g: AdjustmentGroupRec = { id: gid('InventoryAdjustmentGroup', core.state.nextId('InventoryAdjustmentGroup')), reason, referenceDocumentUri: uri, createdAt: core.nowIso(), changes };
  T.adjustmentGroups(core.state).set(g);
  return g;
}

function activeLocation(ctx: RequestContext, id: string): LocationRec | undefined {
  const l = T.locations(ctx.state).get(id);
  return l?.isActive ? l : undefined;
}

// ---- module ----

interface SetInput {
  name: string;
  reason: string;
  referenceDocumentUri?: string | null;
  quantities: { inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity?: number | null }[];
}

interface AdjustInput {
  name: string;
  reason: string;
  referenceDocumentUri?: string | null;
  changes: { inventoryItemId: string; locationId: string; delta: number; changeFromQuantity?: number | null; ledgerDocumentUri?: string | null }[];
}

function inventorySetQuantities(_s: unknown, args: { input: SetInput }, ctx: RequestContext) {
  const input = args.input;
  requireChangeFrom(input.quantities, 'InventorySetQuantitiesInput', 'quantities');
  const errors: UserErrorView[] = [];
  if (input.name !== 'available' && input.name !== 'on_hand') errors.push(userError(['input', 'name'], "The quantity name must be either 'available' or 'on_hand'.", 'INVALID_NAME'));
  if (!INVENTORY_REASONS.has(input.reason)) errors.push(userError(['input', 'reason'], `The specified reason '${input.reason}' is invalid.`, 'INVALID_REASON'));
  if (input.referenceDocumentUri && uriProblem(input.referenceDocumentUri)) errors.push(userError(['input', 'referenceDocumentUri'], 'The specified reference document is invalid: use a URI with a scheme, e.g. gid://your-app/Document/123.', 'INVALID_REFERENCE_DOCUMENT'));
  const seen = new Set<string>();
  const plan: { lv: InventoryLevelRec | null; itemId: string; locationId: string; quantity: number }[] = [];
  input.quantities.forEach((q, i) => {
    const path = ['input', 'quantities', i];
    const itemId = gidOf(q.inventoryItemId, 'InventoryItem');
    const item = itemId ? T.inventoryItems(ctx.state).get(itemId) : undefined;
    if (!item) {
      errors.push(userError([...path, 'inventoryItemId'], 'The specified inventory item could not be found.', 'INVALID_INVENTORY_ITEM'));
      return;
    }
    const loc = activeLocation(ctx, q.locationId);
    if (!loc) {
      errors.push(userError([...path, 'locationId'], 'The specified location could not be found.', 'INVALID_LOCATION'));
      return;
    }
    const key = levelKey(item.id, loc.id);
    if (seen.has(key)) {
      errors.push(userError(path, 'The combination of inventoryItemId and locationId must be unique.', 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR'));
      return;
    }
    seen.add(key);
    if (q.quantity > SET_BOUND) errors.push(userError([...path, 'quantity'], "The total quantity can't be higher than 1,000,000,000.", 'INVALID_QUANTITY_TOO_HIGH'));
    else if (q.quantity < -SET_BOUND) errors.push(userError([...path, 'quantity'], "The total quantity can't be lower than -1,000,000,000.", 'INVALID_QUANTITY_TOO_LOW'));
    else if (input.name === 'on_hand' && q.quantity < 0) errors.push(userError([...path, 'quantity'], "The quantity can't be negative.", 'INVALID_QUANTITY_NEGATIVE'));
    const existing = T.inventoryLevels(ctx.state).get(key);
    const current = existing?.isActive ? quantityOf(existing, input.name) : 0;
    if (q.changeFromQuantity !== null && q.changeFromQuantity !== undefined && q.changeFromQuantity !== current) {
      errors.push(userError([...path, 'changeFromQuantity'], `The changeFromQuantity value ${q.changeFromQuantity} does not match the persisted value ${current}.`, 'CHANGE_FROM_QUANTITY_STALE'));
    }
    if (!existing?.isActive && !ctx.core.options.autoStock && enumHas(ctx, 'InventorySetQuantitiesUserErrorCode', 'ITEM_NOT_STOCKED_AT_LOCATION')) {
      errors.push(userError([...path, 'locationId'], 'The specified inventory item is not stocked at the location.', 'ITEM_NOT_STOCKED_AT_LOCATION'));
    }
    plan.push({ lv: existing ?? null, itemId: item.id, locationId: loc.id, quantity: q.quantity });
  });
  if (errors.length) return { inventoryAdjustmentGroup: null, userErrors: errors };
  const changes: AdjustmentChangeRec[] = [];
  for (const p of plan) {
    const lv = stockedLevel(ctx, p.itemId, p.locationId);
    if (lv === 'not_stocked') continue; // refused above
    const c = setQuantity(ctx.core, lv, input.name, p.quantity);
    if (c.length) {
      changes.push(...c);
      levelChanged(ctx.core, lv);
    }
  }
  if (changes.length === 0) return { inventoryAdjustmentGroup: null, userErrors: [] };
  const g = newGroup(ctx.core, input.reason, input.referenceDocumentUri ?? null, changes);
  return { inventoryAdjustmentGroup: adjustmentGroupView(ctx.core, g), userErrors: [] };
}

function inventoryAdjustQuantities(_s: unknown, args: { input: AdjustInput }, ctx: RequestContext) {
  const input = args.input;
  requireChangeFrom(input.changes, 'InventoryAdjustQuantitiesInput', 'changes');
  const errors: UserErrorView[] = [];
  if (!ADJUSTABLE_NAMES.has(input.name)) errors.push(userError(['input', 'name'], `The specified quantity name '${input.name}' is invalid.`, 'INVALID_QUANTITY_NAME'));
  if (!INVENTORY_REASONS.has(input.reason)) errors.push(userError(['input', 'reason'], `The specified reason '${input.reason}' is invalid.`, 'INVALID_REASON'));
  if (input.referenceDocumentUri && uriProblem(input.referenceDocumentUri)) errors.push(userError(['input', 'referenceDocumentUri'], 'The specified reference document is invalid: use a URI with a scheme, e.g. gid://your-app/Document/123.', 'INVALID_REFERENCE_DOCUMENT'));
  const ledgers = new Set<string>();
  const running = new Map<string, number>();
  const plan: { itemId: string; locationId: string; delta: number; ledger: string | null }[] = [];
  input.changes.forEach((c, i) => {
    const path = ['input', 'changes', i];
    const ledger = c.ledgerDocumentUri ?? null;
    const nameOk = ADJUSTABLE_NAMES.has(input.name);
    if (nameOk && input.name === 'available' && ledger) errors.push(userError([...path, 'ledgerDocumentUri'], 'A ledger document URI is not allowed when adjusting available.', 'INVALID_AVAILABLE_DOCUMENT'));
    if (nameOk && input.name !== 'available' && !ledger) errors.push(userError([...path, 'ledgerDocumentUri'], 'A ledger document URI is required except when adjusting available.', 'INVALID_QUANTITY_DOCUMENT'));
    if (ledger && ledger.startsWith('gid://shopify/')) errors.push(userError([...path, 'ledgerDocumentUri'], 'Internal (gid://shopify/) ledger documents are not allowed to be adjusted via API.', 'INTERNAL_LEDGER_DOCUMENT'));
    else if (ledger && uriProblem(ledger)) errors.push(userError([...path, 'ledgerDocumentUri'], 'The specified ledger document is invalid.', 'INVALID_LEDGER_DOCUMENT'));
    if (ledger) ledgers.add(ledger);
    const itemId = gidOf(c.inventoryItemId, 'InventoryItem');
    const item = itemId ? T.inventoryItems(ctx.state).get(itemId) : undefined;
    if (!item) {
      errors.push(userError([...path, 'inventoryItemId'], 'The specified inventory item could not be found.', 'INVALID_INVENTORY_ITEM'));
      return;
    }
    const loc = activeLocation(ctx, c.locationId);
    if (!loc) {
      errors.push(userError([...path, 'locationId'], 'The specified location could not be found.', 'INVALID_LOCATION'));
      return;
    }
    const key = levelKey(item.id, loc.id);
    const existing = T.inventoryLevels(ctx.state).get(key);
    const persisted = existing?.isActive ? quantityOf(existing, input.name) : 0;
    if (c.changeFromQuantity !== null && c.changeFromQuantity !== undefined && c.changeFromQuantity !== persisted) {
      errors.push(userError([...path, 'changeFromQuantity'], `The changeFromQuantity value ${c.changeFromQuantity} no longer matches the persisted quantity ${persisted}.`, 'CHANGE_FROM_QUANTITY_STALE'));
    }
    const after = (running.get(key) ?? persisted) + c.delta;
    running.set(key, after);
    if (after > ADJUST_BOUND) errors.push(userError([...path, 'delta'], "The quantity can't be higher than 2,000,000,000.", 'INVALID_QUANTITY_TOO_HIGH'));
    if (after < -ADJUST_BOUND) errors.push(userError([...path, 'delta'], "The quantity can't be lower than -2,000,000,000.", 'INVALID_QUANTITY_TOO_LOW'));
    if (!existing?.isActive && !ctx.core.options.autoStock && enumHas(ctx, 'InventoryAdjustQuantitiesUserErrorCode', 'ITEM_NOT_STOCKED_AT_LOCATION')) {
      errors.push(userError([...path, 'locationId'], 'The specified inventory item is not stocked at the location.', 'ITEM_NOT_STOCKED_AT_LOCATION'));
    }
    plan.push({ itemId: item.id, locationId: loc.id, delta: c.delta, ledger });
  });
  if (ledgers.size > 1) errors.push(userError(['input', 'changes'], 'All changes must have the same ledger document URI.', 'MAX_ONE_LEDGER_DOCUMENT'));
  if (errors.length) return { inventoryAdjustmentGroup: null, userErrors: errors };
  const changes: AdjustmentChangeRec[] = [];
  for (const p of plan) {
    const lv = stockedLevel(ctx, p.itemId, p.locationId);
    if (lv === 'not_stocked') continue;
    const c = setQuantity(ctx.core, lv, input.name, quantityOf(lv, input.name) + p.delta, p.ledger);
    if (c.length) {
      changes.push(...c);
      levelChanged(ctx.core, lv);
    }
  }
  if (changes.length === 0) return { inventoryAdjustmentGroup: null, userErrors: [] };
  const g = newGroup(ctx.core, input.reason, input.referenceDocumentUri ?? null, changes);
  return { inventoryAdjustmentGroup: adjustmentGroupView(ctx.core, g), userErrors: [] };
}

function inventoryActivate(_s: unknown, args: { inventoryItemId: string; locationId: string; available?: number | null; onHand?: number | null; stockAtLegacyLocation?: boolean }, ctx: RequestContext) {
  const item = T.inventoryItems(ctx.state).get(gidOf(args.inventoryItemId, 'InventoryItem') ?? '');
  if (!item) return { inventoryLevel: null, userErrors: [userError(['inventoryItemId'], 'Inventory item does not exist')] };
  const loc = T.locations(ctx.state).get(args.locationId);
  if (!loc) return { inventoryLevel: null, userErrors: [userError(['locationId'], 'Location does not exist')] };
  if (!loc.isActive) return { inventoryLevel: null, userErrors: [userError(['locationId'], `Location ${loc.name} is not active.`)] };
  const existing = T.inventoryLevels(ctx.state).get(levelKey(item.id, loc.id));
  const setsQuantity = (args.available !== null && args.available !== undefined) || (args.onHand !== null && args.onHand !== undefined);
  if (existing?.isActive) {
    if (setsQuantity) return { inventoryLevel: null, userErrors: [userError(['available'], 'Not allowed to set available quantity when the item is already active at the location.')] };
    return { inventoryLevel: inventoryLevelView(ctx.core, existing), userErrors: [] };
  }
  for (const [name, v] of [['available', args.available], ['onHand', args.onHand]] as const) {
    if (v !== null && v !== undefined && Math.abs(v) > SET_BOUND) return { inventoryLevel: null, userErrors: [userError([name], `The quantity must be between -1,000,000,000 and 1,000,000,000.`)] };
  }
  const lv = activateLevel(ctx.core, item.id, loc.id);
  if (args.available !== null && args.available !== undefined) setQuantity(ctx.core, lv, 'available', args.available);
  if (args.onHand !== null && args.onHand !== undefined) setQuantity(ctx.core, lv, 'on_hand', args.onHand);
  levelChanged(ctx.core, lv);
  return { inventoryLevel: inventoryLevelView(ctx.core, lv), userErrors: [] };
}

function inventoryItemUpdate(_s: unknown, args: { id: string; input: InventoryItemInputLike }, ctx: RequestContext) {
  const item = T.inventoryItems(ctx.state).get(gidOf(args.id, 'InventoryItem') ?? '');
  if (!item) return { inventoryItem: null, userErrors: [userError(['id'], 'Inventory item does not exist')] };
  const problems = inventoryItemInputProblems(args.input, ['input']);
  if (problems.length) return { inventoryItem: null, userErrors: problems.map((p) => userError(p.field, p.message)) };
  if (applyInventoryItemInput(item, args.input)) itemChanged(ctx.core, item);
  return { inventoryItem: inventoryItemView(ctx.core, item), userErrors: [] };
}

/** After an inventory item changed: timestamps, indexes, events (the variant and product change too). */
export function itemChanged(core: SandboxCore, item: InventoryItemRec): void {
  item.updatedAt = core.nowIso();
  core.touch('InventoryItem', item.id);
  core.emit('inventory_items/update', item.id);
  const v = T.variants(core.state).get(item.variantId);
  if (v) {
    v.updatedAt = item.updatedAt;
    productTouched(core, v.productId);
  }
}

type ListArgs = { first?: number; last?: number; after?: string; before?: string; reverse?: boolean; query?: string | null };

export function inventoryModule(registry: Registry): void {
  registry.search({
    name: 'InventoryItem',
    spec: INVENTORY_ITEM_SEARCH,
    document: (core, id): SearchDoc | null => {
      const it = T.inventoryItems(core.state).get(id);
      return it ? { id: it.id, sku: it.sku, created_at: it.createdAt, updated_at: it.updatedAt } : null;
    },
  });

  registry.input('InventorySetQuantitiesInput', ['name', 'reason', 'referenceDocumentUri', 'quantities']);
  registry.input('InventoryQuantityInput', ['inventoryItemId', 'locationId', 'quantity', 'changeFromQuantity']);
  registry.input('InventoryAdjustQuantitiesInput', ['name', 'reason', 'referenceDocumentUri', 'changes']);
  registry.input('InventoryChangeInput', ['inventoryItemId', 'locationId', 'delta', 'changeFromQuantity', 'ledgerDocumentUri']);
  registry.input('InventoryItemInput', ['sku', 'tracked', 'cost', 'requiresShipping', 'countryCodeOfOrigin', 'provinceCodeOfOrigin', 'harmonizedSystemCode', 'measurement']);
  registry.input('InventoryItemMeasurementInput', ['weight']);
  registry.input('WeightInput', '*');

  // Idempotent replays kept in a snapshot hold these views by GID.
  registry.view('InventoryAdjustmentGroup', (core, id) => {
    const g = T.adjustmentGroups(core.state).get(id);
    return g ? adjustmentGroupView(core, g) : null;
  });
  registry.view('InventoryLevel', (core, id) => {
    const lv = levelFromGid(core, id);
    return lv ? inventoryLevelView(core, lv) : null;
  });
  registry.view('InventoryItem', (core, id) => {
    const it = T.inventoryItems(core.state).get(id);
    return it ? inventoryItemView(core, it) : null;
  });
  registry.field('Mutation.inventorySetQuantities', inventorySetQuantities as never, { args: ['input'] });
  registry.field('Mutation.inventoryAdjustQuantities', inventoryAdjustQuantities as never, { args: ['input'] });
  registry.field('Mutation.inventoryActivate', inventoryActivate as never, { args: ['inventoryItemId', 'locationId', 'available', 'onHand', 'stockAtLegacyLocation'] });
  registry.field('Mutation.inventoryItemUpdate', inventoryItemUpdate as never, { args: ['id', 'input'] });

  registry.scope('QueryRoot.inventoryItem', [['read_inventory'], ['read_products']]);
  registry.field(
    'QueryRoot.inventoryItem',
    (_s, args: { id: string }, ctx: RequestContext) => {
      const it = T.inventoryItems(ctx.state).get(gidOf(args.id, 'InventoryItem') ?? '');
      return it ? inventoryItemView(ctx.core, it) : null;
    },
    { args: ['id'] },
  );
  registry.scope('QueryRoot.inventoryItems', [['read_inventory'], ['read_products']]);
  registry.field(
    'QueryRoot.inventoryItems',
    (_s, args: ListArgs, ctx: RequestContext, info) => {
      let ids: Iterable<string>;
      if (args.query) {
        const search = new CompiledSearch(args.query, INVENTORY_ITEM_SEARCH);
        ids = [...ctx.core.index.visible('InventoryItem')].filter(([, d]) => search.matches(d)).map(([id]) => id);
        if (search.warnings.length) ctx.searchWarnings.push({ path: [info.path.key], query: args.query, warnings: search.warnings });
      } else {
        ids = [...ctx.core.index.visible('InventoryItem')].map(([id]) => id);
      }
      const rows = [...ids].map((id) => T.inventoryItems(ctx.state).get(id)).filter((x): x is InventoryItemRec => !!x);
      return paginate(rows, args, (it) => [parseGid(it.id)!.id], (it) => inventoryItemView(ctx.core, it));
    },
    { args: ['first', 'last', 'after', 'before', 'reverse', 'query'] },
  );
  registry.scope('QueryRoot.inventoryLevel', [['read_inventory']]);
  registry.field(
    'QueryRoot.inventoryLevel',
    (_s, args: { id: string }, ctx: RequestContext) => {
      const lv = levelFromGid(ctx.core, args.id);
      return lv ? inventoryLevelView(ctx.core, lv) : null;
    },
    { args: ['id'] },
  );

  registry.type('Location', {
    inventoryLevel: [
      (src: { id: string }, args: { inventoryItemId: string; includeInactive?: boolean }, ctx: RequestContext) => {
        const lv = T.inventoryLevels(ctx.state).get(levelKey(args.inventoryItemId, src.id));
        return lv && (lv.isActive || args.includeInactive) ? inventoryLevelView(ctx.core, lv) : null;
      },
      { args: ['inventoryItemId', 'includeInactive'] },
    ],
    inventoryLevels: [
      (src: { id: string }, args: ListArgs & { includeInactive?: boolean }, ctx: RequestContext) => {
        if (args.query) throw badRequest('Location.inventoryLevels(query:) is not implemented by the sandbox', { code: 'SANDBOX_UNSUPPORTED', field: 'Location.inventoryLevels(query:)' });
        const rows = [...T.inventoryLevels(ctx.state).values()].filter((lv) => lv.locationId === src.id && (lv.isActive || args.includeInactive));
        return paginate(rows, args, (lv) => [parseGid(lv.itemId)!.id], (lv) => inventoryLevelView(ctx.core, lv));
      },
      { args: ['first', 'last', 'after', 'before', 'reverse', 'includeInactive'] },
    ],
  });

  // A merchant changes stock in the Shopify admin (or a sale elsewhere): the sandbox's "Shopify-side edit".
  registry.admin('edit/inventory', (core, body) => {
    const itemId = typeof body.inventoryItemId === 'string' ? body.inventoryItemId : undefined;
    const sku = typeof body.sku === 'string' ? body.sku : undefined;
    const item = itemId ? T.inventoryItems(core.state).get(itemId) : sku ? [...T.inventoryItems(core.state).values()].find((i) => i.sku === sku) : undefined;
    if (!item) throw new SandboxInputError('give inventoryItemId (GID) or sku of an existing inventory item');
    const locationId = typeof body.locationId === 'string' ? body.locationId : [...T.locations(core.state).values()].find((l) => l.isPrimary)!.id;
    if (!T.locations(core.state).get(locationId)?.isActive) throw new SandboxInputError(`location ${locationId} does not exist or is inactive`);
    const name = typeof body.name === 'string' ? body.name : 'available';
    if (!ADJUSTABLE_NAMES.has(name) && name !== 'committed') throw new SandboxInputError(`name must be one of available, on_hand, committed, incoming, ${UNAVAILABLE_NAMES.join(', ')}`);
    const lv = activateLevel(core, item.id, locationId);
    let target: number;
    if (typeof body.quantity === 'number' && Number.isInteger(body.quantity)) target = body.quantity;
    else if (typeof body.delta === 'number' && Number.isInteger(body.delta)) target = quantityOf(lv, name) + body.delta;
    else throw new SandboxInputError('give an integer quantity (absolute) or delta');
    const changes = setQuantity(core, lv, name, target);
    if (changes.length) {
      levelChanged(core, lv);
      newGroup(core, typeof body.reason === 'string' ? body.reason : 'correction', 'gid://shopify/StaffMember/1', changes);
    }
    return { inventoryLevelId: levelGid(lv), available: lv.quantities.available, onHand: onHand(lv), committed: lv.quantities.committed };
  });
}
