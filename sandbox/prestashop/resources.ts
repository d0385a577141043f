import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { specPath } from '../common/specs.ts';

/**
 * Resource definitions, read from the specs at startup (never hand-written): the real shop's `?schema=synopsis`
 * answers (synopsis-8.2.1/*.xml) first, and the docs-derived `webservice-resources.fields.json` + blank schemas
 * for resources the synopsis folder lacks. Field ORDER comes from these files too, because the real webservice
 * renders fields in definition order whatever order `display=[…]` asks for (recorded 010).
 */
export interface FieldDef {
  name: string;
  required: boolean;
  format?: string;
  maxSize?: number;
  /** `read_only`/`readOnly` in synopsis: the field has `setter => false`; writing it is error 93. */
  readOnly: boolean;
  notFilterable: boolean;
  multilingual: boolean;
}

export interface AssociationDef {
  name: string;
  nodeType: string;
  api?: string;
  fields: string[];
}

export interface ResourceDef {
  /** Plural resource name used in URLs, e.g. `products`. */
  name: string;
  /** Singular XML node, e.g. `product`. */
  node: string;
  /** PHP class name used in validation messages (`Product->ean13`). */
  className: string;
  fields: FieldDef[];
  associations: AssociationDef[];
  /** Methods the resource supports at all (stock_availables: no POST/DELETE). */
  methods: string[];
  source: 'synopsis-8.2.1' | 'fields.json';
}

const ATTR_RE = /([\w:]+)="([^"]*)"/g;

function attrs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(ATTR_RE)) out[m[1]!] = m[2]!;
  return out;
}

/** Parses a synopsis or blank-schema XML (one resource) into fields and associations. */
export function parseSchemaXml(xml: string): { node: string; fields: FieldDef[]; associations: AssociationDef[] } {
  const nodeMatch = /<prestashop[^>]*>\s*<(\w+)>/.exec(xml);
  if (!nodeMatch) throw new Error('schema XML without a resource node');
  const node = nodeMatch[1]!;
  const body = xml.slice(nodeMatch.index + nodeMatch[0].length);
  const assocStart = body.indexOf('<associations>');
  const fieldPart = assocStart >= 0 ? body.slice(0, assocStart) : body;
  const fields: FieldDef[] = [];
  // One field per line at depth one; multilingual fields may span lines in blank schemas.
  for (const m of fieldPart.matchAll(/^\s*<(\w+)((?:\s+[\w:]+="[^"]*")*)\s*(\/?)>/gm)) {
    const name = m[1]!;
    if (name === 'language' || name === 'id' || name === node) continue;
    const a = attrs(m[2] ?? '');
    const rest = fieldPart.slice(m.index! + m[0].length, fieldPart.indexOf(`</${name}>`, m.index!));
    fields.push({
      name,
      required: a.required === 'true',
      ...(a.format ? { format: a.format } : {}),
      ...(a.maxSize ? { maxSize: Number(a.maxSize) } : {}),
      readOnly: a.readOnly === 'true' || a.read_only === 'true',
      notFilterable: a.notFilterable === 'true',
      multilingual: rest.includes('<language'),
    });
  }
  const associations: AssociationDef[] = [];
  if (assocStart >= 0) {
    const assocPart = body.slice(assocStart);
    for (const m of assocPart.matchAll(/<(\w+)((?:\s+[\w:]+="[^"]*")+)\s*(?:\/>|>([\s\S]*?)<\/\1>)/g)) {
      const a = attrs(m[2]!);
      if (!a.nodeType) continue;
      const inner = m[3] ?? '';
      const itemFields = [...inner.matchAll(/^\s*<(\w+)[^>]*>(?:<!\[CDATA\[)/gm)].map((x) => x[1]!);
      associations.push({
        name: m[1]!,
        nodeType: a.nodeType,
        ...(a.api ? { api: a.api } : {}),
        fields: itemFields.length ? itemFields : ['id'],
      });
    }
  }
  return { node, fields, associations };
}

interface FieldsJsonResource {
  node: string;
  fields: Record<string, { format?: string; required?: boolean; maxSize?: number; notFilterable?: boolean; multilingual?: boolean; writable?: boolean }>;
  associations?: Record<string, { nodeType?: string; api?: string; fields?: string[] } | unknown>;
}

const CLASS_NAMES: Record<string, string> = {
  products: 'Product', combinations: 'Combination', stock_availables: 'StockAvailable', specific_prices: 'SpecificPrice',
  specific_price_rules: 'SpecificPriceRule', categories: 'Category', orders: 'Order', order_details: 'OrderDetail',
  order_histories: 'OrderHistory', order_states: 'OrderState', order_carriers: 'OrderCarrier',
  customer_threads: 'CustomerThread', customer_messages: 'CustomerMessage', customers: 'Customer', addresses: 'Address',
  carts: 'Cart', currencies: 'Currency', languages: 'Language', shops: 'Shop', taxes: 'Tax',
  tax_rule_groups: 'TaxRulesGroup', tax_rules: 'TaxRule', images: 'Image', carriers: 'Carrier', countries: 'Country',
  cart_rules: 'CartRule', groups: 'Group', manufacturers: 'Manufacturer', suppliers: 'Supplier', contacts: 'Contact',
};

function pascal(node: string): string {
  return node.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

/**
 * Every resource name the real 8.2.1 shop lists in its "does not exists" error (recorded 096), alphabetical.
 * Only those with a definition below can be served; the others answer as the key not being allowed (code 26).
 */
export const ALL_RESOURCE_NAMES = [
  'addresses', 'attachments', 'carriers', 'cart_rules', 'carts', 'categories', 'combinations', 'configurations',
  'contacts', 'content_management_system', 'countries', 'currencies', 'customer_messages', 'customer_threads',
  'customers', 'customizations', 'deliveries', 'employees', 'groups', 'guests', 'image_types', 'images', 'languages',
  'manufacturers', 'messages', 'order_carriers', 'order_cart_rules', 'order_details', 'order_histories',
  'order_invoices', 'order_payments', 'order_slip', 'order_states', 'orders', 'price_ranges',
  'product_customization_fields', 'product_feature_values', 'product_features', 'product_option_values',
  'product_options', 'product_suppliers', 'products', 'search', 'shop_groups', 'shop_urls', 'shops',
  'specific_price_rules', 'specific_prices', 'states', 'stock_availables', 'stock_movement_reasons',
  'stock_movements', 'stocks', 'stores', 'suppliers', 'supply_order_details', 'supply_order_histories',
  'supply_order_receipt_histories', 'supply_order_states', 'supply_orders', 'tags', 'tax_rule_groups', 'tax_rules',
  'taxes', 'translated_configurations', 'warehouse_product_locations', 'warehouses', 'weight_ranges', 'zones',
] as const;

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

/** Resources served as plain stored records (images need multipart and binary storage: not simulated). */
const SERVED_FROM_FIELDS_JSON = ['order_states', 'order_carriers', 'carriers', 'countries', 'groups', 'contacts', 'manufacturers', 'suppliers', 'product_options', 'product_option_values', 'product_features', 'product_feature_values', 'specific_price_rules', 'cart_rules', 'addresses', 'currencies'];

let cache: Map<string, ResourceDef> | undefined;

export function loadResources(): Map<string, ResourceDef> {
  if (cache) return cache;
  const out = new Map<string, ResourceDef>();
  const fieldsJson = JSON.parse(readFileSync(specPath('prestashop/webservice-resources.fields.json'), 'utf8')) as Record<string, unknown> & {
    _meta: { httpMethodExceptions: Record<string, string[] | string> };
  };
  const exceptions = fieldsJson._meta.httpMethodExceptions;
  const methodsOf = (name: string) => {
    const ex = exceptions[name];
    return Array.isArray(ex) ? ex : ALL_METHODS;
  };
  const synDir = specPath('prestashop/synopsis-8.2.1');
  for (const file of readdirSync(synDir).filter((f) => f.endsWith('.synopsis.xml'))) {
    const name = file.replace('.synopsis.xml', '');
    if (name === 'images') continue;
    const parsed = parseSchemaXml(readFileSync(join(synDir, file), 'utf8'));
    out.set(name, {
      name,
      node: parsed.node,
      className: CLASS_NAMES[name] ?? pascal(parsed.node),
      fields: parsed.fields,
      associations: parsed.associations,
      methods: methodsOf(name),
      source: 'synopsis-8.2.1',
    });
  }
  for (const name of SERVED_FROM_FIELDS_JSON) {
    if (out.has(name)) continue;
    const fj = fieldsJson[name] as FieldsJsonResource | undefined;
    if (!fj) continue;
    // Field order from the blank schema; attributes from the docs table.
    const blank = parseSchemaXml(readFileSync(specPath(`prestashop/blank-schemas/${name}.xml`), 'utf8'));
    const fields: FieldDef[] = blank.fields.map((f) => {
      const d = fj.fields[f.name] ?? {};
      return {
        name: f.name,
        required: d.required === true,
        ...(d.format ? { format: d.format } : {}),
        ...(d.maxSize ? { maxSize: d.maxSize } : {}),
        readOnly: d.writable === false,
        notFilterable: d.notFilterable === true,
        multilingual: d.multilingual === true || f.multilingual,
      };
    });
    out.set(name, {
      name,
      node: fj.node,
      className: CLASS_NAMES[name] ?? pascal(fj.node),
      fields,
      associations: blank.associations,
      methods: methodsOf(name),
      source: 'fields.json',
    });
  }
  cache = out;
  return out;
}

export function fieldOf(def: ResourceDef, name: string): FieldDef | undefined {
  return def.fields.find((f) => f.name === name);
}

/**
 * Which id fields the real shop renders with an `xlink:href`, per resource (read off the recorded XML bodies:
 * e.g. `id_shop` links to shops on stock_availables but not on orders). A zero or empty value never links.
 */
export const LINKS: Record<string, Record<string, string>> = {
  products: {
    id_manufacturer: 'manufacturers', id_supplier: 'suppliers', id_category_default: 'categories',
    id_default_image: 'images/products/{id}', id_default_combination: 'combinations', id_tax_rules_group: 'tax_rule_groups',
  },
  stock_availables: { id_product: 'products', id_product_attribute: 'combinations', id_shop: 'shops' },
  combinations: { id_product: 'products' },
  specific_prices: { id_product: 'products', id_shop: 'shops' },
  customer_threads: { id_lang: 'languages', id_shop: 'shops', id_customer: 'customers', id_order: 'orders' },
  customer_messages: { id_customer_thread: 'customer_threads', id_employee: 'employees' },
  order_histories: { id_order: 'orders', id_order_state: 'order_states' },
  orders: {
    id_address_delivery: 'addresses', id_address_invoice: 'addresses', id_cart: 'carts', id_currency: 'currencies',
    id_lang: 'languages', id_customer: 'customers', id_carrier: 'carriers', current_state: 'order_states',
  },
  order_details: { id_order: 'orders', product_id: 'products' },
};

/** Association item fields that link (`product_id` in order_rows, `id_feature_value` in product_features). */
export const ASSOC_FIELD_LINKS: Record<string, string> = {
  product_id: 'products', id_feature_value: 'product_feature_values', id_customization: 'customizations',
};
