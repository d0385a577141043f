import { defineConnector } from '../../core/sdk/index.ts';
import { catalogRead } from './catalog-read.ts';
import { odoo } from './client.ts';
import { odooConfig } from './config.ts';
import { classifyOdooError } from './errors.ts';
import { uidOf } from './jsonrpc-client.ts';
import { poll } from './poll.ts';
import { recordOrder } from './record-order.ts';
import { stockRead } from './stock-read.ts';

export const VERSION = '1.0.0';

/**
 * Odoo (ERP): the usual owner of stock and prices, and where orders from every other channel are recorded.
 *
 * Config (`connections.<name>.config`):
 * - `url`, `database`, `apiKey` (an API key of a dedicated integration user), `login` (that user's login; JSON-RPC only);
 * - `protocol`: `auto` (default: `/web/version` decides — JSON-2 on 19.0+, JSON-RPC before), `jsonrpc` or `json2`;
 * - `warehouseId` / `locationId`: whose stock counts (default all warehouses); stock is Odoo's free quantity
 *   (on hand − reserved);
 * - `pricelistId` (prices from that pricelist) or `currency` (of the sales price); `pricesIncludeTax` (default
 *   false, as Odoo) and `taxRate` ("0.23") to report both gross and net;
 * - `confirmOrders` (default true), `orderPartnerId` (customer for recorded orders), `language`,
 *   `pollOverlapSeconds`, `pageSize`, `requestsPerSecond`.
 *
 * Capabilities:
 * - catalog.read: products (`product.template` id) with their variants (`product.product` id, SKU =
 *   `default_code`, EAN = `barcode`), price and free stock; `getMany` reads up to 50 hinted products in the three
 *   calls one costs;
 * - stock.read: free quantity per variant;
 * - orders.write.record: a `sale.order` per hub order, idempotent on `client_order_ref`, confirmed so Odoo reserves;
 * - poll: `write_date` watermarks on products, variants, stock quants and pricelist rules → hints.
 * Not offered: catalog/price/stock writes (Odoo owns them: a hub-driven inventory adjustment or list price change
 * would overwrite the ERP's own figures — see README.md), orders.read (Odoo is not a sales channel here).
 */
export default defineConnector({
  name: 'odoo',
  version: VERSION,
  config: odooConfig,
  http: (config) => ({
    prefixUrl: config.url,
    headers: { 'User-Agent': `omnihub-odoo/${VERSION}` },
    rateLimit: { perSecond: config.requestsPerSecond },
    authorize: (request) => {
      // Only JSON-2 takes the key as a header; JSON-RPC carries it in the body, /web/version needs none.
      if (!new URL(request.url).pathname.includes('/json/2/')) return;
      request.headers.set('Authorization', `bearer ${config.apiKey.reveal()}`);
      request.headers.set('X-Odoo-Database', config.database);
    },
  }),
  capabilities: {
    catalog: { read: catalogRead },
    stock: { read: stockRead },
    orders: { write: recordOrder },
  },
  poll,
  async check(ctx) {
    const client = await odoo(ctx);
    if (client.protocol === 'json2') await client.callKw('res.users', 'context_get');
    else await uidOf(ctx);
  },
  classifyError: classifyOdooError,
});
