import { z } from 'zod';
import type { StockRead } from '../../core/sdk/index.ts';
import { odoo } from './client.ts';
import type { OdooConfig } from './config.ts';
import { availableOf } from './map-product.ts';
import { parseRows, readContext } from './odoo-values.ts';

const row = z.object({ id: z.number().int(), free_qty: z.number(), type: z.string(), is_storable: z.boolean().optional() });

/**
 * stock.read: `free_qty` (on hand − reserved) of the variants (`product.product` ids) in the configured
 * warehouse/location, rounded down and never below 0. Null for a variant Odoo does not have or does not track
 * (service, consumable), since Odoo has no quantity to report for it.
 */
export const stockRead: StockRead<OdooConfig> = {
  async get(ctx, items) {
    const client = await odoo(ctx);
    const wanted = items.map((i) => Number(i.externalId)).filter((n) => Number.isSafeInteger(n) && n > 0);
    const rows = wanted.length
      ? parseRows(
          row,
          await client.callKw('product.product', 'search_read', [], {
            domain: [['id', 'in', wanted]],
            fields: ['free_qty', 'type', ...(client.major >= 18 ? ['is_storable'] : [])],
            context: readContext(ctx.config, { active_test: false }),
          }),
          'product.product',
        )
      : [];
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    return items.map((i) => {
      const r = byId.get(i.externalId);
      const storable = r && (client.major >= 18 ? r.is_storable === true : r.type === 'product');
      return { externalId: i.externalId, available: r && storable ? availableOf(r.free_qty) : null };
    });
  },
};
