import { BusinessError, type CatalogRead } from '../../core/sdk/index.ts';
import { odoo } from './client.ts';
import type { OdooConfig } from './config.ts';
import { isMissing } from './errors.ts';
import { readProducts } from './read-products.ts';

/**
 * catalog.read: walks `product.template` by ascending id (a stable walk: the cursor is the last id seen), each
 * page with its variants. `get` reads one template including archived ones (status `archived`) and returns null
 * only when Odoo has no such record. `getMany` reads several templates in the same three calls `get` costs for one
 * (templates, their variants, their attribute values): a stock re-sync hints at many products at once.
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
    const id = templateId(externalId);
    if (id === undefined) return null;
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

  async getMany(ctx, externalIds) {
    const wanted = externalIds.map(templateId).filter((id): id is number => id !== undefined);
    if (wanted.length === 0) return externalIds.map(() => null);
    const client = await odoo(ctx);
    const { products, templateIds } = await readProducts(ctx, client, [['id', 'in', [...new Set(wanted)]]], { archived: true });
    const byId = new Map(products.map((p) => [p.externalId, p]));
    // A template Odoo has but that has no variant is the answer `get` refuses with a BusinessError: say the same here
    // (the engine then reads the chunk one by one, and only that product fails).
    const empty = templateIds.find((id) => !byId.has(String(id)));
    if (empty !== undefined) throw new BusinessError(`Odoo product.template ${empty} has no variant`);
    return externalIds.map((id) => byId.get(String(templateId(id))) ?? null);
  },
};

/** An Odoo record id, or undefined for a string that cannot be one (such an id names no product). */
function templateId(externalId: string): number | undefined {
  const id = Number(externalId);
  return /^\d+$/.test(externalId) && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}
