import { BareResponse, PsError } from './errors.ts';
import type { Entity, FieldValue, LangValue } from './model.ts';
import { isLang, textOf } from './model.ts';
import type { ResourceDef } from './resources.ts';
import { normalise, type Store } from './store.ts';
import { validateEntity } from './validate.ts';
import { parseInputXml } from './xml.ts';

/**
 * POST / PUT / PATCH, following WebserviceRequest::saveEntityFromXml (8.x):
 * - the body must be XML (a JSON body fails in the XML parser: 500, code 127);
 * - PUT and PATCH take the id from the body (`<id>` missing → 400 code 90; unknown → 404 code 92 "Invalid ID");
 *   POST with an id → 400 code 91;
 * - PUT: every field missing from the body is reset to empty, and a missing required field is 400 code 41
 *   (recorded 043). Multilingual fields are not reset (the core only nulls non-i18n fields);
 * - PATCH: only the fields present are touched (recorded 041, 058);
 * - a read-only field (`setter => false`, synopsis readOnly) is 400 code 93; unknown elements are ignored;
 * - validation: validateFieldsLang (84) then validateFields (85);
 * - the answer echoes the object as PHP holds it after save: values as sent, not yet re-read from the database
 *   (recorded 050, 053, 058); the stored record is normalised (prices with 6 decimals …).
 */
export type WriteMethod = 'POST' | 'PUT' | 'PATCH';

export interface WriteResult {
  echo: Entity;
  stored: Entity;
  status: number;
}

const POST_DEFAULTS: Record<string, Record<string, string>> = {
  products: { id_shop_default: '1', type: 'simple', id_default_combination: '0', condition: 'new', visibility: 'both' },
  stock_availables: { out_of_stock: '2' },
};
/** Column defaults the database fills in and later reads show (recorded 058, 059). */
const STORED_DEFAULTS: Record<string, Record<string, string>> = {
  products: { available_date: '0000-00-00', indexed: '1', state: '1' },
  combinations: { available_date: '0000-00-00' },
  customer_messages: { private: '0', read: '0' },
  orders: { invoice_date: '0000-00-00 00:00:00', delivery_date: '0000-00-00 00:00:00' },
};

function linkRewrite(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function applyWrite(store: Store, def: ResourceDef, method: WriteMethod, body: string): WriteResult {
  const input = parseInputXml(def, body);
  const langs = store.languageIds();
  let base: Entity;
  if (method === 'POST') {
    if (input.id !== undefined && input.id !== '') throw PsError.one(400, 91, 'id is forbidden when adding a new resource');
    base = store.blank(def, 0);
    for (const [k, v] of Object.entries(POST_DEFAULTS[def.name] ?? {})) base.fields[k] = v;
  } else {
    if (input.id === undefined || input.id === '') throw PsError.one(400, 90, 'id is required when modifying a resource');
    const existing = store.get(def.name, Number.parseInt(input.id, 10));
    if (!existing) throw PsError.one(404, 92, 'Invalid ID');
    base = structuredClone(existing);
  }

  const fields: Record<string, FieldValue> = { ...base.fields };
  for (const f of def.fields) {
    const present = f.name in input.fields;
    if (method === 'PATCH' && !present) continue;
    if (!f.multilingual) {
      if (present) {
        if (f.readOnly) throw PsError.one(400, 93, `parameter "${f.name}" not writable. Please remove this attribute of this XML`);
        fields[f.name] = textOf(input.fields[f.name]);
      } else if (f.required) {
        throw PsError.one(400, 41, `parameter "${f.name}" required`);
      } else if (method === 'PUT') {
        fields[f.name] = '';
      }
    } else if (present) {
      const given = input.fields[f.name]!;
      const merged: LangValue = isLang(base.fields[f.name]) ? { ...(base.fields[f.name] as LangValue) } : {};
      if (isLang(given)) {
        // Languages the shop does not have are ignored (recorded 054 sends id 2 to a one-language shop).
        for (const [l, v] of Object.entries(given)) if (langs.includes(l)) merged[l] = v;
      } else {
        for (const l of langs) merged[l] = given;
      }
      for (const l of langs) merged[l] ??= '';
      fields[f.name] = merged;
    }
  }

  // ws modifier: a product created without link_rewrite gets one from its name.
  if (method === 'POST' && def.name === 'products') {
    const lr = (fields.link_rewrite ?? {}) as LangValue;
    const name = (fields.name ?? {}) as LangValue;
    if (isLang(lr)) for (const l of langs) if (!lr[l] && name[l]) lr[l] = linkRewrite(name[l]!);
  }

  const associations = { ...base.associations };
  for (const [an, items] of Object.entries(input.associations)) {
    if (an === 'i18n') continue;
    if (!def.associations.some((a) => a.name === an)) throw PsError.one(400, 86, `The association "${an}" does not exists`);
    associations[an] = items;
  }

  const candidate: Entity = { id: base.id, fields, associations };
  validateEntity(def, candidate);
  // The auto-increment id is taken by the INSERT even when it then fails on a duplicate key (recorded 061/062:
  // the specific price after the failed duplicate gets id 5, not 4).
  if (method === 'POST') candidate.id = store.allocateId(def.name);
  if (method === 'POST') beforeCreate(store, def, candidate);

  const now = store.now();
  if (method === 'POST' && 'date_add' in fields && !textOf(fields.date_add)) fields.date_add = now;
  if ('date_upd' in fields) fields.date_upd = now;
  if (def.name === 'products' && method === 'POST' && input.associations.categories?.length) fields.position_in_category = String(candidate.id);

  const echo = structuredClone(candidate);
  if (method === 'POST') {
    // The PHP object only holds the languages the body gave (plus generated link_rewrite): the JSON echo shows
    // the others as null with a PHP warning (recorded 126, 127).
    for (const f of def.fields.filter((x) => x.multilingual)) {
      const given = input.fields[f.name];
      if (f.name === 'link_rewrite' && !given) {
        const lr = fields.link_rewrite as LangValue;
        echo.fields[f.name] = Object.fromEntries(Object.entries(lr).filter(([, v]) => v !== ''));
      } else if (!given) echo.fields[f.name] = {};
      else if (isLang(given)) echo.fields[f.name] = Object.fromEntries(Object.entries(given).filter(([l]) => langs.includes(l)));
    }
  }
  const withDefaults = { ...fields };
  if (method === 'POST') for (const [k, v] of Object.entries(STORED_DEFAULTS[def.name] ?? {})) if (!(k in input.fields)) withDefaults[k] = v;
  const storedFields = normalise(def, withDefaults);
  const stored: Entity = { id: candidate.id, fields: storedFields, associations: structuredClone(associations) };
  store.put(def.name, stored);
  afterSave(store, def, method, stored);
  // Associations the save itself adds (a new product's stock row) are part of the echo (recorded 053).
  echo.associations = structuredClone(stored.associations);
  return { echo, stored, status: method === 'POST' ? 201 : 200 };
}

/** The unique key of ps_specific_price; a duplicate is an uncaught PDOException: bare 500 (recorded 061). */
const SPECIFIC_PRICE_KEY = ['id_product', 'id_shop', 'id_shop_group', 'id_currency', 'id_country', 'id_group', 'id_customer', 'id_product_attribute', 'from_quantity', 'id_specific_price_rule', 'id_cart', 'from', 'to'];

function beforeCreate(store: Store, def: ResourceDef, e: Entity): void {
  if (def.name === 'specific_prices') {
    const key = (x: Entity) => SPECIFIC_PRICE_KEY.map((k) => String(Number(textOf(x.fields[k])) || textOf(x.fields[k]))).join('|');
    const k = key({ ...e, fields: normalise(def, e.fields) });
    if (store.all('specific_prices').some((s) => key(s) === k)) throw new BareResponse(500, 'text/html; charset=utf-8');
  }
}

function afterSave(store: Store, def: ResourceDef, method: WriteMethod, e: Entity): void {
  const now = store.now();
  switch (def.name) {
    case 'products':
      if (method === 'POST') store.ensureStockRow(e.id, 0);
      break;
    case 'combinations': {
      const idProduct = Number(textOf(e.fields.id_product));
      if (method === 'POST') {
        store.ensureStockRow(idProduct, e.id);
        const product = store.get('products', idProduct);
        if (product) {
          const list = product.associations.combinations ?? [];
          list.push({ id: String(e.id) });
          product.associations.combinations = list;
          if (!Number(textOf(product.fields.id_default_combination))) product.fields.id_default_combination = String(e.id);
          product.fields.product_type = 'combinations';
        }
      }
      store.syncProductStock(idProduct);
      break;
    }
    case 'stock_availables':
      // Writing a combination row re-derives the product row; writing the product row itself is kept until the
      // next synchronisation (recorded 040/041 then 134).
      if (textOf(e.fields.id_product_attribute) !== '0') store.syncProductStock(Number(textOf(e.fields.id_product)));
      break;
    case 'customer_messages': {
      const thread = store.get('customer_threads', Number(textOf(e.fields.id_customer_thread)));
      if (thread && method === 'POST') {
        const list = thread.associations.customer_messages ?? [];
        list.push({ id: String(e.id) });
        thread.associations.customer_messages = list;
        thread.fields.date_upd = now;
      }
      break;
    }
    case 'order_histories': {
      const order = store.get('orders', Number(textOf(e.fields.id_order)));
      if (order && method === 'POST') {
        const state = store.get('order_states', Number(textOf(e.fields.id_order_state)));
        const previous = store.get('order_states', Number(textOf(order.fields.current_state)));
        order.fields.current_state = textOf(e.fields.id_order_state);
        order.fields.date_upd = now;
        // OrderHistory::changeIdOrderState: entering a "logable" (validated) state takes the ordered quantities out
        // of stock, leaving one puts them back (recorded 134: order 1 went from Canceled to Shipped, -1).
        const wasLogable = textOf(previous?.fields.logable) === '1';
        const isLogable = textOf(state?.fields.logable) === '1';
        if (wasLogable !== isLogable) {
          for (const row of order.associations.order_rows ?? []) {
            const q = Number(row.product_quantity || 0);
            store.moveStock(Number(row.product_id), Number(row.product_attribute_id || 0), isLogable ? -q : q);
          }
        }
        if (textOf(state?.fields.paid) === '1' && !Number(textOf(order.fields.total_paid_real))) {
          order.fields.total_paid_real = textOf(order.fields.total_paid_tax_incl);
        }
        if (textOf(state?.fields.invoice) === '1' && textOf(order.fields.invoice_number) === '0') {
          order.fields.invoice_number = String(order.id);
          order.fields.invoice_date = now;
          for (const d of store.all('order_details').filter((x) => textOf(x.fields.id_order) === String(order.id))) d.fields.id_order_invoice = String(order.id);
        }
        if (textOf(state?.fields.delivery) === '1' && textOf(order.fields.delivery_number) === '0') {
          order.fields.delivery_number = String(order.id);
          order.fields.delivery_date = now;
        }
        if (textOf(state?.fields.logable) === '1') order.fields.valid = '1';
        // A state change synchronises the stock of the order's products (recorded 134).
        for (const row of order.associations.order_rows ?? []) store.syncProductStock(Number(row.product_id));
      }
      break;
    }
    case 'orders':
      if (method === 'POST') {
        for (const row of e.associations.order_rows ?? []) {
          store.moveStock(Number(row.product_id), Number(row.product_attribute_id || 0), -Number(row.product_quantity || 0));
        }
      }
      break;
  }
}
