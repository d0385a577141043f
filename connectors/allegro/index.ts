import { defineConnector } from '../../core/sdk/index.ts';
import { catalogRead } from './catalog.ts';
import { call, query } from './client.ts';
import { allegroConfig, hosts, PUBLIC_MEDIA } from './config.ts';
import { classifyAllegroError } from './errors.ts';
import { readInquiries, sendInquiries } from './messaging.ts';
import { readOrders } from './orders.ts';
import { offerList } from './schemas.ts';
import { accessToken } from './tokens.ts';
import { writePrices } from './write-prices.ts';
import { readStock, writeStock } from './write-stock.ts';

export { connectAllegro } from './device-flow.ts';

/**
 * **Allegro** (allegro.pl marketplace) connector.
 *
 * Config (`connections.<name>.config`):
 * - `clientId`, `clientSecret` (secret): the hub's Allegro app; `environment: production | sandbox`; `apiUrl` /
 *   `authUrl` override the hosts (the local simulator).
 * - `marketplaceId` (default `allegro-pl`): where prices are set. `reactivateWhenRestocked` (default true).
 * - `commandPollIntervalMs` / `commandPollAttempts`, `refreshBeforeExpirySeconds`, `pageSize`,
 *   `orderEventsPageSize`, `maxPagesPerPoll`.
 *
 * Linking a seller account: `connectAllegro(ctx, print)` (device flow) stores the refresh token in the connection's
 * vault; access tokens are refreshed before they expire (refresh tokens rotate); a refused refresh marks the
 * connection `needs_reauth`.
 *
 * Capabilities:
 * - `catalog.read`: each offer is a product with one variant; the variant's SKU is the offer's `external.id`
 *   ("sygnatura") and both external ids are the offer id.
 * - `prices.write`: buy-now price via batch price commands (compare-at prices are not shown on Allegro).
 * - `stock.read` / `stock.write`: quantity via batch quantity commands; stock 0 ends the offer, and an offer the hub
 *   ended is re-activated when stock returns (never one the seller ended).
 * - `orders.read`: the order event journal; only READY_FOR_PROCESSING orders are final (`paid`).
 * - `inquiries.read` / `inquiries.send`: Message Center threads; replies at most 1 per second.
 * Not supported: catalog writes (creating offers), promotions, webhooks (Allegro has none for sellers).
 *
 * Rate limit: 9,000 requests per minute per Client ID; a 429 blocks the connection for a minute.
 */
export default defineConnector({
  name: 'allegro',
  version: '1.0.0',
  config: allegroConfig,
  http: (config) => ({
    prefixUrl: `${hosts(config).api}/`,
    headers: { accept: PUBLIC_MEDIA, 'accept-language': 'en-US' },
    // Allegro: 9,000 requests per minute per Client ID (developer.allegro.pl FAQ).
    rateLimit: { perSecond: 150, burst: 150 },
    authorize: async (request, ctx) => {
      request.headers.set('authorization', `Bearer ${await accessToken(ctx)}`);
    },
  }),
  capabilities: {
    catalog: { read: catalogRead },
    prices: { write: writePrices },
    stock: { read: readStock, write: writeStock },
    orders: { read: readOrders },
    inquiries: { read: readInquiries, send: sendInquiries },
  },
  check: async (ctx) => {
    await call(ctx, 'GET', 'sale/offers', { searchParams: query({ limit: 1 }), schema: offerList });
  },
  classifyError: classifyAllegroError,
});
