import { allegroSeed, demoCatalogue, odooSeed, prestashopSeed, shopifySeed } from '../../sandbox/demo/seed.ts';
import { type Sandbox, startSandbox } from '../../sandbox/registry.ts';
import { simPost } from './shop-traffic.ts';

/**
 * The demo shop cut to its first `products` products, on every simulator the chaos suites use (Odoo, Shopify,
 * PrestaShop, Allegro): the same data and quirks as the demo, but an initial sync that fits a CI budget.
 */
export async function smallDemoSandbox(products: number, webhooks: { shopify?: string }): Promise<Sandbox> {
  const sandbox = await startSandbox({ seed: 'none', ports: 'free', webhooks });
  try {
    const catalogue = demoCatalogue().slice(0, products);
    const e = sandbox.endpoints;
    const seeds: Array<[string, unknown, boolean]> = [
      [e.odoo.url, odooSeed(catalogue), false],
      [e.shopify.url, shopifySeed(catalogue), true],
      [e.prestashop.url, prestashopSeed(), true],
      [e.allegro.url, allegroSeed(catalogue), false],
    ];
    for (const [url, doc, reset] of seeds) {
      if (reset) await simPost(url, '/reset', {});
      const r = await simPost(url, '/seed', doc);
      if (!r.ok) throw new Error(`seeding ${url} failed: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
    }
    return sandbox;
  } catch (err) {
    await sandbox.close();
    throw err;
  }
}
