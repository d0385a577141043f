import { afterAll, inject } from 'vitest';
import { runConformance } from '../../core/conformance/vitest.ts';
import type { ConformanceHarness } from '../../core/conformance/kit.ts';
import { createDatabase } from '../../core/store/database.ts';
import { migrate } from '../../core/store/migrate.ts';
import { databaseVault } from '../../core/sync/vault.ts';
import { freshDatabase } from '../../tests/support/db.ts';
import { type AllegroSimulator, createAllegroSimulator } from '../../sandbox/allegro/index.ts';
import { ALL_USER_SCOPES } from '../../sandbox/allegro/options.ts';
import { listen } from '../../sandbox/common/simulator.ts';
import allegro from './index.ts';
import { VAULT_KEYS } from './tokens.ts';

/**
 * The conformance kit against the Allegro simulator. Allegro has no webhooks for sellers, so that check skips;
 * everything else runs.
 *
 * - Linking the seller: the connector refreshes access tokens from the refresh token the device flow left in the
 *   connection's vault. The kit has no hook to link an account before its engine starts, so the database factory
 *   below migrates the fresh database and stores the seller's refresh token in the `subject` connection's vault,
 *   sealed with the kit engine's vault key (core/conformance/engine.ts: `Buffer.alloc(32, 7)`).
 * - Stock 0 ends an Allegro offer (a live offer never shows 0), so a product asked for with stock 0 is put on
 *   Allegro as a live offer with stock 1.
 * - Deleting: Allegro deletes only drafts (`DELETE /sale/offers/{id}`, not simulated); the harness removes the offer
 *   from the simulator's store, which is what the API then shows (404 on the offer, absent from the listing).
 * - Writes: every non-GET API request except the OAuth token endpoint (refreshing a token changes no offer).
 */

const CLIENT_ID = 'omnihub-conformance-client';
const CLIENT_SECRET = 'omnihub-conformance-secret';
/** The vault key of the kit's engine (core/conformance/engine.ts). */
const KIT_VAULT_KEY = Buffer.alloc(32, 7);
/**
 * How the connector writes stock and prices: `PUT` of a quantity or price batch command (a `GET` of the same path
 * reads the command's state, so the rule matches the method too). Stock 0 is a `PATCH` of the offer, which the
 * kit's retry check never asks for.
 */
const WRITE_PATHS = '^/sale/offer-(quantity|price)-change-commands/[^/]+$';

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function allegroHarness(): Promise<{ harness: ConformanceHarness; sim: AllegroSimulator }> {
  const sim = createAllegroSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, commandDelayMs: 0, validateResponses: true });
  const running = await listen(sim);
  closers.push(() => running.close());
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${running.url}/__sandbox${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`allegro simulator ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const offerBySku = new Map<string, string>();
  const config = { environment: 'sandbox', apiUrl: running.url, authUrl: running.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, commandPollIntervalMs: 20, commandPollAttempts: 10 };

  const harness: ConformanceHarness = {
    connector: allegro,
    config,
    invalidConfigs: [
      { config: { ...config, apiUrl: 'not a url' }, path: 'apiUrl' },
      { config: { ...config, clientSecret: undefined }, path: 'clientSecret' },
      { config: { ...config, environment: 'staging' }, path: 'environment' },
      { config: { ...config, pageSize: 5000 }, path: 'pageSize' },
      { config: { ...config, token: 'abc' }, path: 'token' },
    ],
    async seedProduct(p) {
      const offer = (await admin('/offers', {
        name: p.title,
        externalId: p.sku,
        price: { amount: Number(p.price).toFixed(2), currency: 'PLN' },
        stock: Math.max(1, p.stock),
      })) as { id: string };
      offerBySku.set(p.sku, offer.id);
      return { productExternalId: offer.id };
    },
    async deleteProduct(productExternalId) {
      if (!sim.store.offers.delete(productExternalId)) throw new Error(`no offer ${productExternalId} to delete`);
    },
    async failWrites(status, times, retryAfterSeconds) {
      await admin('/faults', { kind: 'status', status, times, path: WRITE_PATHS, method: 'PUT', headers: { 'retry-after': String(retryAfterSeconds) } });
    },
    async writeCount() {
      const log = (await admin('/requests')) as Array<{ method: string; path: string }>;
      return log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && !r.path.startsWith('/auth/oauth/')).length;
    },
    async placeOrder(sku, quantity) {
      const offerId = offerBySku.get(sku);
      if (!offerId) throw new Error(`no offer seeded for SKU ${sku}`);
      const { checkoutFormId } = (await admin('/orders', { lines: [{ offerId, quantity }] })) as { checkoutFormId: string };
      return { orderExternalId: checkoutFormId };
    },
  };
  return { harness, sim };
}

/** The seller approving the hub's app: a refresh token from the running simulator's OAuth server. */
let linkSeller: (() => string) | undefined;

runConformance(
  async () => {
    const { harness, sim } = await allegroHarness();
    linkSeller = () => sim.oauth.issue('user', CLIENT_ID, ALL_USER_SCOPES).refresh_token as string;
    return harness;
  },
  {
    redisUrl: inject('redisUrl'),
    // A fresh database with the seller's Allegro account already linked to the `subject` connection.
    async database() {
      const fresh = await freshDatabase('allegro');
      const db = createDatabase(fresh.url);
      try {
        await migrate(db);
        await databaseVault(db, 'subject', KIT_VAULT_KEY, () => undefined).set(VAULT_KEYS.refreshToken, linkSeller!());
      } finally {
        await db.end();
      }
      return fresh;
    },
  },
);
