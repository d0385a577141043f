import { randomUUID } from 'node:crypto';
import type { ConnectorContext, ItemResult, StockUpdate } from '../../core/sdk/index.ts';
import { gql } from './client.ts';
import type { ShopifyConfig } from './config.ts';
import { INVENTORY_SET_QUANTITIES } from './documents.ts';
import { describeUserErrors } from './errors.ts';
import { stockLocation } from './locations.ts';
import { inventoryAt } from './read-stock.ts';
import { setQuantitiesData } from './schemas.ts';

type Ctx = ConnectorContext<ShopifyConfig>;

interface Row {
  index: number;
  inventoryItemId: string;
  changeFromQuantity: number;
  quantity: number;
}

/**
 * stock.write with `inventorySetQuantities` (name "available", absolute quantities), many items per mutation.
 *
 * Compare-and-set: `changeFromQuantity` is the engine's `expected`, or, when it has none, the quantity just read.
 * Shopify applies a batch all-or-nothing, so when some rows are refused the others are sent again without them.
 * A stale row (CHANGE_FROM_QUANTITY_STALE: someone changed the stock meanwhile) is a per-item retryable failure:
 * the engine re-reads and recomputes that item; the rest of the batch is not held back.
 *
 * Idempotency (mandatory from 2026-04): every mutation gets a fresh key. A key derived from the write's content
 * collides when stock oscillates (35→33, 33→35, then 35→33 again): Shopify replays the first answer for the
 * repeated key and applies nothing, so the channel silently stays one step behind. Safety against applying twice
 * comes from the read above and `changeFromQuantity` instead: a retry after a lost answer finds the quantity already
 * right (nothing sent) or a stale compare (refused, re-read).
 */
export async function setStock(ctx: Ctx, items: StockUpdate[]): Promise<ItemResult[]> {
  const results: ItemResult[] = items.map((i) => ({ ok: true, externalId: i.externalId }));
  const location = await stockLocation(ctx);
  const state = await inventoryAt(ctx, [...new Set(items.map((i) => i.externalId))], location);

  let rows: Row[] = [];
  items.forEach((item, index) => {
    const s = state.get(item.externalId);
    const fail = (message: string) => (results[index] = { ok: false, kind: 'business', message });
    if (!s) return fail(`variant ${item.externalId} does not exist on Shopify`);
    if (s.available === null) return fail(`variant ${item.externalId} is not stocked at location ${location}`);
    if (!s.tracked) return fail(`variant ${item.externalId} does not track inventory on Shopify`);
    // Already right: nothing to send (also what a retry finds after a write whose answer was lost).
    if (s.available === item.available) return;
    rows.push({ index, inventoryItemId: s.inventoryItemId, changeFromQuantity: item.expected ?? s.available, quantity: item.available });
  });

  // First attempt, then at most one more with the rows Shopify did not object to.
  for (let attempt = 0; attempt < 2 && rows.length; attempt++) {
    const refused = await send(ctx, location, rows);
    if (refused.size === 0) return results;
    for (const [rowIndex, failure] of refused) results[rows[rowIndex]!.index] = failure;
    rows = rows.filter((_, i) => !refused.has(i));
    if (attempt === 1) for (const r of rows) results[r.index] = { ok: false, kind: 'retryable', message: 'Shopify refused the batch twice; retry' };
  }
  return results;
}

/** Sends one mutation; returns the refused rows (by position) with their failure, empty when all were applied. */
async function send(ctx: Ctx, location: string, rows: Row[]): Promise<Map<number, ItemResult>> {
  const quantities = rows.map((r) => ({ inventoryItemId: r.inventoryItemId, locationId: location, quantity: r.quantity, changeFromQuantity: r.changeFromQuantity }));
  const key = randomUUID();
  const input = { name: 'available', reason: 'correction', referenceDocumentUri: `gid://omnihub/StockSync/${encodeURIComponent(ctx.connection)}`, quantities };
  const data = await gql(ctx, INVENTORY_SET_QUANTITIES, { input, key }, setQuantitiesData);
  const userErrors = data.inventorySetQuantities?.userErrors ?? [];
  const refused = new Map<number, ItemResult>();
  if (!data.inventorySetQuantities) {
    rows.forEach((_, i) => refused.set(i, { ok: false, kind: 'retryable', message: 'Shopify returned no result for inventorySetQuantities' }));
    return refused;
  }
  const general: typeof userErrors = [];
  for (const e of userErrors) {
    const at = e.field?.[0] === 'input' && e.field[1] === 'quantities' ? Number(e.field[2]) : NaN;
    if (!Number.isInteger(at) || !rows[at]) {
      general.push(e);
      continue;
    }
    const stale = e.code === 'CHANGE_FROM_QUANTITY_STALE';
    const message = stale ? `stock changed on Shopify since it was read (expected ${rows[at]!.changeFromQuantity}): ${e.message}` : describeUserErrors([e]);
    refused.set(at, { ok: false, kind: stale ? 'retryable' : 'business', message });
  }
  if (general.length) {
    // Not tied to a row (bad reason, idempotency conflict): the whole batch failed.
    const retry = general.some((e) => e.code?.startsWith('IDEMPOTENCY'));
    rows.forEach((_, i) => refused.set(i, { ok: false, kind: retry ? 'retryable' : 'business', message: describeUserErrors(general) }));
  }
  return refused;
}
