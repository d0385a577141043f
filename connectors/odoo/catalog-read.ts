import { BusinessError, type CatalogRead } from '../../core/sdk/index.ts';
import { odoo } from './client.ts';
import type { OdooConfig } from './config.ts';
import { isMissing } from './errors.ts';
import { readProducts } from './read-products.ts';

/**
 * catalog.read: walks `product.template` by ascending id (a stable walk: the cursor is the last id seen), each
 * page with its variants. `get` reads one template including archived ones (status `archived`) and returns null
 * only when Odoo has no such record.
 */
export const catalogRead: CatalogRead<OdooConfig> = {
  async list(ctx, cursor) {
    const client = await odoo(ctx);
    const after = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isInteger(after) || after < 0) throw new Error(`odoo catalog cursor "${cursor}" is not a product.template id`);
    const { products, templateIds } = await readProducts(ctx, client, [['id', '>', after]], { limit: ctx.config.pageSize });
    const last = templateIds.at(-1);
    return { items: products, ...(templateIds.length === ctx.config.pageSize && last !== undefined ? { next: String(last) } : {}) };
  },

  async get(ctx, externalId) {
    const id = Number(externalId);
    if (!/^\d+$/.test(externalId) || !Number.isSafeInteger(id)) return null;
    const client = await odoo(ctx);
    try {
      const { products, templateIds } = await readProducts(ctx, client, [['id', '=', id]], { archived: true });
      if (templateIds.length === 0) return null;
      if (!products[0]) throw new BusinessError(`Odoo product.template ${id} has no variant`);
      return products[0];
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  },
};
