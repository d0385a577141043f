import type { AllegroSeed } from '../allegro/index.ts';
import type { MetaSeed } from '../meta/index.ts';
import type { OdooSeed } from '../odoo/index.ts';
import { demoSeed as prestashopBase, type PrestashopSeed } from '../prestashop/index.ts';
import type { ShopifySeed } from '../shopify/index.ts';

/**
 * The demo shop: a small, deterministic catalogue (the same on every run, so the terminal story and the tests can
 * name what they check). The ERP (Odoo) holds every product with its SKUs, EANs, prices and stock; the channels
 * start behind it on purpose, so the hub's initial sync has visible work to do:
 * - Shopify lists a few products already (matched by SKU, others created by the hub),
 * - PrestaShop has an empty catalogue (reference data only: languages, taxes, the size attribute),
 * - Allegro has offers for a subset of SKUs (`external.id` = SKU) with stale stock and prices,
 * - the Facebook catalogue is empty,
 * - customers are waiting on Allegro and Messenger; a WhatsApp customer writes during the scenario.
 */

/** Ids the demo's connections are configured with. */
export const DEMO_IDS = {
  odooDatabase: 'omnihub-demo',
  /** The Odoo partner recorded orders from channels are booked to. */
  odooPartnerId: 100,
  catalogId: '880000000000001',
  pageId: '770000000000001',
  pageAccessToken: 'sandbox-page-token-demo',
  wabaId: '660000000000001',
  phoneNumberId: '550000000000001',
  displayPhoneNumber: '+48 22 100 20 30',
} as const;

export interface DemoVariant {
  sku: string;
  ean: string;
  size: string | undefined;
  /** Gross price in PLN, as text with two decimals. */
  price: string;
  stock: number;
}

export interface DemoProduct {
  /** Title as the ERP holds it (Polish, the shop's language). */
  titlePl: string;
  titleEn: string;
  category: string;
  variants: DemoVariant[];
}

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same shop. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An EAN-13 with a valid check digit, from the GS1 prefix 590 (Poland). */
function ean13(n: number): string {
  const body = `590${String(1234000 + n).padStart(9, '0')}`.slice(0, 12);
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

const KINDS: Array<{ code: string; pl: string; en: string; category: string; sized: boolean; base: number }> = [
  { code: 'KUB', pl: 'Kubek ceramiczny', en: 'Ceramic mug', category: 'Kuchnia', sized: false, base: 39 },
  { code: 'KOS', pl: 'Koszulka bawełniana', en: 'Cotton T-shirt', category: 'Odzież', sized: true, base: 79 },
  { code: 'BLU', pl: 'Bluza z kapturem', en: 'Hoodie', category: 'Odzież', sized: true, base: 189 },
  { code: 'CZA', pl: 'Czapka zimowa', en: 'Winter hat', category: 'Odzież', sized: false, base: 59 },
  { code: 'TOR', pl: 'Torba lniana', en: 'Linen tote bag', category: 'Akcesoria', sized: false, base: 49 },
  { code: 'SKA', pl: 'Skarpety wełniane', en: 'Wool socks', category: 'Odzież', sized: true, base: 29 },
  { code: 'NOT', pl: 'Notes w kropki', en: 'Dotted notebook', category: 'Papeteria', sized: false, base: 25 },
  { code: 'BUT', pl: 'Butelka termiczna', en: 'Insulated bottle', category: 'Kuchnia', sized: false, base: 89 },
  { code: 'FAR', pl: 'Fartuch kuchenny', en: 'Kitchen apron', category: 'Kuchnia', sized: true, base: 69 },
  { code: 'PLE', pl: 'Plecak miejski', en: 'City backpack', category: 'Akcesoria', sized: false, base: 229 },
];
const COLOURS: Array<[string, string]> = [['czarny', 'black'], ['biały', 'white'], ['zielony', 'green'], ['granatowy', 'navy'], ['musztardowy', 'mustard']];
const SIZES = ['S', 'M', 'L', 'XL'];

export const PRODUCT_COUNT = 50;

/** The catalogue: 50 products, 1–4 variants each (sizes), prices and stock as the ERP holds them. */
export function demoCatalogue(): DemoProduct[] {
  const rnd = random(20260401);
  const products: DemoProduct[] = [];
  let eanNo = 0;
  for (let i = 0; i < PRODUCT_COUNT; i++) {
    const kind = KINDS[i % KINDS.length]!;
    const [colourPl, colourEn] = COLOURS[Math.floor(i / KINDS.length) % COLOURS.length]!;
    const no = String(i + 1).padStart(3, '0');
    const sizes = kind.sized ? SIZES.slice(0, 1 + Math.floor(rnd() * 4)) : [undefined];
    // Whole net prices, so gross (23 % VAT) and net are both exact and every channel derives the same tax rate.
    const price = ((kind.base + Math.floor(rnd() * 5) * 10) * 1.23).toFixed(2);
    products.push({
      titlePl: `${kind.pl} ${colourPl}`,
      titleEn: `${kind.en}, ${colourEn}`,
      category: kind.category,
      variants: sizes.map((size) => ({
        sku: size ? `${kind.code}-${no}-${size}` : `${kind.code}-${no}`,
        ean: ean13(++eanNo),
        size,
        price,
        stock: 3 + Math.floor(rnd() * 40),
      })),
    });
  }
  return products;
}

/** The SKU the scenario sells on Shopify: listed on every channel from the start or after the initial sync. */
export const SOLD_SKU = 'KUB-001';
/** Products already listed on Shopify before the hub starts (by index in the catalogue). */
const ON_SHOPIFY = [0, 1, 2, 3, 4];
/** Variants with a pre-existing Allegro offer (every fourth single-variant product, plus the sold one). */
const onAllegro = (products: DemoProduct[]) =>
  products.flatMap((p, i) => (p.variants.length === 1 && (i % 4 === 0 || p.variants[0]!.sku === SOLD_SKU) ? [p] : []));

export function odooSeed(products = demoCatalogue()): OdooSeed {
  return {
    partners: [{ id: DEMO_IDS.odooPartnerId, name: 'Klienci sklepów internetowych', isCompany: true, email: 'sklep@example.com' }],
    categories: [...new Set(products.map((p) => p.category))].map((name) => ({ name, parent: 'All' })),
    products: products.map((p) => {
      const common = { name: p.titlePl, listPrice: Number(p.variants[0]!.price), category: `All / ${p.category}`, description: p.titleEn };
      const [only] = p.variants;
      if (p.variants.length === 1 && !only!.size) return { ...common, sku: only!.sku, barcode: only!.ean, stock: [{ quantity: only!.stock }] };
      return {
        ...common,
        variants: p.variants.map((v) => ({ sku: v.sku, barcode: v.ean, attributes: { Rozmiar: v.size! }, stock: [{ quantity: v.stock }] })),
      };
    }),
  };
}

export function shopifySeed(products = demoCatalogue()): ShopifySeed {
  return {
    locations: [{ name: 'Magazyn główny' }],
    products: ON_SHOPIFY.map((i) => products[i]!).map((p) => ({
      title: p.titlePl,
      ...(p.variants[0]!.size ? { options: [{ name: 'Rozmiar', values: p.variants.map((v) => v.size!) }] } : {}),
      // Stale on purpose: the hub brings price and stock in line with the ERP.
      variants: p.variants.map((v) => ({ sku: v.sku, barcode: v.ean, price: '1.00', available: 0, ...(v.size ? { options: [v.size] } : {}) })),
    })),
  };
}

export function allegroSeed(products = demoCatalogue()): AllegroSeed {
  return {
    offers: onAllegro(products).map((p, i) => ({
      id: String(16_000_000_000 + i),
      name: p.titlePl.slice(0, 75),
      externalId: p.variants[0]!.sku,
      // Stale on purpose, as above.
      price: { amount: '1.00', currency: 'PLN' },
      stock: 1,
    })),
    threads: [
      {
        id: 'demo-thread-allegro-1',
        interlocutor: { login: 'kupujacy_jan' },
        messages: [{ text: 'Dzień dobry, czy kubek można myć w zmywarce?', fromBuyer: true, offerId: '16000000000' }],
      },
    ],
  };
}

export function prestashopSeed(): PrestashopSeed {
  const base = prestashopBase.resources ?? {};
  return {
    resources: {
      languages: base.languages!,
      shops: base.shops!,
      taxes: base.taxes!,
      tax_rule_groups: base.tax_rule_groups!,
      categories: [
        ...base.categories!,
        ...Object.entries(PRESTASHOP_CATEGORIES).map(([path, id]) => {
          const name = path.split(' / ').pop()!;
          const slug = name.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '');
          return { id, id_parent: '2', level_depth: '2', active: '1', is_root_category: '0', name: { '1': name, '2': name }, link_rewrite: { '1': slug, '2': slug } };
        }),
      ],
      order_states: base.order_states!,
      product_options: [{ id: 1, name: { '1': 'Rozmiar', '2': 'Size' }, public_name: { '1': 'Rozmiar', '2': 'Size' }, group_type: 'select' }],
      product_option_values: SIZES.map((s, i) => ({ id: i + 1, id_attribute_group: '1', name: { '1': s, '2': s } })),
    },
    stock: [],
  };
}

/** PrestaShop category ids of the demo's ERP categories (Odoo's complete names). */
export const PRESTASHOP_CATEGORIES: Record<string, number> = { 'All / Kuchnia': 3, 'All / Odzież': 4, 'All / Akcesoria': 5, 'All / Papeteria': 6 };

export function metaSeed(products = demoCatalogue()): MetaSeed {
  return {
    // Meta requires an image for every item and the ERP has none, so the catalogue exists already (a feed the
    // merchant uploaded once, stock stale); the hub links its items by SKU and keeps them in line.
    catalogs: [
      {
        id: DEMO_IDS.catalogId,
        name: 'Demo shop catalogue',
        products: products.flatMap((p) =>
          p.variants.map((v) => ({
            id: v.sku,
            title: v.size ? `${p.titlePl} – ${v.size}` : p.titlePl,
            price: `${v.price} PLN`,
            link: `https://demo-shop.example/p/${v.sku}`,
            image_link: `https://demo-shop.example/img/${v.sku}.jpg`,
            quantity_to_sell_on_facebook: 0,
            availability: 'out of stock',
          })),
        ),
      },
    ],
    pages: [{ id: DEMO_IDS.pageId, name: 'Demo shop', accessToken: DEMO_IDS.pageAccessToken, users: [] }],
    wabas: [
      {
        id: DEMO_IDS.wabaId,
        phoneNumbers: [{ id: DEMO_IDS.phoneNumberId, displayPhoneNumber: DEMO_IDS.displayPhoneNumber, verifiedName: 'Demo shop' }],
      },
    ],
    whatsappUsers: [],
  };
}

/** Every simulator's seed document, by simulator name. */
export function demoSeeds() {
  const products = demoCatalogue();
  return {
    odoo: odooSeed(products),
    shopify: shopifySeed(products),
    prestashop: prestashopSeed(),
    allegro: allegroSeed(products),
    meta: metaSeed(products),
  };
}
