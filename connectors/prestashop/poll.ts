import type { ConnectorContext } from '../../core/sdk/index.ts';
import { list } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { variantId } from './ids.ts';
import { stockSchema } from './schemas.ts';
import { toShopTime } from './shop-time.ts';
import { changedSince } from './watermark.ts';

type Ctx = ConnectorContext<PrestashopConfig>;

/** Checkpoint of the stock sweep: the last stock_available id compared, and the last quantity seen per row. */
export interface StockSweep {
  after: number;
  /** `"<id_product>-<id_product_attribute>"` → quantity. */
  seen: Record<string, number>;
}

export const PRODUCTS_CHECKPOINT = 'products-date-upd';
export const STOCK_CHECKPOINT = 'stock-sweep';

/** Products changed by `date_upd` since the watermark → `product` hints, one event id per (product, date_upd). */
async function pollProducts(ctx: Ctx): Promise<void> {
  const initial = toShopTime(ctx.now(), ctx.config.timezone);
  const { rows, next } = await changedSince(ctx, 'products', await ctx.checkpoints.get(PRODUCTS_CHECKPOINT), initial);
  // The overlap re-reads recent changes; the event id (product + date_upd) lets the hub drop the repeats.
  for (const r of rows) await ctx.emit({ kind: 'product', externalId: String(r.id) }, { eventId: `product:${r.id}:${r.date_upd}` });
  await ctx.checkpoints.set(PRODUCTS_CHECKPOINT, next);
}

/**
 * stock_availables has no date column, and saving stock does not touch products.date_upd, so stock changes
 * are found by comparison: each run reads the next `stockSweepRows` rows by id (`filter[id]=>[cursor]`,
 * `sort=[id_ASC]`), emits a `stock` hint for every row whose quantity differs from the one seen last time, and
 * moves the cursor; at the end of the table it starts over. A row seen for the first time only records its
 * quantity (initial linking reads stock itself). The derived `id_product_attribute=0` row of a product with
 * combinations gives no hint: its combinations do.
 */
async function sweepStock(ctx: Ctx): Promise<void> {
  const saved = await ctx.checkpoints.get<StockSweep>(STOCK_CHECKPOINT);
  const state: StockSweep = saved && typeof saved.after === 'number' && saved.seen ? { after: saved.after, seen: { ...saved.seen } } : { after: 0, seen: {} };
  const size = ctx.config.stockSweepRows;
  const rows = await list(ctx, 'stock_availables', stockSchema, {
    display: '[id,id_product,id_product_attribute,id_shop,quantity]',
    'filter[id]': `>[${state.after}]`,
    sort: '[id_ASC]',
    limit: `0,${size}`,
  });
  const hasCombinations = new Set(rows.filter((r) => r.id_product_attribute !== 0).map((r) => r.id_product));
  for (const key of Object.keys(state.seen)) {
    const [product, combination] = key.split('-');
    if (combination !== '0') hasCombinations.add(Number(product));
  }
  for (const r of rows.filter((x) => x.id_shop === String(ctx.config.shopId) || x.id_shop === '0')) {
    const key = variantId(r.id_product, r.id_product_attribute);
    const before = state.seen[key];
    state.seen[key] = r.quantity;
    if (before === undefined || before === r.quantity) continue;
    if (r.id_product_attribute === 0 && hasCombinations.has(r.id_product)) continue;
    await ctx.emit({ kind: 'stock', externalId: key, productExternalId: String(r.id_product), observed: r.quantity }, { eventId: `stock:${key}:${r.quantity}:${toShopTime(ctx.now(), ctx.config.timezone)}` });
  }
  state.after = rows.length < size ? 0 : rows.at(-1)!.id;
  await ctx.checkpoints.set(STOCK_CHECKPOINT, state);
}

/** The extra poll (PrestaShop has no webhooks): product hints by date_upd, then one bounded stock sweep step. */
export async function poll(ctx: Ctx): Promise<void> {
  await pollProducts(ctx);
  await sweepStock(ctx);
}
