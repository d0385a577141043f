import type { Entity, FieldValue } from './model.ts';
import { isLang, textOf } from './model.ts';
import type { ImageRec } from './images.ts';
import type { ResourceDef } from './resources.ts';

/**
 * The shop's data: one table per resource, ids allocated per table like MySQL auto-increment (max + 1, never
 * reused). Derived stock rules live here because the real shop applies them inside ObjectModel saves.
 */
export class Store {
  readonly tables = new Map<string, Map<number, Entity>>();
  private readonly nextIds = new Map<string, number>();
  /** Product images with their stored bytes (served by images.ts, not as plain records). */
  readonly images = new Map<number, ImageRec>();

  constructor(
    readonly defs: Map<string, ResourceDef>,
    /** Shop local time `Y-m-d H:i:s` (no offset, as the real shop stores it). */
    readonly now: () => string,
  ) {}

  table(name: string): Map<number, Entity> {
    let t = this.tables.get(name);
    if (!t) {
      t = new Map();
      this.tables.set(name, t);
    }
    return t;
  }

  get(name: string, id: number): Entity | undefined {
    return this.table(name).get(id);
  }

  all(name: string): Entity[] {
    return [...this.table(name).values()];
  }

  allocateId(name: string): number {
    const t = this.table(name);
    const next = Math.max(this.nextIds.get(name) ?? 1, ...[...t.keys()].map((k) => k + 1));
    this.nextIds.set(name, next + 1);
    return next;
  }

  put(name: string, e: Entity): void {
    this.table(name).set(e.id, e);
    this.nextIds.set(name, Math.max(this.nextIds.get(name) ?? 1, e.id + 1));
  }

  delete(name: string, id: number): boolean {
    return this.table(name).delete(id);
  }

  clear(): void {
    this.tables.clear();
    this.images.clear();
    this.nextIds.clear();
  }

  /** Active language ids, in id order; a shop always has at least one. */
  languageIds(): string[] {
    const ids = this.all('languages')
      .filter((l) => textOf(l.fields.active) !== '0')
      .map((l) => String(l.id))
      .sort((a, b) => Number(a) - Number(b));
    return ids.length ? ids : ['1'];
  }

  /** A blank entity of a resource: every field empty, multilingual fields with every language empty. */
  blank(def: ResourceDef, id: number): Entity {
    const fields: Record<string, FieldValue> = {};
    for (const f of def.fields) fields[f.name] = f.multilingual ? Object.fromEntries(this.languageIds().map((l) => [l, ''])) : '';
    return { id, fields, associations: {} };
  }

  // --- stock -----------------------------------------------------------------------------------------------

  stockRow(idProduct: number, idAttr: number): Entity | undefined {
    return this.all('stock_availables').find(
      (s) => textOf(s.fields.id_product) === String(idProduct) && textOf(s.fields.id_product_attribute) === String(idAttr),
    );
  }

  /** Creates the stock row the real shop creates with every product and combination (quantity 0, recorded 052). */
  ensureStockRow(idProduct: number, idAttr: number): Entity {
    const existing = this.stockRow(idProduct, idAttr);
    if (existing) return existing;
    const id = this.allocateId('stock_availables');
    const row: Entity = {
      id,
      fields: {
        id_product: String(idProduct), id_product_attribute: String(idAttr), id_shop: '1', id_shop_group: '0',
        quantity: '0', depends_on_stock: '0', out_of_stock: '2', location: '',
      },
      associations: {},
    };
    this.put('stock_availables', row);
    const product = this.get('products', idProduct);
    if (product) {
      const list = product.associations.stock_availables ?? [];
      list.push({ id: String(id), id_product_attribute: String(idAttr) });
      product.associations.stock_availables = list;
    }
    return row;
  }

  /**
   * For a product with combinations the `id_product_attribute=0` row is the sum of the combination rows
   * (StockAvailable::postSave / synchronize; recorded 134). A product without combinations keeps its own row.
   */
  syncProductStock(idProduct: number): void {
    const rows = this.all('stock_availables').filter((s) => textOf(s.fields.id_product) === String(idProduct));
    const combos = rows.filter((s) => textOf(s.fields.id_product_attribute) !== '0');
    if (!combos.length) return;
    const total = combos.reduce((n, s) => n + Number(textOf(s.fields.quantity) || 0), 0);
    this.ensureStockRow(idProduct, 0).fields.quantity = String(total);
  }

  /** A sale or cancellation: moves the combination (or simple product) row, then re-derives the product row. */
  moveStock(idProduct: number, idAttr: number, delta: number): void {
    const row = this.ensureStockRow(idProduct, idAttr);
    row.fields.quantity = String(Number(textOf(row.fields.quantity) || 0) + delta);
    this.syncProductStock(idProduct);
  }
}

/** Value normalisation the database applies on save: DECIMAL(20,6) prices, integer columns, boolean strings. */
const SIX_DECIMALS = new Set(['isprice', 'isnegativeprice', 'isunsignedfloat', 'isfloat']);
const INTEGER = new Set(['isbool', 'isunsignedid', 'isunsignedint', 'isint', 'ispositiveint']);
/** Nullable integer columns that stay empty (recorded 058: low_stock_threshold). */
const NULLABLE = new Set(['low_stock_threshold', 'id_default_image', 'new']);
/** Integer columns the synopsis gives no format for (recorded 058: cache_default_attribute and quantity read back as "0"). */
const INTEGER_NO_FORMAT = new Set(['cache_default_attribute', 'quantity', 'id_default_combination']);

export function normalise(def: ResourceDef, fields: Record<string, FieldValue>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of def.fields) {
    const v = fields[f.name];
    if (v === undefined || isLang(v)) {
      if (v !== undefined) out[f.name] = v;
      continue;
    }
    const fmt = f.format?.toLowerCase() ?? '';
    if (NULLABLE.has(f.name) && v === '') out[f.name] = '';
    else if (SIX_DECIMALS.has(fmt) || f.name === 'unit_price_ratio') {
      const n = Number(v === '' ? 0 : v);
      out[f.name] = Number.isFinite(n) ? n.toFixed(6) : v;
    } else if (INTEGER.has(fmt) || (!fmt && INTEGER_NO_FORMAT.has(f.name))) {
      if (v === '' || v === 'false') out[f.name] = '0';
      else if (v === 'true') out[f.name] = '1';
      else out[f.name] = /^-?\d+$/.test(v) ? String(Number(v)) : v;
    } else out[f.name] = v;
  }
  return out;
}
