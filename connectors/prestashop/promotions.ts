import { BusinessError, ConnectorError, type ConnectorContext, type PromotionUpdate, type PromotionsWrite } from '../../core/sdk/index.ts';
import { create, list, remove, update } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { decimal6, exactDiscountFraction, sub, toMicros } from './decimal.ts';
import { parseVariantId } from './ids.ts';
import { perItem } from './item-result.ts';
import { specificPriceSchema, type PsSpecificPrice } from './schemas.ts';
import { toShopTime } from './shop-time.ts';

type Ctx = ConnectorContext<PrestashopConfig>;

/**
 * The reduction for a promotional price: a percentage (stored as a fraction, 20 % → "0.2") when the promotion is
 * an exact percentage of the regular net price, otherwise a tax-excluded amount (regular net − promotional net).
 */
export function reductionFor(u: PromotionUpdate): { reduction_type: 'percentage' | 'amount'; reduction: string; reduction_tax: string } {
  const fraction = exactDiscountFraction(u.price.net, u.regular.net);
  if (fraction !== undefined) return { reduction_type: 'percentage', reduction: fraction, reduction_tax: '1' };
  const amount = decimal6(sub(decimal6(u.regular.net), decimal6(u.price.net)));
  if (toMicros(amount) <= 0n) throw new BusinessError(`promotional price ${u.price.net} is not below the regular ${u.regular.net}`);
  return { reduction_type: 'amount', reduction: amount, reduction_tax: '0' };
}

const checkpointName = (u: PromotionUpdate) => `specific-price:${u.promotionKey}:${u.externalId}`;

/** A catalogue-wide row (every shop scope set to "all" but ours, no cart/customer/group/country/currency, quantity 1). */
function isOurShape(ctx: Ctx, s: PsSpecificPrice, combinationId: number, from: string, to: string): boolean {
  return (
    s.id_product_attribute === String(combinationId) && s.id_cart === '0' && s.id_customer === '0' && s.id_group === '0' &&
    s.id_country === '0' && s.id_currency === '0' && s.id_specific_price_rule === '0' && s.from_quantity === '1' &&
    s.id_shop === String(ctx.config.shopId) && s.from === from && s.to === to
  );
}

async function applyOne(ctx: Ctx, u: PromotionUpdate): Promise<void> {
  const id = parseVariantId(u.externalId);
  if (!id) throw new BusinessError(`"${u.externalId}" is not a PrestaShop variant id (<product>-<combination>)`);
  const saved = await ctx.checkpoints.get<{ id: number }>(checkpointName(u));
  // An empty window removes the promotion.
  if (u.endsAt.getTime() <= u.startsAt.getTime()) {
    if (saved) await remove(ctx, 'specific_prices', saved.id);
    if (saved) await ctx.checkpoints.set(checkpointName(u), null);
    return;
  }
  const from = toShopTime(u.startsAt, ctx.config.timezone);
  const to = toShopTime(u.endsAt, ctx.config.timezone);
  const r = reductionFor(u);
  const fields = {
    id_shop: String(ctx.config.shopId), id_cart: '0', id_product: String(id.productId), id_product_attribute: String(id.combinationId),
    id_currency: '0', id_country: '0', id_group: '0', id_customer: '0',
    // -1: keep the product's own base price; only the reduction applies.
    price: '-1', from_quantity: '1', ...r, from, to,
  };
  const rows = await list(ctx, 'specific_prices', specificPriceSchema, { display: 'full', 'filter[id_product]': `[${id.productId}]` });
  // Ours from an earlier apply, or an identical row (a retry after a lost answer): the shop refuses a duplicate
  // of its unique key with a bare 500 (recorded 061), so it is updated, never created twice.
  const existing = rows.find((s) => saved && s.id === saved.id) ?? rows.find((s) => isOurShape(ctx, s, id.combinationId, from, to));
  if (existing) {
    const same = existing.from === from && existing.to === to && existing.reduction_type === r.reduction_type && toMicros(existing.reduction) === toMicros(r.reduction) && existing.price.startsWith('-1');
    if (!same) await update(ctx, 'specific_prices', 'specific_price', existing.id, { fields });
    await ctx.checkpoints.set(checkpointName(u), { id: existing.id });
    return;
  }
  let created: string;
  try {
    created = await create(ctx, 'specific_prices', 'specific_price', { fields });
  } catch (err) {
    // A 500 may mean a concurrent identical row appeared: re-read once before failing.
    if (!(err instanceof ConnectorError) || err.kind !== 'retryable') throw err;
    const again = await list(ctx, 'specific_prices', specificPriceSchema, { display: 'full', 'filter[id_product]': `[${id.productId}]` });
    const found = again.find((s) => isOurShape(ctx, s, id.combinationId, from, to));
    if (!found) throw err;
    created = String(found.id);
  }
  await ctx.checkpoints.set(checkpointName(u), { id: Number(created) });
}

/**
 * Promotions as `specific_prices` with `from`/`to` (shop-local time): PrestaShop itself applies and ends them,
 * so the hub does not have to revert them on time. The row applies to all shops' currencies, countries, groups
 * and customers from quantity 1, on the combination (or, for `<product>-0`, the whole product). The id of the row
 * made for `(promotionKey, variant)` is remembered in the connection's checkpoints, because a specific price has
 * no field to carry our key.
 */
export const promotionsWrite: PromotionsWrite<PrestashopConfig> = {
  maxBatch: 25,
  describe: () => ({
    native: 'specific_price with from/to, scheduled by the channel',
    scheduledByChannel: true,
    limitations: 'percentage when exact (stored as a fraction), otherwise a tax-excluded amount; price = -1 keeps the base price',
  }),
  apply: (ctx, items) => perItem(items, async (u) => {
    await applyOne(ctx, u);
    return { ok: true, externalId: u.externalId };
  }),
};
