import type { GraphQLResolveInfo } from 'graphql';
import { availableSnapshot, fireMovedLevels, type Resolver, type ShopContext } from './context.ts';
import { ShopifyFieldError, userError, type UserError } from './errors.ts';
import { parseGid, type AdjustmentGroupRec, type LevelRec } from './store.ts';

/**
 * Inventory mutations as of 2026-04 (docs/channels/shopify-meta-whatsapp.md §1.3):
 * - the `@idempotent(key:)` directive is mandatory at runtime (the schema does not mark it required); without it
 *   the field fails with BAD_REQUEST and no state changes;
 * - every quantity / change must carry the `changeFromQuantity` key (null skips the compare-and-set); without the
 *   key the field fails with INVALID_FIELD_ARGUMENTS; a stale value is the CHANGE_FROM_QUANTITY_STALE userError;
 * - a retry with the same key and input replays the first answer without applying it twice; the same key with a
 *   different input is IDEMPOTENCY_KEY_PARAMETER_MISMATCH.
 * Validation is all-or-nothing: any userError means nothing was applied.
 */

/** `reason` vocabulary (shopify.dev inventory-management-apps/quantities-states). */
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

/** Names inventoryAdjustQuantities accepts; all but `incoming` are part of on_hand. */
const ADJUSTABLE_NAMES = ['available', 'damaged', 'quality_control', 'reserved', 'safety_stock', 'incoming'];
const MAX_QUANTITY = 1_000_000_000;

function idempotencyKey(info: GraphQLResolveInfo): string {
  const directive = info.fieldNodes[0]?.directives?.find((d) => d.name.value === 'idempotent');
  const arg = directive?.arguments?.find((a) => a.name.value === 'key');
  let key: unknown;
  if (arg?.value.kind === 'StringValue') key = arg.value.value;
  else if (arg?.value.kind === 'Variable') key = info.variableValues[arg.value.name.value];
  if (typeof key !== 'string' || key.trim() === '') {
    throw new ShopifyFieldError('The @idempotent directive is required for this mutation but was not provided.', { code: 'BAD_REQUEST' });
  }
  return key;
}

function requireChangeFrom(rows: Array<Record<string, unknown>>, inputType: string): void {
  if (rows.some((r) => !('changeFromQuantity' in r))) {
    throw new ShopifyFieldError(`${inputType} must include the following argument: changeFromQuantity.`, { code: 'INVALID_FIELD_ARGUMENTS' });
  }
}

function validReferenceUri(uri: unknown): boolean {
  return uri === undefined || uri === null || (typeof uri === 'string' && /^[a-z][a-z0-9+.-]*:\/?\/?\S+$/i.test(uri));
}

interface Planned {
  level: LevelRec;
  name: string;
  delta: number;
  ledgerDocumentUri: string | null;
}

/** Replays a cached answer, refuses a reused key with other input, or runs `apply` and caches its answer. */
function withIdempotency(ctx: ShopContext, key: string, mutation: string, input: unknown, apply: () => { groupId: number | null; userErrors: UserError[] }) {
  const fingerprint = JSON.stringify([mutation, input]);
  const cached = ctx.idempotency.get(key);
  let result: { groupId: number | null; userErrors: UserError[] };
  if (cached && cached.fingerprint !== fingerprint) {
    result = { groupId: null, userErrors: [userError(null, 'The same idempotency key cannot be used with different operation parameters.', 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH')] };
  } else if (cached) {
    result = cached;
  } else {
    result = apply();
    ctx.idempotency.set(key, { fingerprint, ...result });
  }
  const group = result.groupId === null ? undefined : ctx.store.adjustmentGroups.get(result.groupId);
  return { inventoryAdjustmentGroup: group ? ctx.views.adjustmentGroup(group) : null, userErrors: result.userErrors };
}

function locate(ctx: ShopContext, row: { inventoryItemId: string; locationId: string }, path: string[], errors: UserError[]): LevelRec | undefined {
  const itemId = parseGid(row.inventoryItemId, 'InventoryItem');
  const locationId = parseGid(row.locationId, 'Location');
  if (itemId === undefined || !ctx.store.inventoryItems.has(itemId)) {
    errors.push(userError([...path, 'inventoryItemId'], 'The specified inventory item could not be found.', 'INVALID_INVENTORY_ITEM'));
    return undefined;
  }
  if (locationId === undefined || !ctx.store.locations.has(locationId)) {
    errors.push(userError([...path, 'locationId'], 'The specified location could not be found.', 'INVALID_LOCATION'));
    return undefined;
  }
  const level = ctx.store.level(itemId, locationId);
  if (!level) errors.push(userError([...path, 'locationId'], 'The specified inventory item is not stocked at the location.', 'ITEM_NOT_STOCKED_AT_LOCATION'));
  return level;
}

/** Applies planned deltas as one adjustment group; the group lists on_hand moves too, as Shopify's does. */
function commit(ctx: ShopContext, reason: string, referenceDocumentUri: string | null, planned: Planned[]): number {
  const s = ctx.store;
  const before = availableSnapshot(s);
  const group: AdjustmentGroupRec = { id: s.id(), reason, referenceDocumentUri, createdAt: s.stamp(), changes: [] };
  for (const p of planned) {
    if (p.delta === 0) continue;
    s.adjust(p.level, p.name, p.delta);
    const names = p.name === 'on_hand' ? ['on_hand', 'available'] : p.name === 'incoming' ? [p.name] : [p.name, 'on_hand'];
    for (const name of names) {
      group.changes.push({ name, delta: p.delta, quantityAfterChange: s.quantity(p.level, name), inventoryItemId: p.level.inventoryItemId, locationId: p.level.locationId, ledgerDocumentUri: p.ledgerDocumentUri });
    }
  }
  s.adjustmentGroups.set(group.id, group);
  fireMovedLevels(ctx, before);
  return group.id;
}

export const inventoryMutations: Record<string, Resolver> = {
  inventorySetQuantities: (args, ctx, info) => {
    const key = idempotencyKey(info);
    const input = args.input as { reason: string; name: string; referenceDocumentUri?: string | null; quantities: Array<{ inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity?: number | null }> };
    requireChangeFrom(input.quantities, 'InventoryQuantityInput');
    return withIdempotency(ctx, key, 'inventorySetQuantities', input, () => {
      const errors: UserError[] = [];
      if (input.name !== 'available' && input.name !== 'on_hand') errors.push(userError(['input', 'name'], "The quantity name must be either 'available' or 'on_hand'.", 'INVALID_NAME'));
      if (!INVENTORY_REASONS.has(input.reason)) errors.push(userError(['input', 'reason'], 'The specified reason is invalid.', 'INVALID_REASON'));
      if (!validReferenceUri(input.referenceDocumentUri)) errors.push(userError(['input', 'referenceDocumentUri'], 'The specified reference document is invalid.', 'INVALID_REFERENCE_DOCUMENT'));
      const planned: Planned[] = [];
      const seen = new Set<number>();
      input.quantities.forEach((q, i) => {
        const path = ['input', 'quantities', String(i)];
        const level = locate(ctx, q, path, errors);
        if (q.quantity < 0) errors.push(userError([...path, 'quantity'], "The quantity can't be negative.", 'INVALID_QUANTITY_NEGATIVE'));
        if (q.quantity > MAX_QUANTITY) errors.push(userError([...path, 'quantity'], "The total quantity can't be higher than 1,000,000,000.", 'INVALID_QUANTITY_TOO_HIGH'));
        if (!level) return;
        if (seen.has(level.id)) errors.push(userError(path, 'The combination of inventoryItemId and locationId must be unique.', 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR'));
        seen.add(level.id);
        const current = ctx.store.quantity(level, input.name);
        if (q.changeFromQuantity !== null && q.changeFromQuantity !== undefined && q.changeFromQuantity !== current) {
          errors.push(userError([...path, 'changeFromQuantity'], 'The changeFromQuantity value does not match persisted value.', 'CHANGE_FROM_QUANTITY_STALE'));
        }
        planned.push({ level, name: input.name, delta: q.quantity - current, ledgerDocumentUri: null });
      });
      if (errors.length) return { groupId: null, userErrors: errors };
      return { groupId: commit(ctx, input.reason, input.referenceDocumentUri ?? null, planned), userErrors: [] };
    });
  },

  inventoryAdjustQuantities: (args, ctx, info) => {
    const key = idempotencyKey(info);
    const input = args.input as { reason: string; name: string; referenceDocumentUri?: string | null; changes: Array<{ inventoryItemId: string; locationId: string; delta: number; changeFromQuantity?: number | null; ledgerDocumentUri?: string | null }> };
    requireChangeFrom(input.changes, 'InventoryChangeInput');
    return withIdempotency(ctx, key, 'inventoryAdjustQuantities', input, () => {
      const errors: UserError[] = [];
      if (!ADJUSTABLE_NAMES.includes(input.name)) errors.push(userError(['input', 'name'], 'The specified quantity name is invalid.', 'INVALID_QUANTITY_NAME'));
      if (!INVENTORY_REASONS.has(input.reason)) errors.push(userError(['input', 'reason'], 'The specified reason is invalid.', 'INVALID_REASON'));
      if (!validReferenceUri(input.referenceDocumentUri)) errors.push(userError(['input', 'referenceDocumentUri'], 'The specified reference document is invalid.', 'INVALID_REFERENCE_DOCUMENT'));
      const planned: Planned[] = [];
      input.changes.forEach((c, i) => {
        const path = ['input', 'changes', String(i)];
        const ledger = c.ledgerDocumentUri ?? null;
        if (input.name === 'available' && ledger !== null) errors.push(userError([...path, 'ledgerDocumentUri'], 'A ledger document URI is not allowed when adjusting available.', 'INVALID_AVAILABLE_DOCUMENT'));
        if (input.name !== 'available' && ledger === null) errors.push(userError([...path, 'ledgerDocumentUri'], 'A ledger document URI is required except when adjusting available.', 'INVALID_QUANTITY_DOCUMENT'));
        if (ledger?.startsWith('gid://shopify/')) errors.push(userError([...path, 'ledgerDocumentUri'], 'The ledger document URI must not be a Shopify resource.', 'INTERNAL_LEDGER_DOCUMENT'));
        const level = locate(ctx, c, path, errors);
        if (!level) return;
        const current = ctx.store.quantity(level, input.name);
        if (c.changeFromQuantity !== null && c.changeFromQuantity !== undefined && c.changeFromQuantity !== current) {
          errors.push(userError([...path, 'changeFromQuantity'], 'The changeFromQuantity argument no longer matches the persisted quantity.', 'CHANGE_FROM_QUANTITY_STALE'));
        }
        if (Math.abs(current + c.delta) > MAX_QUANTITY) errors.push(userError([...path, 'delta'], "The quantity can't be higher than 1,000,000,000.", 'INVALID_QUANTITY_TOO_HIGH'));
        planned.push({ level, name: input.name, delta: c.delta, ledgerDocumentUri: ledger });
      });
      if (errors.length) return { groupId: null, userErrors: errors };
      return { groupId: commit(ctx, input.reason, input.referenceDocumentUri ?? null, planned), userErrors: [] };
    });
  },

  inventoryActivate: (args, ctx, info) => {
    idempotencyKey(info);
    const itemId = parseGid(args.inventoryItemId, 'InventoryItem');
    const locationId = parseGid(args.locationId, 'Location');
    if (itemId === undefined || !ctx.store.inventoryItems.has(itemId)) return { inventoryLevel: null, userErrors: [userError(['inventoryItemId'], 'Inventory item does not exist', null)] };
    if (locationId === undefined || !ctx.store.locations.has(locationId)) return { inventoryLevel: null, userErrors: [userError(['locationId'], 'Location does not exist', null)] };
    const fresh = !ctx.store.level(itemId, locationId);
    const level = ctx.store.activate(itemId, locationId);
    if (fresh && typeof args.available === 'number') ctx.store.adjust(level, 'available', args.available);
    if (fresh && typeof args.onHand === 'number') ctx.store.adjust(level, 'on_hand', args.onHand - ctx.store.quantity(level, 'on_hand'));
    if (fresh) ctx.events.levelUpdated(level);
    return { inventoryLevel: ctx.views.level(level), userErrors: [] };
  },
};
