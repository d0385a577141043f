import { BusinessError, RetryableError, type ConnectorContext, type StockRead, type StockWrite } from '../../core/sdk/index.ts';
import { list, update } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { parseVariantId, variantId } from './ids.ts';
import { perItem } from './item-result.ts';
import { stockRowOf } from './map-product.ts';
import { stockSchema, type PsStock } from './schemas.ts';

type Ctx = ConnectorContext<PrestashopConfig>;

/** Every stock row of the given products, in one request (`filter[id_product]=[1|2|…]`). */
export async function stockRows(ctx: Ctx, productIds: number[]): Promise<PsStock[]> {
  const unique = [...new Set(productIds)];
  if (!unique.length) return [];
  return list(ctx, 'stock_availables', stockSchema, {
    display: '[id,id_product,id_product_attribute,id_shop,quantity]',
    'filter[id_product]': `[${unique.join('|')}]`,
  });
}

/**
 * Writes one absolute quantity on the row of (product, combination). Refuses the `id_product_attribute=0` row
 * of a product that has combination rows: PrestaShop derives it as their sum and overwrites whatever is written
 * there on its next synchronisation (recorded 134). `expected` (the quantity the hub last saw) is compared
 * with the row first, a best-effort compare-and-set: PrestaShop has no conditional write.
 */
export async function writeStock(ctx: Ctx, rows: PsStock[], productId: number, combinationId: number, quantity: number, expected?: number): Promise<void> {
  const row = stockRowOf(rows, ctx.config, productId, combinationId);
  if (!row) throw new BusinessError(`PrestaShop has no stock_available row for product ${productId}, combination ${combinationId}`);
  if (combinationId === 0 && rows.some((r) => r.id_product === productId && r.id_product_attribute !== 0)) {
    throw new BusinessError(`product ${productId} has combinations: its stock is the sum of theirs; write the combinations instead`);
  }
  if (expected !== undefined && row.quantity !== expected) {
    throw new RetryableError(`stock of ${variantId(productId, combinationId)} changed on PrestaShop (${row.quantity}, expected ${expected}); re-read`);
  }
  if (row.quantity === quantity) return;
  await update(ctx, 'stock_availables', 'stock_available', row.id, { fields: { quantity: String(quantity) } });
}

export const stockRead: StockRead<PrestashopConfig> = {
  async get(ctx, items) {
    const parsed = items.map((i) => parseVariantId(i.externalId));
    const rows = await stockRows(ctx, parsed.flatMap((p) => (p ? [p.productId] : [])));
    return items.map((item, i) => {
      const p = parsed[i];
      const row = p ? stockRowOf(rows, ctx.config, p.productId, p.combinationId) : undefined;
      return { externalId: item.externalId, available: row ? row.quantity : null };
    });
  },
};

export const stockWrite: StockWrite<PrestashopConfig> = {
  maxBatch: 50,
  async set(ctx, items) {
    const parsed = items.map((i) => parseVariantId(i.externalId));
    const rows = await stockRows(ctx, parsed.flatMap((p) => (p ? [p.productId] : [])));
    return perItem(items.map((item, i) => ({ item, id: parsed[i] })), async ({ item, id }) => {
      if (!id) throw new BusinessError(`"${item.externalId}" is not a PrestaShop variant id (<product>-<combination>)`);
      await writeStock(ctx, rows, id.productId, id.combinationId, item.available, item.expected);
      return { ok: true, externalId: item.externalId };
    });
  },
};
