import { demoCatalogue, DEMO_IDS, SOLD_SKU } from './seed.ts';

/**
 * The demo's story, told on the terminal. Every claim is checked by reading the simulators' own state
 * (`GET /__sandbox/state`), i.e. what each channel would show its users, never by trusting the hub's word.
 */

export interface ScenarioHub {
  url: string;
  /** Channel writes the hub still has to make (outbound work requests): 0 once everything asked for is done. */
  pendingWrites(): Promise<number>;
  /** A support user of the hub: customer messages are shown only after signing in. */
  signIn: { email: string; password: string };
}

export interface ScenarioOptions {
  urls: { shopify: string; prestashop: string; allegro: string; meta: string; odoo: string };
  hub: ScenarioHub;
  print(line: string): void;
  /** Stops waiting (the demo is being stopped). */
  signal?: AbortSignal;
  /** Longest wait for the initial sync, and for each later step. */
  initialSyncTimeoutMs?: number;
  stepTimeoutMs?: number;
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- simulator state documents, read defensively

/** Signs in through the hub's own form, as a support agent would; returns the session cookie. */
async function signIn(hubUrl: string, user: { email: string; password: string }): Promise<string> {
  const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const form = await fetch(`${hubUrl}/login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await fetch(`${hubUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form) },
    body: new URLSearchParams({ email: user.email, password: user.password, _csrf: csrf, next: '/' }).toString(),
  });
  if (res.status !== 303) throw new Error(`signing in to the hub as ${user.email} answered ${res.status}`);
  return cookieOf(res);
}

async function state(url: string): Promise<Json> {
  const res = await fetch(`${url}/__sandbox/state`);
  if (!res.ok) throw new Error(`${url}/__sandbox/state answered ${res.status}`);
  return res.json();
}

async function post(url: string, path: string, body: unknown): Promise<Json> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
}

/** Stock and listing of every SKU as each channel shows it right now. */
export interface ChannelView {
  /** SKU → quantity offered. */
  stock: Map<string, number>;
  /** Products (listings) on the channel. */
  products: number;
}

export async function shopifyView(url: string): Promise<ChannelView> {
  const s = await state(url);
  const stock = new Map<string, number>();
  const itemToSku = new Map<string, string>();
  for (const p of s.products ?? []) for (const v of p.variants ?? []) if (v.sku) itemToSku.set(String(v.inventoryItemId), v.sku);
  for (const l of s.inventoryLevels ?? []) {
    const sku = itemToSku.get(String(l.inventoryItemId));
    if (sku) stock.set(sku, (stock.get(sku) ?? 0) + Number(l.quantities?.available ?? l.available ?? 0));
  }
  for (const sku of itemToSku.values()) if (!stock.has(sku)) stock.set(sku, 0);
  return { stock, products: (s.products ?? []).length };
}

export async function prestashopView(url: string): Promise<ChannelView> {
  const s = await state(url);
  const r = s.resources ?? {};
  const refOfProduct = new Map<string, string>();
  for (const p of r.products ?? []) refOfProduct.set(String(p.id), p.fields?.reference ?? p.reference);
  const refOfCombination = new Map<string, string>();
  for (const c of r.combinations ?? []) refOfCombination.set(String(c.id), c.fields?.reference ?? c.reference);
  const withCombinations = new Set((r.combinations ?? []).map((c: Json) => String((c.fields ?? c).id_product)));
  const stock = new Map<string, number>();
  for (const row of r.stock_availables ?? []) {
    const f = row.fields ?? row;
    const attr = String(f.id_product_attribute ?? '0');
    const sku = attr === '0' ? refOfProduct.get(String(f.id_product)) : refOfCombination.get(attr);
    // A product with combinations also has a derived total row (attribute 0) whose reference is the product's.
    if (sku && (attr !== '0' || !withCombinations.has(String(f.id_product)))) {
      stock.set(sku, Number(f.quantity));
    }
  }
  return { stock, products: (r.products ?? []).length };
}

export async function allegroView(url: string): Promise<ChannelView> {
  const s = await state(url);
  const stock = new Map<string, number>();
  for (const o of s.offers ?? []) {
    const sku = o.external?.id ?? o.externalId;
    if (sku) stock.set(sku, Number(o.available ?? 0));
  }
  return { stock, products: (s.offers ?? []).length };
}

export async function facebookView(url: string): Promise<ChannelView> {
  const s = await state(url);
  const catalog = (s.catalogs ?? []).find((c: Json) => c.id === DEMO_IDS.catalogId);
  const stock = new Map<string, number>();
  for (const p of catalog?.products ?? []) {
    const feed = p.feed ?? {};
    stock.set(String(feed.id ?? p.retailer_id), Number(feed.quantity_to_sell_on_facebook ?? 0));
  }
  return { stock, products: new Set((catalog?.products ?? []).map((p: Json) => p.feed?.item_group_id ?? p.feed?.id)).size };
}

/** Odoo's free quantity (on hand − reserved, WH/Stock) per SKU. */
export async function odooView(url: string): Promise<ChannelView & { saleOrders: Json[] }> {
  const s = await state(url);
  const rec = s.records ?? {};
  const skuOf = new Map<number, string>();
  for (const p of rec['product.product'] ?? []) if (p.default_code) skuOf.set(p.id, p.default_code);
  const stock = new Map<string, number>();
  for (const q of rec['stock.quant'] ?? []) {
    const product = Array.isArray(q.product_id) ? q.product_id[0] : q.product_id;
    const sku = skuOf.get(product);
    if (sku) stock.set(sku, (stock.get(sku) ?? 0) + Number(q.quantity) - Number(q.reserved_quantity ?? 0));
  }
  return { stock, products: (rec['product.template'] ?? []).length, saleOrders: rec['sale.order'] ?? [] };
}

export class ScenarioError extends Error {}

export async function runScenario(o: ScenarioOptions): Promise<void> {
  const stepTimeout = o.stepTimeoutMs ?? 30_000;
  const catalogue = demoCatalogue();
  const skus = catalogue.flatMap((p) => p.variants.map((v) => v.sku));
  const say = (line: string) => o.print(`[demo] ${line}`);

  /** Re-checks `check` until it returns a value (not undefined) or the step times out; reports what was missing. */
  async function until<T>(what: string, check: () => Promise<T | string>, timeout = stepTimeout): Promise<T> {
    const deadline = Date.now() + timeout;
    let last = '';
    for (;;) {
      if (o.signal?.aborted) throw new ScenarioError('stopped');
      try {
        const r = await check();
        if (typeof r !== 'string') return r;
        last = r;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new ScenarioError(`${what}: not done after ${Math.round(timeout / 1000)} s (${last})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  const erp = await odooView(o.urls.odoo);
  say(`the ERP (Odoo) holds ${erp.products} products, ${skus.length} SKUs with prices and stock`);
  say(`channels before the hub: Shopify ${(await shopifyView(o.urls.shopify)).products} products, PrestaShop ${(await prestashopView(o.urls.prestashop)).products}, Allegro ${(await allegroView(o.urls.allegro)).products} offers (stale stock), Facebook catalogue ${(await facebookView(o.urls.meta)).products}`);

  // Step 1: the initial sync. Done when every channel shows the ERP's stock for every SKU it lists.
  say('step 1/3: initial sync — the hub links what exists by SKU and creates the missing listings…');
  const allegroSkus = [...(await allegroView(o.urls.allegro)).stock.keys()];
  const synced = await until('initial sync', async () => {
    const [shop, ps, al, fb, odoo] = await Promise.all([shopifyView(o.urls.shopify), prestashopView(o.urls.prestashop), allegroView(o.urls.allegro), facebookView(o.urls.meta), odooView(o.urls.odoo)]);
    for (const [name, view, expected] of [['Shopify', shop, skus], ['PrestaShop', ps, skus], ['Facebook', fb, skus], ['Allegro', al, allegroSkus]] as const) {
      const wrong = expected.filter((sku) => view.stock.get(sku) !== odoo.stock.get(sku));
      if (wrong.length) return `${name}: ${wrong.length} SKUs not yet at the ERP's stock, e.g. ${wrong[0]} (${view.stock.get(wrong[0]!) ?? 'missing'} vs ${odoo.stock.get(wrong[0]!)})`;
    }
    const pending = await o.hub.pendingWrites();
    if (pending > 0) return `${pending} channel writes pending in the hub`;
    return { shop, ps, al, fb };
  }, o.initialSyncTimeoutMs ?? 120_000);
  say(`✔ initial sync done: Shopify ${synced.shop.products} products / ${synced.shop.stock.size} variants, PrestaShop ${synced.ps.products} products / ${synced.ps.stock.size} variants, Facebook ${synced.fb.stock.size} items, Allegro ${synced.al.stock.size} offers — stock of every SKU equals the ERP's (read back from each simulator)`);

  // Step 2: a customer buys on Shopify; the order comes to the hub as a webhook.
  const before = (await odooView(o.urls.odoo)).stock.get(SOLD_SKU)!;
  const sold = 2;
  say(`step 2/3: a customer buys ${sold} × ${SOLD_SKU} on Shopify (stock everywhere: ${before})…`);
  const order = await post(o.urls.shopify, '/__sandbox/orders', { email: 'ewa.nowak@example.com', lineItems: [{ sku: SOLD_SKU, quantity: sold }] });
  const expected = before - sold;
  const after = await until('sale propagation', async () => {
    const [ps, al, fb, odoo] = await Promise.all([prestashopView(o.urls.prestashop), allegroView(o.urls.allegro), facebookView(o.urls.meta), odooView(o.urls.odoo)]);
    const views = { Odoo: odoo, PrestaShop: ps, Allegro: al, Facebook: fb };
    for (const [name, v] of Object.entries(views)) {
      if (v.stock.get(SOLD_SKU) !== expected) return `${name} shows ${v.stock.get(SOLD_SKU)} of ${SOLD_SKU}, expected ${expected}`;
    }
    const recorded = odoo.saleOrders.find((so: Json) => String(so.client_order_ref ?? so.origin ?? '').includes(String(order.id ?? order.name ?? '')));
    return { views, recorded };
  });
  say(`✔ the sale lowered stock on every other channel: ${Object.entries(after.views).map(([n, v]) => `${n} ${v.stock.get(SOLD_SKU)}`).join(', ')} (was ${before})${after.recorded ? `; Odoo has sale order ${after.recorded.name}` : ''}`);

  // Step 3: a customer writes on WhatsApp; the message lands in the hub's inbox.
  const text = 'Dzień dobry! Czy kubek jest dostępny w kolorze czerwonym?';
  say('step 3/3: a customer writes on WhatsApp…');
  await post(o.urls.meta, '/__sandbox/whatsapp/inbound', {
    phoneNumberId: DEMO_IDS.phoneNumberId,
    from: '48600100200',
    name: 'Anna Kowalska',
    message: { type: 'text', text: { body: text } },
  });
  const session = await signIn(o.hub.url, o.hub.signIn);
  await until('WhatsApp message', async () => {
    const page = await (await fetch(`${o.hub.url}/`, { headers: { cookie: session } })).text();
    return page.includes(text) ? true : 'not on the hub page yet';
  });
  say(`✔ the WhatsApp message from Anna Kowalska arrived in the hub's inbox (signed in, shown at ${o.hub.url}/)`);
}
