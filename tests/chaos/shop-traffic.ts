/**
 * Customers buying on the simulated channels through their admin endpoints (what a storefront or a marketplace
 * checkout would do), and the channel faults the chaos suite injects. Everything is driven by a seeded generator,
 * so one seed is one reproducible run.
 */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- simulator state documents

/** mulberry32: small, fast, deterministic. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

export async function simState(url: string): Promise<Json> {
  const res = await fetch(`${url}/__sandbox/state`);
  if (!res.ok) throw new Error(`${url}/__sandbox/state answered ${res.status}`);
  return res.json();
}

export async function simPost(url: string, path: string, body: unknown, method = 'POST'): Promise<{ ok: boolean; status: number; json: Json }> {
  const res = await fetch(`${url}/__sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { ok: res.ok, status: res.status, json: text ? JSON.parse(text) : {} };
}

export type SalesChannel = 'shopify' | 'prestashop' | 'allegro';

export interface PlacedOrder {
  channel: SalesChannel;
  /** The channel's own id of the order, as its admin endpoint answered. */
  ref: string;
  lines: Array<{ sku: string; quantity: number }>;
}

/** How to sell a SKU on each channel: PrestaShop wants product/combination ids, Allegro an ACTIVE offer id. */
export interface SaleTargets {
  prestashop: Map<string, { id_product: number; id_product_attribute: number }>;
  allegro: Map<string, string>;
}

export async function saleTargets(urls: { prestashop: string; allegro: string }): Promise<SaleTargets> {
  const ps = (await simState(urls.prestashop)).resources ?? {};
  const prestashop = new Map<string, { id_product: number; id_product_attribute: number }>();
  const withCombinations = new Set<string>();
  for (const c of ps.combinations ?? []) {
    const f = c.fields ?? c;
    withCombinations.add(String(f.id_product));
    if (f.reference) prestashop.set(String(f.reference), { id_product: Number(f.id_product), id_product_attribute: Number(c.id ?? f.id) });
  }
  for (const p of ps.products ?? []) {
    const f = p.fields ?? p;
    const id = String(p.id ?? f.id);
    if (f.reference && !withCombinations.has(id)) prestashop.set(String(f.reference), { id_product: Number(id), id_product_attribute: 0 });
  }
  const allegro = new Map<string, string>();
  for (const o of (await simState(urls.allegro)).offers ?? []) {
    const sku = o.external?.id ?? o.externalId;
    if (sku && o.status === 'ACTIVE') allegro.set(String(sku), String(o.id));
  }
  return { prestashop, allegro };
}

/** Places one order on a channel; answers undefined (and the reason) when the channel refused it. */
export async function placeOrder(
  urls: { shopify: string; prestashop: string; allegro: string },
  targets: SaleTargets,
  channel: SalesChannel,
  lines: Array<{ sku: string; quantity: number }>,
): Promise<PlacedOrder | string> {
  let r: Awaited<ReturnType<typeof simPost>>;
  let ref: () => string;
  switch (channel) {
    case 'shopify':
      r = await simPost(urls.shopify, '/orders', { email: 'chaos@example.com', lineItems: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) });
      ref = () => String(r.json.id);
      break;
    case 'prestashop':
      r = await simPost(urls.prestashop, '/sale', { lines: lines.map((l) => ({ ...targets.prestashop.get(l.sku)!, quantity: l.quantity })) });
      ref = () => String(r.json.id_order);
      break;
    case 'allegro':
      r = await simPost(urls.allegro, '/orders', { lines: lines.map((l) => ({ offerId: targets.allegro.get(l.sku)!, quantity: l.quantity })) });
      ref = () => String(r.json.checkoutFormId);
      break;
  }
  if (!r.ok) return `${channel} refused the order (${r.status}): ${JSON.stringify(r.json).slice(0, 200)}`;
  return { channel, ref: ref(), lines };
}

export type ChannelFault = '429' | '5xx' | 'timeout';

/** Makes every API request of a simulator fail with `kind` until cleared. */
export async function injectFault(url: string, kind: ChannelFault, rnd: () => number): Promise<void> {
  const rule =
    kind === '429'
      ? { kind: 'status', status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' }, body: '{"error":"rate limited"}' }
      : kind === '5xx'
        ? { kind: 'status', status: pick(rnd, [500, 502, 503]), body: 'upstream unavailable' }
        : { kind: 'timeout', ms: 12_000 };
  const r = await simPost(url, '/faults', rule);
  if (!r.ok) throw new Error(`injecting ${kind} into ${url} failed: ${r.status} ${JSON.stringify(r.json)}`);
}

export async function clearFaults(url: string): Promise<void> {
  await simPost(url, '/faults', undefined, 'DELETE');
}
