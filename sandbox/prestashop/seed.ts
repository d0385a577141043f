import { z } from 'zod';
import type { Entity, FieldValue } from './model.ts';
import { textOf } from './model.ts';
import type { ResourceDef } from './resources.ts';
import { normalise, type Store } from './store.ts';

/**
 * The seed document: records per resource, in the same shape the webservice's JSON lists use (so a recorded
 * `display=full` JSON answer can be loaded as is). Multilingual values may be a plain string (every language),
 * a `{ "1": "…" }` map or the JSON `[{"id":"1","value":"…"}]` form. Field names are checked against the
 * resource's spec: an unknown field is a seed error, not silently dropped.
 */
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const langArray = z.array(z.object({ id: z.union([z.string(), z.number()]), value: z.string() }));
const value = z.union([scalar, z.record(z.string(), z.string()), langArray]);
const associations = z.record(z.string(), z.array(z.record(z.string(), z.union([z.string(), z.number()]))));
const seedRecord = z
  .object({ id: z.coerce.number().int().positive(), associations: associations.optional() })
  .catchall(z.union([value, associations]));

export const prestashopSeedSchema = z.object({
  /** `resource name → records`, e.g. `{ products: [{ id: 1, reference: "MUG", price: "9.90", name: "Mug" }] }`. */
  resources: z.record(z.string(), z.array(seedRecord)).default({}),
  /** Convenience: absolute quantities per product / combination (creates or updates the stock rows). */
  stock: z.array(z.object({ id_product: z.number().int().positive(), id_product_attribute: z.number().int().nonnegative().default(0), quantity: z.number().int() })).default([]),
});
export type PrestashopSeed = z.input<typeof prestashopSeedSchema>;

function toField(v: z.infer<typeof value>, multilingual: boolean, langs: string[]): FieldValue {
  if (Array.isArray(v)) return Object.fromEntries(v.map((x) => [String(x.id), x.value]));
  if (v !== null && typeof v === 'object') return { ...v };
  // JSON `null` / `false` are how the webservice renders empty virtual fields (`new`, `manufacturer_name`).
  const s = v === null || v === false ? '' : v === true ? '1' : String(v);
  return multilingual ? Object.fromEntries(langs.map((l) => [l, s])) : s;
}

export function loadSeed(store: Store, defs: Map<string, ResourceDef>, doc: unknown): void {
  const seed = prestashopSeedSchema.parse(doc);
  const order = Object.keys(seed.resources).sort((a, b) => (a === 'languages' ? -1 : b === 'languages' ? 1 : 0));
  for (const name of order) {
    const def = defs.get(name);
    if (!def) throw new Error(`seed: resource "${name}" is not simulated`);
    for (const rec of seed.resources[name]!) {
      const langs = store.languageIds();
      const existing = store.get(name, rec.id);
      // Fields the seed leaves out get the database's column defaults; given values are kept verbatim (a
      // recorded "0.000" DECIMAL(10,3) stays "0.000").
      const e: Entity = existing ? structuredClone(existing) : store.blank(def, rec.id);
      if (!existing) e.fields = normalise(def, e.fields);
      for (const [k, v] of Object.entries(rec)) {
        if (k === 'id' || k === 'associations') continue;
        const f = def.fields.find((x) => x.name === k);
        if (!f) throw new Error(`seed: ${name}/${rec.id}: unknown field "${k}" (not in the ${def.source} spec)`);
        e.fields[k] = toField(v as z.infer<typeof value>, f.multilingual, langs);
      }
      for (const [an, items] of Object.entries(rec.associations ?? {})) {
        if (!def.associations.some((a) => a.name === an)) throw new Error(`seed: ${name}/${rec.id}: unknown association "${an}"`);
        e.associations[an] = items.map((i) => Object.fromEntries(Object.entries(i).map(([k, x]) => [k, String(x)])));
      }
      store.put(name, e);
    }
  }
  // A language added later gets the default language's texts copied, as Language::installLanguagePack does.
  const langs = store.languageIds();
  for (const [name, table] of store.tables) {
    const def = defs.get(name);
    if (!def) continue;
    for (const e of table.values()) {
      for (const f of def.fields.filter((x) => x.multilingual)) {
        const v = e.fields[f.name];
        if (typeof v !== 'object') continue;
        const first = v[langs[0]!] ?? Object.values(v)[0] ?? '';
        for (const l of langs) v[l] ??= first;
      }
    }
  }
  // Every product has its stock row, as in a real shop; combinations too.
  for (const p of store.all('products')) store.ensureStockRow(p.id, 0);
  for (const c of store.all('combinations')) store.ensureStockRow(Number(textOf(c.fields.id_product)), c.id);
  for (const s of seed.stock) {
    store.ensureStockRow(s.id_product, s.id_product_attribute).fields.quantity = String(s.quantity);
    if (s.id_product_attribute) store.syncProductStock(s.id_product);
  }
}

/** A small demo shop (Polish default language, English second) for the out-of-the-box demo. */
export const demoSeed: PrestashopSeed = {
  resources: {
    languages: [
      { id: 1, name: 'Polski (Polish)', iso_code: 'pl', locale: 'pl-PL', language_code: 'pl-pl', active: '1', is_rtl: '0', date_format_lite: 'd.m.Y', date_format_full: 'd.m.Y H:i:s' },
      { id: 2, name: 'English (English)', iso_code: 'en', locale: 'en-US', language_code: 'en-us', active: '1', is_rtl: '0', date_format_lite: 'm/d/Y', date_format_full: 'm/d/Y H:i:s' },
    ],
    shops: [{ id: 1, id_shop_group: '1', id_category: '2', active: '1', deleted: '0', name: 'Demo Shop', theme_name: 'classic' }],
    taxes: [{ id: 1, rate: '23.000', active: '1', deleted: '0', name: { '1': 'PTU PL 23%', '2': 'VAT PL 23%' } }],
    tax_rule_groups: [{ id: 1, name: 'PL Standard Rate (23%)', active: '1', deleted: '0' }],
    categories: [
      { id: 1, id_parent: '0', level_depth: '0', active: '1', is_root_category: '0', name: { '1': 'Baza', '2': 'Root' }, link_rewrite: { '1': 'baza', '2': 'root' } },
      { id: 2, id_parent: '1', level_depth: '1', active: '1', is_root_category: '1', name: { '1': 'Strona główna', '2': 'Home' }, link_rewrite: { '1': 'strona-glowna', '2': 'home' } },
    ],
    order_states: [
      { id: 2, name: { '1': 'Płatność zaakceptowana', '2': 'Payment accepted' }, logable: '1', invoice: '1', paid: '1' },
      { id: 4, name: { '1': 'Wysłane', '2': 'Shipped' }, logable: '1', invoice: '1', shipped: '1', delivery: '1', paid: '1' },
      { id: 6, name: { '1': 'Anulowane', '2': 'Canceled' } },
    ],
    products: [
      { id: 1, reference: 'DEMO-MUG', ean13: '5901234123457', price: '29.900000', id_tax_rules_group: '1', id_category_default: '2', active: '1', state: '1', product_type: 'standard', name: { '1': 'Kubek', '2': 'Mug' }, link_rewrite: { '1': 'kubek', '2': 'mug' }, associations: { categories: [{ id: 2 }] } },
      { id: 2, reference: 'DEMO-TEE', price: '59.000000', id_tax_rules_group: '1', id_category_default: '2', active: '1', state: '1', product_type: 'combinations', name: { '1': 'Koszulka', '2': 'T-shirt' }, link_rewrite: { '1': 'koszulka', '2': 't-shirt' }, associations: { categories: [{ id: 2 }], combinations: [{ id: 1 }, { id: 2 }] } },
    ],
    combinations: [
      { id: 1, id_product: '2', reference: 'DEMO-TEE-S', price: '0.000000', minimal_quantity: '1', default_on: '1' },
      { id: 2, id_product: '2', reference: 'DEMO-TEE-M', price: '0.000000', minimal_quantity: '1' },
    ],
  },
  stock: [
    { id_product: 1, quantity: 25 },
    { id_product: 2, id_product_attribute: 1, quantity: 10 },
    { id_product: 2, id_product_attribute: 2, quantity: 5 },
  ],
};
