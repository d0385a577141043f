import { defineConnector } from '../../core/sdk/index.ts';
import { gql } from './client.ts';
import { originOf, shopifyConfig } from './config.ts';
import { SHOP } from './documents.ts';
import { classifyShopifyError } from './errors.ts';
import { getProduct, listProducts } from './read-catalog.ts';
import { getOrder, orderChanges } from './read-orders.ts';
import { readStock, resolveInventoryItems } from './read-stock.ts';
import { shopData } from './schemas.ts';
import { shopifyWebhooks } from './webhooks.ts';
import { upsertProducts } from './write-catalog.ts';
import { applyPromotions, setPrices } from './write-prices.ts';
import { setStock } from './write-stock.ts';

/**
 * Shopify (Admin GraphQL API, version 2026-04 by default).
 *
 * Config (`connections.<name>.config` in omnihub.yaml):
 * - `shop`: `demo` or `demo.myshopify.com`; `endpoint`: another origin (sandbox, proxy); `apiVersion`: `2026-04`.
 * - Auth, one of: `accessToken` (custom app `shpat_…`), or `clientId` + `clientSecret` (client credentials grant;
 *   24-hour tokens kept in the connection's vault and renewed 10 minutes before expiry).
 * - `webhookSecret`: the app's API secret key, for webhook HMACs (defaults to `clientSecret`).
 * - `locationId`: the location whose `available` stock the hub reads and sets (default: first active location).
 * - `pricesIncludeTax` (default true): send the hub's gross price, else its net price.
 * - `locale` (default `en`): which of the hub's texts go to Shopify's single-language title/description.
 * - `rateLimit: { restoreRate, bucketSize }`: the app's cost bucket (default 100 points/s, 1000 points).
 *
 * Capabilities:
 * - catalog.read: every product with all variants and their `available` at the managed location (cursor pages by
 *   id); get by GID.
 * - catalog.write: `productSet` keyed by id (linked) or a stable `omnihub-…` handle; reads the product first and
 *   sends back every variant the hub does not own, because productSet deletes variants missing from its list.
 *   Media is not written.
 * - prices.write: price + compare-at per variant via `productVariantsBulkUpdate`, grouped per product.
 * - promotions.write: price + compare-at, switched by the hub at start and end (Shopify has no scheduled sale price).
 * - stock.read / stock.write: `available` at the managed location via `inventorySetQuantities`, with
 *   compare-and-set (`changeFromQuantity`) and a content-derived `@idempotent` key.
 * - orders.read: orders changed since a watermark (with overlap); one order by GID.
 * - webhooks: products/*, inventory_levels/update, orders/create|updated|cancelled, verified by HMAC.
 */
export default defineConnector({
  name: 'shopify',
  version: '1.0.0',
  config: shopifyConfig,
  http: (config) => ({
    prefixUrl: originOf(config),
    // One unit per request is taken by the client; GraphQL cost points are taken by client.ts on top.
    rateLimit: { perSecond: config.rateLimit.restoreRate, burst: config.rateLimit.bucketSize },
  }),
  capabilities: {
    catalog: {
      read: { list: listProducts, get: getProduct },
      write: { maxBatch: 10, upsert: upsertProducts },
    },
    prices: { write: { maxBatch: 100, set: setPrices } },
    promotions: {
      write: {
        maxBatch: 100,
        describe: () => ({
          native: 'price + compare-at, switched by the hub at start and end',
          scheduledByChannel: false,
          limitations: 'Shopify has no scheduled sale price: the hub must run at the start and end of the window',
        }),
        apply: applyPromotions,
      },
    },
    stock: {
      read: { get: readStock, resolve: resolveInventoryItems },
      write: { maxBatch: 100, set: setStock },
    },
    orders: { read: { changes: orderChanges, get: getOrder } },
  },
  webhooks: shopifyWebhooks,
  check: async (ctx) => {
    await gql(ctx, SHOP, {}, shopData);
  },
  classifyError: classifyShopifyError,
});
