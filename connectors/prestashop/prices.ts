import { BusinessError, type ConnectorContext, type DesiredPrice, type PricesWrite } from '../../core/sdk/index.ts';
import { list, update } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { decimal6, sub } from './decimal.ts';
import { parseVariantId } from './ids.ts';
import { perItem } from './item-result.ts';
import { num, int } from './schemas.ts';
import { z } from 'zod';

type Ctx = ConnectorContext<PrestashopConfig>;

const priceRow = z.object({ id: int, price: num });

/** The tax rules group for a desired price's rate, when `taxRuleGroups` maps it. */
export function taxGroupFor(config: PrestashopConfig, price: DesiredPrice): number | undefined {
  const wanted = Number(price.taxRate);
  return Object.entries(config.taxRuleGroups).find(([rate]) => Number(rate) === wanted)?.[1];
}

/** Base prices (tax-excluded) of products, by id. */
export async function productPrices(ctx: Ctx, productIds: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(productIds)];
  if (!unique.length) return new Map();
  const rows = await list(ctx, 'products', priceRow, { display: '[id,price]', 'filter[id]': `[${unique.join('|')}]` });
  return new Map(rows.map((r) => [r.id, r.price]));
}

/** Product `price` is tax-excluded: the desired net, 6 decimals as PrestaShop stores it, with its tax group. */
export async function writeProductPrice(ctx: Ctx, productId: number, price: DesiredPrice): Promise<void> {
  const group = taxGroupFor(ctx.config, price);
  if (group === undefined) ctx.log.warn({ productId, taxRate: price.taxRate }, 'no taxRuleGroups entry for this tax rate; the product keeps its tax group');
  await update(ctx, 'products', 'product', productId, {
    fields: { price: decimal6(price.net), ...(group !== undefined ? { id_tax_rules_group: String(group) } : {}) },
  });
}

/** A combination's `price` is an impact on the product's price: variant net − product net. */
export async function writeCombinationPrice(ctx: Ctx, combinationId: number, productNet: string, price: DesiredPrice): Promise<void> {
  await update(ctx, 'combinations', 'combination', combinationId, { fields: { price: decimal6(sub(decimal6(price.net), productNet)) } });
}

/**
 * Sets prices of linked variants. `<product>-0` (a product without combinations) writes the product's `price`
 * (DesiredPrice.net) and `id_tax_rules_group`; `<product>-<combination>` writes the combination's price impact
 * against the product's current base price, which stays as it is (other combinations are relative to it).
 */
export const pricesWrite: PricesWrite<PrestashopConfig> = {
  maxBatch: 50,
  async set(ctx, items) {
    const parsed = items.map((i) => parseVariantId(i.externalId));
    const combos = parsed.filter((p) => p && p.combinationId !== 0).map((p) => p!.productId);
    const bases = await productPrices(ctx, combos);
    return perItem(items.map((item, i) => ({ item, id: parsed[i] })), async ({ item, id }) => {
      if (!id) throw new BusinessError(`"${item.externalId}" is not a PrestaShop variant id (<product>-<combination>)`);
      if (id.combinationId === 0) await writeProductPrice(ctx, id.productId, item.price);
      else {
        const base = bases.get(id.productId);
        if (base === undefined) throw new BusinessError(`PrestaShop product ${id.productId} does not exist`);
        await writeCombinationPrice(ctx, id.combinationId, base, item.price);
      }
      return { ok: true, externalId: item.externalId };
    });
  },
};
