import { defineConnector } from '../../core/sdk/index.ts';
import { list } from './client.ts';
import { configSchema } from './config.ts';
import { classifyPrestashop, parseErrorBody } from './errors.ts';
import { inquiriesRead, inquiriesSend } from './inquiries.ts';
import { ordersRead } from './orders.ts';
import { poll } from './poll.ts';
import { pricesWrite } from './prices.ts';
import { promotionsWrite } from './promotions.ts';
import { readCatalog } from './read-catalog.ts';
import { dateRowSchema } from './schemas.ts';
import { stockRead, stockWrite } from './stock.ts';
import { writeCatalog } from './write-catalog.ts';

/**
 * PrestaShop 1.7.x / 8.x through the legacy webservice (`/api/`).
 *
 * **Config** (`connections.<name>.config`):
 * - `url` (shop base URL; `api/` is appended), `key` (webservice key, secret; sent as the Basic-auth user),
 *   `version` `'8'` (PATCH) or `'1.7'` (read the whole resource in XML, modify, PUT it back);
 * - `languages` locale → language id, first = default, e.g. `{ pl: 1, en: 2 }`; `shopId` (multistore, default 1);
 * - `currency` (default PLN), `currencies` (id → ISO, for orders), `timezone` (the shop's; dates are naive local times);
 * - `taxRuleGroups` tax rate → `id_tax_rules_group` (e.g. `{ "0.23": 1 }`), `categories` name → id,
 *   `defaultCategoryId`; `orderStates` state ids per hub status (PrestaShop defaults built in);
 * - `employeeId` (author of inbox replies); paging and poll bounds: `pageSize`, `overlapSeconds`,
 *   `maxPagesPerPoll`, `stockSweepRows`; `timeoutMs`.
 *
 * **Capabilities**: catalog read (products + combinations as variants `<product>-<combination>`, a product
 * without combinations is `<product>-0`) and write (create/update, idempotent on reference/SKU; images uploaded once per content hash, see images.ts);
 * prices (tax-excluded `price`, combination price impacts); stock read/write on `stock_availables` per
 * combination (never the derived `id_product_attribute=0` sum row); promotions as `specific_prices` with
 * from/to; orders by `date_upd`; customer service threads and employee replies. PrestaShop has no webhooks:
 * `poll` emits product hints by `date_upd` and stock hints from a bounded sweep comparing quantities.
 * Reads use JSON (`output_format=JSON`), writes XML (the webservice reads no JSON).
 */
export default defineConnector({
  name: 'prestashop',
  version: '1.0.0',
  config: configSchema,
  http: (config) => ({
    prefixUrl: new URL('api/', config.url.endsWith('/') ? config.url : `${config.url}/`).toString(),
    timeoutMs: config.timeoutMs,
    // Core has no rate limit; this spares the merchant's PHP host.
    rateLimit: { perSecond: config.requestsPerSecond },
    authorize: (request) => {
      request.headers.set('Authorization', `Basic ${Buffer.from(`${config.key.reveal()}:`).toString('base64')}`);
    },
  }),
  capabilities: {
    catalog: { read: readCatalog, write: writeCatalog },
    prices: { write: pricesWrite },
    promotions: { write: promotionsWrite },
    stock: { read: stockRead, write: stockWrite },
    orders: { read: ordersRead },
    inquiries: { read: inquiriesRead, send: inquiriesSend },
  },
  poll,
  async check(ctx) {
    // The root resource list cannot be read as JSON (a core bug answers 500, recorded 002): read one product id.
    await list(ctx, 'products', dateRowSchema.pick({ id: true }), { display: '[id]', limit: '0,1' });
  },
  classifyError(err) {
    // Errors our client has not already sorted: an HTTP error whose body text was attached by someone else.
    const e = err as { response?: { status?: number; headers?: Headers }; body?: unknown };
    if (typeof e?.response?.status === 'number' && typeof e.body === 'string') {
      return classifyPrestashop(e.response.status, parseErrorBody(e.body), e.response.headers?.get('retry-after') ?? null, 'the request');
    }
    return undefined;
  },
});
