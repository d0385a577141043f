import type { CatalogRead, ConnectorContext, Page, ProductSnapshot } from '../../core/sdk/index.ts';
import { attributeValuesById } from './attributes.ts';
import { list } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { parseProductId } from './ids.ts';
import { mapProduct } from './map-product.ts';
import { combinationSchema, productSchema, stockSchema, type PsProduct } from './schemas.ts';

type Ctx = ConnectorContext<PrestashopConfig>;

/** Products with their combinations, stock rows and attribute names, in three batched reads. */
async function hydrate(ctx: Ctx, products: PsProduct[]): Promise<ProductSnapshot[]> {
  if (!products.length) return [];
  const ids = `[${products.map((p) => p.id).join('|')}]`;
  const [combinations, stock] = await Promise.all([
    list(ctx, 'combinations', combinationSchema, { display: 'full', 'filter[id_product]': ids, sort: '[id_ASC]' }),
    list(ctx, 'stock_availables', stockSchema, { display: '[id,id_product,id_product_attribute,id_shop,quantity]', 'filter[id_product]': ids }),
  ]);
  const attributes = await attributeValuesById(
    ctx,
    combinations.flatMap((c) => (c.associations.product_option_values ?? []).map((v) => Number(v.id))),
  );
  return products.map((p) => mapProduct(ctx.config, p, combinations.filter((c) => c.id_product === p.id), stock, attributes));
}

/**
 * Reads the catalogue. `list` walks products by id (`display=full`, `sort=[id_ASC]`, `filter[id]=>[last id]`,
 * `limit=0,<pageSize>`): keyset paging, so a product deleted meanwhile cannot shift the walk and skip another, as
 * a growing `limit=<offset>,<count>` would. The cursor is the last product id read.
 */
export const readCatalog: CatalogRead<PrestashopConfig> = {
  async list(ctx, cursor): Promise<Page<ProductSnapshot>> {
    const after = cursor && /^\d+$/.test(cursor) ? cursor : '0';
    const size = ctx.config.pageSize;
    const products = await list(ctx, 'products', productSchema, {
      display: 'full',
      'filter[id]': `>[${after}]`,
      sort: '[id_ASC]',
      limit: `0,${size}`,
    });
    const items = await hydrate(ctx, products);
    const last = products.at(-1);
    return { items, ...(products.length === size && last ? { next: String(last.id) } : {}) };
  },

  async get(ctx, externalId) {
    const id = parseProductId(externalId);
    // Not a PrestaShop product id at all: nothing can exist under it.
    if (id === undefined) return null;
    // A filtered list keeps fields the single-object JSON drops; an empty answer confirms the id does not exist.
    const products = await list(ctx, 'products', productSchema, { display: 'full', 'filter[id]': `[${id}]` });
    if (!products.length) return null;
    return (await hydrate(ctx, products))[0]!;
  },

  async getMany(ctx, externalIds) {
    const ids = externalIds.map(parseProductId);
    const wanted = [...new Set(ids.filter((id): id is number => id !== undefined))];
    if (!wanted.length) return ids.map(() => null);
    const products = await list(ctx, 'products', productSchema, { display: 'full', 'filter[id]': `[${wanted.join('|')}]` });
    const snapshots = await hydrate(ctx, products);
    // The filtered list answered: an id it does not hold does not exist.
    const byId = new Map(products.map((p, i) => [p.id, snapshots[i]!]));
    return ids.map((id) => (id === undefined ? null : (byId.get(id) ?? null)));
  },
};
