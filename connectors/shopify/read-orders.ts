import { z } from 'zod';
import type { ConnectorContext, OrderSnapshot } from '../../core/sdk/index.ts';
import { gql } from './client.ts';
import type { ShopifyConfig } from './config.ts';
import { ORDERS_PAGE, ORDER_BY_ID, ORDER_LINES_PAGE } from './documents.ts';
import { mapOrder } from './map-order.ts';
import { orderByIdData, orderLinesPageData, ordersPageData, type LineNode, type OrderNode } from './schemas.ts';

type Ctx = ConnectorContext<ShopifyConfig>;

/**
 * The orders poll checkpoint. `since` is the watermark the current walk reads from; `until`/`after` are set while
 * a walk is cut into several calls (MAX_PAGES each): `until` is the watermark captured before the walk started,
 * `after` the cursor to continue from.
 */
const checkpointSchema = z.object({ since: z.string(), until: z.string().optional(), after: z.string().optional() });
export type OrdersCheckpoint = z.infer<typeof checkpointSchema>;

export const MAX_PAGES = 10;

/**
 * orders.read.changes: `orders(query: "updated_at:>='…'", sortKey: UPDATED_AT)`. The new watermark is captured
 * before the first read, and the query starts `ordersOverlapSeconds` before the previous one: duplicates are
 * harmless, gaps are not.
 */
export async function orderChanges(ctx: Ctx, raw: unknown): Promise<{ orders: OrderSnapshot[]; checkpoint: OrdersCheckpoint }> {
  const parsed = checkpointSchema.safeParse(raw);
  const now = ctx.now();
  const previous: OrdersCheckpoint = parsed.success
    ? parsed.data
    : { since: new Date(now.getTime() - ctx.config.ordersInitialLookbackHours * 3_600_000).toISOString() };
  const until = previous.until ?? now.toISOString();
  const from = new Date(Date.parse(previous.since) - ctx.config.ordersOverlapSeconds * 1000).toISOString();
  const query = `updated_at:>='${from}'`;

  const orders: OrderSnapshot[] = [];
  let after = previous.after;
  for (let page = 0; page < MAX_PAGES; page++) {
    const data = await gql(ctx, ORDERS_PAGE, { first: ctx.config.orderPageSize, after: after ?? null, query }, ordersPageData);
    for (const o of data.orders.nodes) orders.push(mapOrder(o, await allLines(ctx, o)));
    const { hasNextPage, endCursor } = data.orders.pageInfo;
    if (!hasNextPage || !endCursor) return { orders, checkpoint: { since: until } };
    after = endCursor;
  }
  // More to read: resume this same walk next time, keeping its watermark.
  return { orders, checkpoint: { since: previous.since, until, after: after! } };
}

/** orders.read.get: null only when Shopify answers `order: null`. */
export async function getOrder(ctx: Ctx, externalId: string): Promise<OrderSnapshot | null> {
  const data = await gql(ctx, ORDER_BY_ID, { id: externalId }, orderByIdData);
  return data.order ? mapOrder(data.order, await allLines(ctx, data.order)) : null;
}

async function allLines(ctx: Ctx, o: OrderNode): Promise<LineNode[]> {
  const lines = [...o.lineItems.nodes];
  let { hasNextPage, endCursor } = o.lineItems.pageInfo;
  while (hasNextPage && endCursor) {
    const data = await gql(ctx, ORDER_LINES_PAGE, { id: o.id, after: endCursor }, orderLinesPageData);
    if (!data.order) throw new Error(`order ${o.id} disappeared while its lines were being read`);
    lines.push(...data.order.lineItems.nodes);
    ({ hasNextPage, endCursor } = data.order.lineItems.pageInfo);
  }
  return lines;
}
