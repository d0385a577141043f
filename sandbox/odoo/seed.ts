import { z } from 'zod';
import type { Auth } from './auth.ts';
import * as orm from './orm.ts';
import { findOrCreateQuant } from './stock.ts';
import { getValue, type Db, type Env } from './store.ts';

/**
 * The seed document: what a test or the demo loads into the simulated database on top of the fresh-database
 * records (currencies EUR/USD/PLN, the company partner, the API user, category "All", the standard locations,
 * warehouse "WH" with "WH/Stock" = location 8, and the "Public Pricelist"). Ids may be given so replayed samples
 * see the ids they expect; otherwise they are assigned in sequence.
 */
const id = z.number().int().positive();

const stockEntry = z.object({
  /** Location id or complete name; default: the first warehouse's stock location. */
  location: z.union([id, z.string()]).optional(),
  quantity: z.number(),
  /** Reserved by other operations (not by a simulated sale order). */
  reserved: z.number().nonnegative().default(0),
  quantId: id.optional(),
});

const variant = z.object({
  id: id.optional(),
  sku: z.string().optional(),
  barcode: z.string().optional(),
  standardPrice: z.number().optional(),
  /** e.g. `{ "Color": "Red", "Size": "L" }` */
  attributes: z.record(z.string(), z.string()).default({}),
  /** Price extra per attribute value name, e.g. `{ "L": 5 }`. */
  priceExtra: z.record(z.string(), z.number()).default({}),
  stock: z.array(stockEntry).default([]),
});

export const odooSeedSchema = z.object({
  partners: z.array(z.object({
    id: id.optional(), name: z.string(), email: z.string().optional(), phone: z.string().optional(),
    isCompany: z.boolean().default(false), street: z.string().optional(), city: z.string().optional(),
    zip: z.string().optional(), vat: z.string().optional(), ref: z.string().optional(),
  })).default([]),
  users: z.array(z.object({
    id, login: z.string(), name: z.string().optional(), password: z.string().default(''), apiKeys: z.array(z.string()).default([]),
  })).default([]),
  categories: z.array(z.object({ id: id.optional(), name: z.string(), parent: z.string().optional() })).default([]),
  warehouses: z.array(z.object({ id: id.optional(), code: z.string().max(5), name: z.string() })).default([]),
  locations: z.array(z.object({
    id: id.optional(), name: z.string(), parent: z.union([id, z.string()]),
    usage: z.enum(['internal', 'view', 'customer', 'supplier', 'inventory', 'transit', 'production']).default('internal'),
  })).default([]),
  products: z.array(z.object({
    templateId: id.optional(),
    name: z.string(),
    kind: z.enum(['storable', 'consumable', 'service']).default('storable'),
    listPrice: z.number().default(1),
    standardPrice: z.number().optional(),
    category: z.string().optional(),
    description: z.string().optional(),
    active: z.boolean().default(true),
    /** Single-variant products: the variant's id, SKU, barcode and stock. */
    id: id.optional(),
    sku: z.string().optional(),
    barcode: z.string().optional(),
    stock: z.array(stockEntry).default([]),
    variants: z.array(variant).optional(),
  })).default([]),
  pricelists: z.array(z.object({
    id: id.optional(),
    name: z.string(),
    currency: z.string().default('EUR'),
    items: z.array(z.object({
      id: id.optional(),
      /** Target: a variant SKU, a template name, a category complete name, or nothing (all products). */
      sku: z.string().optional(),
      template: z.string().optional(),
      category: z.string().optional(),
      computePrice: z.enum(['fixed', 'percentage', 'formula']).default('fixed'),
      fixedPrice: z.number().optional(),
      percentPrice: z.number().optional(),
      priceDiscount: z.number().optional(),
      priceSurcharge: z.number().optional(),
      base: z.enum(['list_price', 'standard_price', 'pricelist']).optional(),
      minQuantity: z.number().optional(),
      dateStart: z.string().optional(),
      dateEnd: z.string().optional(),
    })).default([]),
  })).default([]),
});
export type OdooSeed = z.input<typeof odooSeedSchema>;

export interface BaseOptions {
  uid: number;
  login: string;
  password: string;
  apiKey: string;
  currency: string;
}

function createWithId(env: Env, model: string, vals: Record<string, unknown>, wanted?: number): number {
  if (wanted !== undefined) env.db.forceNextId(model, wanted);
  return orm.create(env, model, [vals])[0]!;
}

function byName(env: Env, model: string, field: string, name: string): number {
  const row = env.db.rows(model).find((r) => getValue(env, model, r, field) === name);
  if (!row) throw new Error(`seed: no ${model} with ${field} "${name}"`);
  return row.id;
}

/** The records of a freshly created Odoo database that the connector relies on. */
export function loadBase(env: Env, auth: Auth, o: BaseOptions): void {
  for (const [name, symbol] of [['EUR', '€'], ['USD', '$'], ['PLN', 'zł']] as const) orm.create(env, 'res.currency', [{ name, symbol }]);
  orm.create(env, 'res.partner', [{ name: 'My Company', is_company: true }]);
  const partner = orm.create(env, 'res.partner', [{ name: o.login === 'admin' ? 'Mitchell Admin' : o.login }])[0];
  createWithId(env, 'res.users', { name: o.login === 'admin' ? 'Mitchell Admin' : o.login, login: o.login, partner_id: partner, lang: 'en_US', tz: 'Europe/Brussels' }, o.uid);
  auth.add({ uid: o.uid, login: o.login, password: o.password, apiKeys: [o.apiKey] });
  orm.create(env, 'product.category', [{ name: 'All' }]);
  const loc = (name: string, parent: number | false, usage: string) => orm.create(env, 'stock.location', [{ name, location_id: parent, usage }])[0]!;
  const physical = loc('Physical Locations', false, 'view');
  const partners = loc('Partners', false, 'view');
  const virtual = loc('Virtual Locations', false, 'view');
  loc('Vendors', partners, 'supplier');
  loc('Customers', partners, 'customer');
  loc('Inventory adjustment', virtual, 'inventory');
  const wh = orm.create(env, 'stock.warehouse', [{ name: 'My Company', code: 'WH' }])[0]!;
  env.db.row('stock.location', env.db.row('stock.warehouse', wh)!.view_location_id as number)!.location_id = physical;
  orm.create(env, 'product.pricelist', [{ name: 'Public Pricelist', currency_id: byName(env, 'res.currency', 'name', o.currency) }]);
}

function resolveLocation(env: Env, ref: number | string | undefined): number {
  if (typeof ref === 'number') {
    if (!env.db.row('stock.location', ref)) throw new Error(`seed: no stock.location ${ref}`);
    return ref;
  }
  if (typeof ref === 'string') return byName(env, 'stock.location', 'complete_name', ref);
  const wh = env.db.rows('stock.warehouse').sort((a, b) => a.id - b.id)[0];
  if (!wh) throw new Error('seed: no warehouse');
  return wh.lot_stock_id as number;
}

export function loadSeed(env: Env, auth: Auth, raw: unknown): void {
  const seed = odooSeedSchema.parse(raw);
  const db: Db = env.db;
  for (const p of seed.partners) {
    createWithId(env, 'res.partner', {
      name: p.name, email: p.email ?? false, phone: p.phone ?? false, is_company: p.isCompany, street: p.street ?? false,
      city: p.city ?? false, zip: p.zip ?? false, vat: p.vat ?? false, ref: p.ref ?? false,
    }, p.id);
  }
  for (const u of seed.users) {
    const partner = orm.create(env, 'res.partner', [{ name: u.name ?? u.login }])[0];
    createWithId(env, 'res.users', { name: u.name ?? u.login, login: u.login, partner_id: partner, lang: 'en_US' }, u.id);
    auth.add({ uid: u.id, login: u.login, password: u.password, apiKeys: u.apiKeys });
  }
  for (const c of seed.categories) {
    createWithId(env, 'product.category', { name: c.name, parent_id: c.parent ? byName(env, 'product.category', 'complete_name', c.parent) : false }, c.id);
  }
  for (const w of seed.warehouses) {
    const whId = createWithId(env, 'stock.warehouse', { name: w.name, code: w.code }, w.id);
    const view = db.row('stock.location', db.row('stock.warehouse', whId)!.view_location_id as number)!;
    view.location_id = byName(env, 'stock.location', 'complete_name', 'Physical Locations');
  }
  for (const l of seed.locations) {
    createWithId(env, 'stock.location', { name: l.name, location_id: resolveLocation(env, l.parent), usage: l.usage }, l.id);
  }
  const addStock = (productId: number, entries: z.infer<typeof stockEntry>[]) => {
    for (const s of entries) {
      if (s.quantId !== undefined) db.forceNextId('stock.quant', s.quantId);
      const q = findOrCreateQuant(env, productId, resolveLocation(env, s.location));
      q.quantity = s.quantity;
      q.reserved_quantity = s.reserved;
    }
  };
  for (const p of seed.products) {
    const typeVals = db.major >= 18
      ? { type: p.kind === 'service' ? 'service' : 'consu', is_storable: p.kind === 'storable' }
      : { type: p.kind === 'storable' ? 'product' : p.kind === 'service' ? 'service' : 'consu' };
    const single = !p.variants;
    if (single && p.id !== undefined) db.forceNextId('product.product', p.id);
    const tmplEnv = single ? env : { ...env, context: { ...env.context, create_product_product: false } };
    const tmplId = createWithId(tmplEnv, 'product.template', {
      name: p.name, ...typeVals, list_price: p.listPrice, description_sale: p.description ?? false, active: p.active,
      ...(p.category ? { categ_id: byName(env, 'product.category', 'complete_name', p.category) } : {}),
    }, p.templateId);
    if (single) {
      const variantRow = db.rows('product.product').find((r) => r.product_tmpl_id === tmplId)!;
      orm.write(env, 'product.product', [variantRow.id], {
        default_code: p.sku ?? false, barcode: p.barcode ?? false, standard_price: p.standardPrice ?? 0, active: p.active,
      });
      addStock(variantRow.id, p.stock);
      continue;
    }
    for (const v of p.variants!) {
      const ptavs = Object.entries(v.attributes).map(([attr, value]) => {
        const attrId = db.rows('product.attribute').find((r) => r.name === attr)?.id ?? orm.create(env, 'product.attribute', [{ name: attr }])[0]!;
        const valueId = db.rows('product.attribute.value').find((r) => r.attribute_id === attrId && r.name === value)?.id
          ?? orm.create(env, 'product.attribute.value', [{ name: value, attribute_id: attrId }])[0]!;
        return db.rows('product.template.attribute.value').find((r) => r.product_tmpl_id === tmplId && r.product_attribute_value_id === valueId)?.id
          ?? orm.create(env, 'product.template.attribute.value', [{ product_tmpl_id: tmplId, product_attribute_value_id: valueId, price_extra: v.priceExtra[value] ?? 0 }])[0]!;
      });
      const vid = createWithId(env, 'product.product', {
        product_tmpl_id: tmplId, default_code: v.sku ?? false, barcode: v.barcode ?? false,
        standard_price: v.standardPrice ?? p.standardPrice ?? 0, product_template_attribute_value_ids: ptavs, active: p.active,
      }, v.id);
      addStock(vid, v.stock);
    }
  }
  for (const pl of seed.pricelists) {
    const plId = createWithId(env, 'product.pricelist', { name: pl.name, currency_id: byName(env, 'res.currency', 'name', pl.currency) }, pl.id);
    for (const it of pl.items) {
      createWithId(env, 'product.pricelist.item', {
        pricelist_id: plId,
        ...(it.sku ? { product_id: byName(env, 'product.product', 'default_code', it.sku) } : {}),
        ...(it.template ? { product_tmpl_id: byName(env, 'product.template', 'name', it.template) } : {}),
        ...(it.category ? { categ_id: byName(env, 'product.category', 'complete_name', it.category) } : {}),
        compute_price: it.computePrice,
        fixed_price: it.fixedPrice ?? 0,
        percent_price: it.percentPrice ?? 0,
        price_discount: it.priceDiscount ?? 0,
        price_surcharge: it.priceSurcharge ?? 0,
        base: it.base ?? 'list_price',
        min_quantity: it.minQuantity ?? 0,
        date_start: it.dateStart ?? false,
        date_end: it.dateEnd ?? false,
      }, it.id);
    }
  }
}

/** A small catalogue for the demo: a mug, a T-shirt with two sizes, two warehouses, a promo pricelist. */
export const demoSeed: OdooSeed = {
  partners: [{ name: 'Deco Addict', isCompany: true, email: 'deco.addict82@example.com', city: 'Pleasant Hill' }],
  warehouses: [{ code: 'KRK', name: 'Kraków' }],
  products: [
    { name: 'Kubek ceramiczny', sku: 'SKU-123', barcode: '5901234123457', listPrice: 39.99, standardPrice: 12, stock: [{ quantity: 25, reserved: 3 }, { location: 'KRK/Stock', quantity: 10 }] },
    {
      name: 'Koszulka', listPrice: 79, standardPrice: 30,
      variants: [
        { sku: 'TEE-M', barcode: '5901234123464', attributes: { Size: 'M' }, stock: [{ quantity: 8 }] },
        { sku: 'TEE-L', barcode: '5901234123471', attributes: { Size: 'L' }, priceExtra: { L: 5 }, stock: [{ quantity: 2 }] },
      ],
    },
  ],
  pricelists: [{ name: 'Promocje', currency: 'PLN', items: [{ sku: 'SKU-123', computePrice: 'percentage', percentPrice: 10 }] }],
};
