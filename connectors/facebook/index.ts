import { z } from 'zod';
import { defineConnector } from '../../core/sdk/index.ts';
import { facebookConfig } from './config.ts';
import { graph } from './graph.ts';
import { runItemsBatch } from './items-batch.ts';
import { priceRequest, productExternalId, productRequests, promotionRequest, retailerIdOf, stockRequest } from './map-item.ts';
import { getProduct, listProducts } from './read-catalog.ts';

/**
 * **Facebook / Instagram catalogue** (Meta Commerce Manager), through the Graph API Catalog Batch endpoint.
 *
 * The WhatsApp Business catalogue *is* a Meta catalogue: connect the same catalogue to the WhatsApp Business
 * Account and this connection keeps it in sync too (WhatsApp `order` and product-inquiry messages name items by
 * the same retailer id).
 *
 * Config:
 * - `catalogId`: the catalogue id; `accessToken`: a Business system-user token with `catalog_management`.
 * - `productUrlTemplate`: the shop page of an item, e.g. `https://shop.example.com/p/{sku}` (Meta requires a link).
 * - `graphVersion` (default `v26.0`), `graphUrl` (default `https://graph.facebook.com`; the sandbox for demos),
 *   `locale` (`pl`), `condition` (`new`), `requestsPerCall` (2500, Meta's limit is 5000), `batchPollIntervalMs`
 *   (2 s) × `batchPollAttempts` (30), `pageSize` (100).
 *
 * Capabilities:
 * - catalog, prices, stock, promotions writes: every item is an `UPDATE` (upsert) request in
 *   `POST /{catalog_id}/items_batch` with the SKU as retailer id (`data.id`), prices as "12.99 PLN",
 *   `quantity_to_sell_on_facebook` + `availability` for stock. The connector waits for the asynchronous batch
 *   (bounded polling of `check_batch_request_status`) and reports Meta's per-item errors on the right item.
 * - promotions: `sale_price` + `sale_price_effective_date`, pushed ahead of time; Meta switches the price itself.
 * - catalog read: `GET /{catalog_id}/products`, one snapshot per item keyed by retailer id.
 * Not offered: orders (Meta deprecated the Commerce Order Management API in v26 with no replacement), stock read
 * beyond the catalogue listing.
 */
/**
 * One price, stock or promotion update is one items_batch request, and a call carries up to 5,000 (Meta recommends
 * under 3,000; `requestsPerCall` splits larger batches). The budget is in calls (200 an hour per catalogue), so the
 * engine is offered the largest batch one call takes by default.
 */
const ITEMS_PER_CALL = 2_500;

export default defineConnector({
  name: 'facebook',
  version: '1.0.0',
  config: facebookConfig,
  http: (config) => ({
    prefixUrl: `${config.graphUrl.replace(/\/+$/, '')}/${config.graphVersion}/`,
    // Graph's app-level budget is hourly (BUC headers tell the rest); a few calls a second stays well inside it.
    rateLimit: { perSecond: 5, burst: 10 },
    authorize: (request) => request.headers.set('Authorization', `Bearer ${config.accessToken.reveal()}`),
  }),
  capabilities: {
    catalog: {
      read: { list: listProducts, get: getProduct },
      write: {
        maxBatch: 500,
        upsert: (ctx, items) =>
          runItemsBatch(
            ctx,
            items.map((p) => productRequests(ctx.config, p)),
            (i) => ({
              ok: true,
              externalId: productExternalId(items[i]!),
              variantIds: Object.fromEntries(items[i]!.variants.map((v) => [v.sku, retailerIdOf(v)])),
            }),
          ),
      },
    },
    prices: {
      write: {
        maxBatch: ITEMS_PER_CALL,
        set: (ctx, items) => runItemsBatch(ctx, items.map(priceRequest), (i) => ({ ok: true, externalId: items[i]!.externalId })),
      },
    },
    stock: {
      write: {
        maxBatch: ITEMS_PER_CALL,
        set: (ctx, items) => runItemsBatch(ctx, items.map(stockRequest), (i) => ({ ok: true, externalId: items[i]!.externalId })),
      },
    },
    promotions: {
      write: {
        maxBatch: ITEMS_PER_CALL,
        describe: () => ({
          native: 'sale_price with sale_price_effective_date on each catalogue item',
          scheduledByChannel: true,
          limitations: 'one sale price per item at a time; percentage and category rules arrive already computed per SKU',
        }),
        apply: (ctx, items) => runItemsBatch(ctx, items.map(promotionRequest), (i) => ({ ok: true, externalId: items[i]!.externalId })),
      },
    },
  },
  check: async (ctx) => {
    await graph(ctx, ctx.config.catalogId, z.object({ id: z.string() }), 'catalogue', { searchParams: { fields: 'id,name' } });
  },
});
