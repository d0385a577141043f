import { z } from 'zod';
import type { ConnectorContext } from '../../core/sdk/index.ts';
import { odoo, type OdooClient } from './client.ts';
import type { OdooConfig } from './config.ts';
import { datetime, fromOdooDatetime, m2oId, many2one, parseRows, readContext, toOdooDatetime } from './odoo-values.ts';

/**
 * Change detection by `write_date` (Odoo has no outbound webhooks in its external API):
 * - `product.template` → `product` hints; `product.product` → `variant` hints;
 * - `stock.quant` → `stock` hints for its variant: stock changes never touch the product's `write_date` (quantities
 *   are computed), but reservations, deliveries and counts all write the quant;
 * - the configured pricelist's rules → `product`/`variant` hints for the products they target.
 * The watermark is the hub's time taken BEFORE the reads; the next poll looks back `pollOverlapSeconds` further,
 * which absorbs clock skew and transactions that commit after their `write_date`. Duplicates are harmless (the
 * event id is the record and its write_date, so the hub drops repeats). The first run only records the
 * watermark: the initial sweep has read everything already.
 */
export const CHECKPOINT = 'odoo.changes';
const checkpoint = z.object({ watermark: datetime });

/** Rows of `model` written at or after `since`, in keyset pages (`write_date, id`) so concurrent writes cannot shift a page. */
async function* changedSince<S extends z.ZodObject>(
  client: OdooClient,
  model: string,
  schema: S,
  domain: unknown[],
  since: string,
  pageSize: number,
  context: Record<string, unknown>,
): AsyncGenerator<z.output<S> & { id: number; write_date: string }> {
  const full = schema.extend({ id: z.number().int(), write_date: datetime });
  let after: { wd: string; id: number } | undefined;
  for (;;) {
    const keyset = after
      ? ['|', ['write_date', '>', after.wd], '&', ['write_date', '=', after.wd], ['id', '>', after.id]]
      : [['write_date', '>=', since]];
    const rows = parseRows(
      full,
      await client.callKw(model, 'search_read', [], {
        domain: [...keyset, ...domain],
        fields: [...Object.keys(schema.shape), 'write_date'],
        order: 'write_date asc, id asc',
        limit: pageSize,
        context,
      }),
      model,
    ) as Array<z.output<S> & { id: number; write_date: string }>;
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    after = { wd: last.write_date, id: last.id };
  }
}

export async function poll(ctx: ConnectorContext<OdooConfig>): Promise<void> {
  const watermark = toOdooDatetime(ctx.now()); // before any read
  const saved = checkpoint.safeParse(await ctx.checkpoints.get(CHECKPOINT));
  if (!saved.success) {
    await ctx.checkpoints.set(CHECKPOINT, { watermark });
    ctx.log.info({ watermark }, 'odoo poll: first run, watermark recorded');
    return;
  }
  const client = await odoo(ctx);
  const since = toOdooDatetime(new Date(fromOdooDatetime(saved.data.watermark).getTime() - ctx.config.pollOverlapSeconds * 1000));
  const context = { lang: ctx.config.language, active_test: false };
  const size = ctx.config.pageSize;

  for await (const t of changedSince(client, 'product.template', z.object({}), [], since, size, context)) {
    await ctx.emit({ kind: 'product', externalId: String(t.id) }, { eventId: `product.template:${t.id}:${t.write_date}` });
  }
  for await (const v of changedSince(client, 'product.product', z.object({ product_tmpl_id: many2one }), [], since, size, context)) {
    const tmpl = m2oId(v.product_tmpl_id);
    await ctx.emit(
      { kind: 'variant', externalId: String(v.id), ...(tmpl !== undefined ? { productExternalId: String(tmpl) } : {}) },
      { eventId: `product.product:${v.id}:${v.write_date}` },
    );
  }

  // One stock hint per variant, whatever the number of its quants that changed.
  const scope = ctx.config.locationId !== undefined
    ? [['location_id', 'child_of', ctx.config.locationId]]
    : ctx.config.warehouseId !== undefined
      ? [['warehouse_id', '=', ctx.config.warehouseId]]
      : [];
  const stock = new Map<number, { tmpl: number | undefined; wd: string }>();
  const quantFields = z.object({ product_id: many2one, product_tmpl_id: many2one });
  for await (const q of changedSince(client, 'stock.quant', quantFields, [['location_id.usage', '=', 'internal'], ...scope], since, size, readContext(ctx.config))) {
    const product = m2oId(q.product_id);
    if (product === undefined) continue;
    const seen = stock.get(product);
    if (!seen || seen.wd < q.write_date) stock.set(product, { tmpl: m2oId(q.product_tmpl_id), wd: q.write_date });
  }
  for (const [product, { tmpl, wd }] of stock) {
    await ctx.emit(
      { kind: 'stock', externalId: String(product), ...(tmpl !== undefined ? { productExternalId: String(tmpl) } : {}) },
      { eventId: `stock:${product}:${wd}` },
    );
  }

  if (ctx.config.pricelistId !== undefined) {
    const itemFields = z.object({ applied_on: z.string(), product_tmpl_id: many2one, product_id: many2one });
    for await (const it of changedSince(client, 'product.pricelist.item', itemFields, [['pricelist_id', '=', ctx.config.pricelistId]], since, size, context)) {
      const eventId = `product.pricelist.item:${it.id}:${it.write_date}`;
      const variant = m2oId(it.product_id);
      const tmpl = m2oId(it.product_tmpl_id);
      if (variant !== undefined) await ctx.emit({ kind: 'variant', externalId: String(variant) }, { eventId });
      else if (tmpl !== undefined) await ctx.emit({ kind: 'product', externalId: String(tmpl) }, { eventId });
      // A category or global rule changes many prices at once: that is a sweep's job, not one hint per product.
      else ctx.log.warn({ item: it.id, appliedOn: it.applied_on }, 'odoo pricelist rule for a category or all products changed; the next sweep re-reads prices');
    }
  }

  await ctx.checkpoints.set(CHECKPOINT, { watermark });
}
