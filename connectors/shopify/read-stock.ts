import type { ConnectorContext } from '../../core/sdk/index.ts';
import { gql } from './client.ts';
import type { ShopifyConfig } from './config.ts';
import { INVENTORY_AT_LOCATION, INVENTORY_ITEM_OWNERS } from './documents.ts';
import { stockLocation } from './locations.ts';
import { inventoryAtLocationData, inventoryItemOwnersData } from './schemas.ts';

type Ctx = ConnectorContext<ShopifyConfig>;

/** What Shopify holds for one variant (or inventory item) at the managed location. */
export interface InventoryState {
  inventoryItemId: string;
  tracked: boolean;
  /** `available` at the location; null when the item is not stocked there. */
  available: number | null;
}

const CHUNK = 100;

/** Inventory state by the id asked for (ProductVariant or InventoryItem GID); ids Shopify does not know are absent. */
export async function inventoryAt(ctx: Ctx, ids: string[], locationId: string): Promise<Map<string, InventoryState>> {
  const out = new Map<string, InventoryState>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const data = await gql(ctx, INVENTORY_AT_LOCATION, { ids: ids.slice(i, i + CHUNK), locationId }, inventoryAtLocationData);
    for (const node of data.nodes) {
      if (!node) continue;
      const item = node.__typename === 'ProductVariant' ? node.inventoryItem : node;
      const available = item.inventoryLevel?.quantities.find((q) => q.name === 'available')?.quantity ?? null;
      out.set(node.id, { inventoryItemId: item.id, tracked: item.tracked, available });
    }
  }
  return out;
}

/**
 * stock.read: `available` at the managed location; null for a variant that does not exist or is not stocked
 * there. Accepts InventoryItem GIDs too, which is what inventory_levels/update webhooks name.
 */
export async function readStock(ctx: Ctx, items: Array<{ externalId: string }>): Promise<Array<{ externalId: string; available: number | null }>> {
  const location = await stockLocation(ctx);
  const state = await inventoryAt(ctx, [...new Set(items.map((i) => i.externalId))], location);
  return items.map((i) => ({ externalId: i.externalId, available: state.get(i.externalId)?.available ?? null }));
}

/** stock.read.resolve: the variant and product of each inventory item GID (null when Shopify does not know it). */
export async function resolveInventoryItems(ctx: Ctx, ids: string[]): Promise<Array<{ variantExternalId: string; productExternalId: string } | null>> {
  const owners = new Map<string, { variantExternalId: string; productExternalId: string }>();
  const items = ids.filter((id) => id.startsWith('gid://shopify/InventoryItem/'));
  for (let i = 0; i < items.length; i += CHUNK) {
    const data = await gql(ctx, INVENTORY_ITEM_OWNERS, { ids: items.slice(i, i + CHUNK) }, inventoryItemOwnersData);
    for (const node of data.nodes) {
      if (node?.__typename !== 'InventoryItem' || !node.id || !node.variant) continue;
      owners.set(node.id, { variantExternalId: node.variant.id, productExternalId: node.variant.product.id });
    }
  }
  return ids.map((id) => owners.get(id) ?? null);
}
