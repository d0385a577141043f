import { createTestContext, type DesiredPrice, type DesiredProduct, type DesiredVariant } from '../../core/sdk/index.ts';
import { listen, type RunningSimulator } from '../../sandbox/common/simulator.ts';
import { createShopifySimulator, type ShopifySimulator, type ShopifySimulatorOptions } from '../../sandbox/shopify/index.ts';
import { SEED, SECRET, TOKEN } from '../../sandbox/shopify/test-support.ts';
import shopify from './index.ts';

/** A running simulator (seeded with the sandbox's test seed) and a connector context pointed at it. */
export async function startSim(options: ShopifySimulatorOptions = {}, config: Record<string, unknown> = {}) {
  const sim: ShopifySimulator = createShopifySimulator({ accessToken: TOKEN, appSecret: SECRET, seed: SEED, ...options });
  const running: RunningSimulator = await listen(sim);
  const t = createTestContext(shopify, { shop: 'omnihub-sandbox', accessToken: TOKEN, endpoint: running.url, webhookSecret: SECRET, ...config });
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${running.url}/__sandbox${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as any;
  };
  return { sim, running, t, admin, close: () => running.close() };
}

export const price = (gross: string, compareAt: string | null = null): DesiredPrice => ({ gross, net: gross, taxRate: '0', currency: 'USD', compareAt });

export function desiredVariant(sku: string, over: Partial<DesiredVariant> = {}): DesiredVariant {
  return { sku, ean: null, externalId: undefined, title: { en: sku }, attributes: {}, price: undefined, stock: undefined, status: 'active', images: [], ...over };
}

export function desiredProduct(internalId: string, over: Partial<DesiredProduct> = {}): DesiredProduct {
  return {
    internalId,
    externalId: undefined,
    groups: ['content', 'price', 'status', 'category'],
    title: { en: internalId },
    description: { en: '' },
    brand: null,
    category: null,
    attributes: {},
    images: [],
    status: 'active',
    variants: [],
    ...over,
  };
}
