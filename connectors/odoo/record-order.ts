import { z } from 'zod';
import { BusinessError, type ConnectorContext, type OrderSnapshot, type OrdersWrite } from '../../core/sdk/index.ts';
import { odoo, type OdooClient } from './client.ts';
import type { OdooConfig } from './config.ts';
import { removeTax } from './money.ts';
import { createdId, optText, parseRows } from './odoo-values.ts';

/**
 * orders.write.record: an order from another channel becomes an Odoo `sale.order` whose `client_order_ref` is the
 * hub's order reference. Idempotent: the order is looked up by that reference first and created only when absent,
 * so a worker dying between Odoo's create and our return (or between create and confirm) leaves nothing doubled;
 * a found quotation is confirmed. Lines are matched by SKU (`default_code`); an unknown or ambiguous SKU refuses
 * the whole order (BusinessError naming it) so stock is never reserved for half an order.
 * - `pending` → a quotation (no reservation); `open`/`paid`/`fulfilled` → confirmed when `confirmOrders`
 *   (`action_confirm`: Odoo reserves the stock); `cancelled`/`refunded` → an existing order is cancelled.
 * - Customer: the one partner whose e-mail matches the buyer's, else `orderPartnerId`.
 * - Unit price: the channel's (tax-inclusive) price, converted to net when Odoo prices exclude tax and `taxRate`
 *   is known; otherwise Odoo prices the line from the order's pricelist.
 * Two workers recording the same order at the same instant could both create it (Odoo has no unique constraint on
 * `client_order_ref`); the hub runs one job per order at a time.
 */
type RecordedOrder = OrderSnapshot & { reference: string; channel: string };

const orderRow = z.object({ id: z.number().int(), state: z.string(), name: z.string() });

async function findOrder(client: OdooClient, reference: string): Promise<z.infer<typeof orderRow> | undefined> {
  const rows = parseRows(
    orderRow,
    await client.callKw('sale.order', 'search_read', [], {
      domain: [['client_order_ref', '=', reference]],
      fields: ['state', 'name'],
      order: 'id asc',
      limit: 1,
    }),
    'sale.order',
  );
  return rows[0];
}

async function variantsBySku(client: OdooClient, skus: string[]): Promise<Map<string, number>> {
  const rows = parseRows(
    z.object({ id: z.number().int(), default_code: optText }),
    await client.callKw('product.product', 'search_read', [], { domain: [['default_code', 'in', skus]], fields: ['default_code'] }),
    'product.product',
  );
  const found = new Map<string, number>();
  const ambiguous = new Set<string>();
  for (const r of rows) {
    if (!r.default_code) continue;
    if (found.has(r.default_code)) ambiguous.add(r.default_code);
    found.set(r.default_code, r.id);
  }
  const missing = skus.filter((s) => !found.has(s));
  if (missing.length) throw new BusinessError(`SKU ${missing.join(', ')} not found in Odoo (no active product.product with that Internal Reference)`);
  if (ambiguous.size) throw new BusinessError(`SKU ${[...ambiguous].join(', ')} is used by several Odoo products; make the Internal Reference unique`);
  return found;
}

async function partnerFor(ctx: ConnectorContext<OdooConfig>, client: OdooClient, order: RecordedOrder): Promise<number> {
  const email = order.customer?.email?.trim();
  if (email) {
    const rows = parseRows(
      z.object({ id: z.number().int() }),
      await client.callKw('res.partner', 'search_read', [], { domain: [['email', '=ilike', email]], fields: ['id'], limit: 2 }),
      'res.partner',
    );
    if (rows.length === 1) return rows[0]!.id;
  }
  if (ctx.config.orderPartnerId !== undefined) return ctx.config.orderPartnerId;
  throw new BusinessError(`no Odoo customer for order ${order.reference}: set orderPartnerId in the connection config`);
}

function unitPrice(config: OdooConfig, price: string | undefined): { price_unit?: number } {
  if (price === undefined) return {};
  if (config.pricesIncludeTax) return { price_unit: Number(price) };
  if (config.taxRate !== undefined) return { price_unit: Number(removeTax(price, config.taxRate)) };
  return {};
}

export const recordOrder: OrdersWrite<OdooConfig> = {
  async record(ctx, order) {
    const client = await odoo(ctx);
    const final = order.status === 'open' || order.status === 'paid' || order.status === 'fulfilled';
    const cancelled = order.status === 'cancelled' || order.status === 'refunded';
    const existing = await findOrder(client, order.reference);

    if (existing) {
      if (cancelled && existing.state !== 'cancel') {
        await client.callKw('sale.order', 'action_cancel', [[existing.id]]);
      } else if (final && ctx.config.confirmOrders && (existing.state === 'draft' || existing.state === 'sent')) {
        // Created by an earlier attempt that died before confirming.
        await client.callKw('sale.order', 'action_confirm', [[existing.id]]);
      }
      return { externalId: String(existing.id) };
    }
    if (cancelled) throw new BusinessError(`order ${order.reference} is ${order.status} and was never recorded in Odoo; nothing to cancel`);

    const lines = order.lines.filter((l) => l.quantity - (l.refundedQuantity ?? 0) > 0);
    const noSku = lines.find((l) => !l.sku);
    if (noSku) throw new BusinessError(`order ${order.reference}: line ${noSku.externalId} has no SKU`);
    if (lines.length === 0) throw new BusinessError(`order ${order.reference} has no line to record`);
    const products = await variantsBySku(client, [...new Set(lines.map((l) => l.sku!))]);
    const partner = await partnerFor(ctx, client, order);

    const vals = {
      partner_id: partner,
      client_order_ref: order.reference,
      origin: `${order.channel} ${order.number ?? order.externalId}`,
      ...(ctx.config.pricelistId !== undefined ? { pricelist_id: ctx.config.pricelistId } : {}),
      ...(ctx.config.warehouseId !== undefined ? { warehouse_id: ctx.config.warehouseId } : {}),
      order_line: lines.map((l) => [
        0,
        0,
        { product_id: products.get(l.sku!)!, product_uom_qty: l.quantity - (l.refundedQuantity ?? 0), ...unitPrice(ctx.config, l.unitPrice) },
      ]),
    };
    // A list, so both protocols answer a list of ids (JSON-RPC answers a bare id for a single dict).
    const id = createdId(await client.callKw('sale.order', 'create', [[vals]]), 'sale.order');
    if (final && ctx.config.confirmOrders) await client.callKw('sale.order', 'action_confirm', [[id]]);
    return { externalId: String(id) };
  },
};
