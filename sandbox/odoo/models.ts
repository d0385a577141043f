import { userError, validationError } from './errors.ts';
import { pricelistPrice } from './pricelist.ts';
import { ensureMoves } from './sale.ts';
import { productQuantities, warehouseOfLocation } from './stock.ts';
import { displayName, getValue, type Env, type FieldDef, type ModelDef, type Registry, type Row } from './store.ts';

/**
 * The models the hub's Odoo connector needs, with the fields named in the channel notes (section 3.4) and Odoo's
 * own defaults, display names and constraints. Differences between versions: product `type` is
 * consu/service/product on ≤17 and consu/service/combo plus `is_storable` on 18+.
 */
const char = (string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type: 'char', string, ...x });
const text = (string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type: 'text', string, ...x });
const bool = (string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type: 'boolean', string, ...x });
const float = (string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type: 'float', string, ...x });
const int = (string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type: 'integer', string, ...x });
const dt = (string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type: 'datetime', string, ...x });
const m2o = (relation: string, string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type: 'many2one', relation, string, ...x });
const o2m = (relation: string, inverseName: string, string: string): FieldDef => ({ type: 'one2many', relation, inverseName, string });
const m2m = (relation: string, string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type: 'many2many', relation, string, ...x });
const sel = (selection: Array<[string, string]>, string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type: 'selection', selection, string, ...x });
const related = (type: FieldDef['type'], path: string, string: string, x: Partial<FieldDef> = {}): FieldDef => ({ type, related: path.split('.'), string, ...x });
const active = () => bool('Active', { default: () => true });
const computed = (type: FieldDef['type'], string: string, compute: FieldDef['compute'], x: Partial<FieldDef> = {}): FieldDef => ({ type, string, compute, readonly: true, ...x });

const v = (env: Env, model: string, row: Row, f: string) => getValue(env, model, row, f);
const firstId = (env: Env, model: string): number | false => {
  const rows = env.db.rows(model).filter((r) => r.active !== false);
  return rows.length ? Math.min(...rows.map((r) => r.id)) : false;
};
const variantsOf = (env: Env, tmplId: number): Row[] =>
  env.db.rows('product.product').filter((p) => p.product_tmpl_id === tmplId).sort((a, b) => a.id - b.id);

/** Template fields that mirror the single variant (Odoo computes them, with an inverse, when there is one variant). */
function fromSingleVariant(type: FieldDef['type'], fname: string, string: string): FieldDef {
  return {
    type,
    string,
    compute: (env, row) => {
      const vs = variantsOf(env, row.id);
      return vs.length === 1 ? (vs[0]![fname] ?? false) : type === 'float' ? 0 : false;
    },
    inverse: (env, row, value) => {
      const vs = variantsOf(env, row.id);
      if (vs.length !== 1) return;
      const target = vs[0]!;
      const defs = env.db.model('product.product').fields;
      if (defs[fname]!.type === 'float') target[fname] = typeof value === 'number' ? value : 0;
      else target[fname] = value === '' ? false : value;
      if (fname === 'barcode') checkBarcodes(env, target);
      target.write_date = env.db.now();
    },
  };
}

function checkBarcodes(env: Env, product: Row): void {
  if (!product.barcode) return;
  const clash = env.db.rows('product.product').filter((p) => p.id !== product.id && p.barcode === product.barcode);
  if (clash.length) {
    const names = clash.map((p) => displayName(env, 'product.product', p.id)).join(', ');
    throw validationError(`Barcode(s) already assigned:\n\n- Barcode "${product.barcode}" already assigned to product(s): ${names}`);
  }
}

function productTypeFields(major: number): Record<string, FieldDef> {
  if (major >= 18) {
    return {
      type: sel([['consu', 'Goods'], ['service', 'Service'], ['combo', 'Combo']], 'Product Type', { required: true, default: () => 'consu' }),
      is_storable: bool('Track Inventory', { default: () => false }),
    };
  }
  return {
    type: sel([['consu', 'Consumable'], ['service', 'Service'], ['product', 'Storable Product']], 'Product Type', { required: true, default: () => 'consu' }),
  };
}

const quantityFields = (): Record<string, FieldDef> => ({
  qty_available: computed('float', 'Quantity On Hand', (env, row) => productQuantities(env, row.id).qty_available),
  free_qty: computed('float', 'Free To Use Quantity', (env, row) => productQuantities(env, row.id).free_qty),
  incoming_qty: computed('float', 'Incoming', (env, row) => productQuantities(env, row.id).incoming_qty),
  outgoing_qty: computed('float', 'Outgoing', (env, row) => productQuantities(env, row.id).outgoing_qty),
  virtual_available: computed('float', 'Forecasted Quantity', (env, row) => productQuantities(env, row.id).virtual_available),
});

const templateQuantity = (key: 'qty_available' | 'incoming_qty' | 'outgoing_qty' | 'virtual_available', string: string): FieldDef =>
  computed('float', string, (env, row) =>
    variantsOf(env, row.id).reduce((s, p) => s + productQuantities(env, p.id)[key], 0));

function locationCompleteName(env: Env, row: Row): string {
  const parent = typeof row.location_id === 'number' ? env.db.row('stock.location', row.location_id) : undefined;
  if (parent && row.usage !== 'view') return `${locationCompleteName(env, parent)}/${row.name}`;
  return String(row.name);
}

function orderAmount(env: Env, row: Row): number {
  return env.db
    .rows('sale.order.line')
    .filter((l) => l.order_id === row.id)
    .reduce((s, l) => s + (v(env, 'sale.order.line', l, 'price_subtotal') as number), 0);
}

export function buildRegistry(major: number): Registry {
  const models: Array<Omit<ModelDef, 'displayName'> & { displayName?: ModelDef['displayName'] }> = [
    {
      name: 'res.users', description: 'User', order: 'name, login',
      fields: { name: char('Name', { required: true }), login: char('Login', { required: true }), partner_id: m2o('res.partner', 'Related Partner'), lang: char('Language'), tz: char('Timezone'), active: active() },
    },
    {
      name: 'res.partner', description: 'Contact', order: 'name, id',
      fields: {
        name: char('Name'), email: char('Email'), phone: char('Phone'), is_company: bool('Is a Company'),
        parent_id: m2o('res.partner', 'Related Company'), street: char('Street'), city: char('City'), zip: char('Zip'),
        vat: char('Tax ID'), ref: char('Reference'), lang: char('Language'), active: active(),
        child_ids: o2m('res.partner', 'parent_id', 'Contact'),
      },
      parentField: 'parent_id',
      constrain: (_env, row) => {
        if (!row.name) throw validationError('Contacts require a name');
      },
    },
    {
      name: 'res.currency', description: 'Currency', order: 'active desc, name',
      fields: { name: char('Currency', { required: true }), symbol: char('Symbol'), rounding: float('Rounding Factor', { default: () => 0.01 }), active: active() },
    },
    {
      name: 'product.category', description: 'Product Category', order: 'complete_name',
      fields: {
        name: char('Name', { required: true }), parent_id: m2o('product.category', 'Parent Category'),
        complete_name: computed('char', 'Complete Name', (env, row) => {
          const parent = typeof row.parent_id === 'number' ? env.db.row('product.category', row.parent_id) : undefined;
          return parent ? `${v(env, 'product.category', parent, 'complete_name')} / ${row.name}` : String(row.name);
        }),
      },
      parentField: 'parent_id',
      displayName: (env, row) => v(env, 'product.category', row, 'complete_name') as string,
    },
    {
      name: 'product.attribute', description: 'Product Attribute', order: 'name',
      fields: { name: char('Attribute', { required: true }), value_ids: o2m('product.attribute.value', 'attribute_id', 'Values') },
    },
    {
      name: 'product.attribute.value', description: 'Attribute Value', order: 'attribute_id, id',
      fields: { name: char('Value', { required: true }), attribute_id: m2o('product.attribute', 'Attribute', { required: true }) },
    },
    {
      name: 'product.template.attribute.value', description: 'Product Template Attribute Value', order: 'id',
      fields: {
        product_attribute_value_id: m2o('product.attribute.value', 'Attribute Value', { required: true }),
        attribute_id: related('many2one', 'product_attribute_value_id.attribute_id', 'Attribute', { relation: 'product.attribute' }),
        name: related('char', 'product_attribute_value_id.name', 'Value'),
        product_tmpl_id: m2o('product.template', 'Product Template', { required: true }),
        price_extra: float('Value Price Extra'),
      },
      displayName: (env, row) => {
        const attr = v(env, 'product.template.attribute.value', row, 'attribute_id');
        return `${typeof attr === 'number' ? displayName(env, 'product.attribute', attr) : ''}: ${v(env, 'product.template.attribute.value', row, 'name')}`;
      },
    },
    {
      name: 'product.template', description: 'Product', order: 'name',
      fields: {
        name: char('Name', { required: true }),
        ...productTypeFields(major),
        categ_id: m2o('product.category', 'Product Category', { required: true, default: (env) => firstId(env, 'product.category') }),
        list_price: float('Sales Price', { default: () => 1 }),
        standard_price: fromSingleVariant('float', 'standard_price', 'Cost'),
        default_code: fromSingleVariant('char', 'default_code', 'Internal Reference'),
        barcode: fromSingleVariant('char', 'barcode', 'Barcode'),
        description_sale: text('Sales Description'),
        sale_ok: bool('Can be Sold', { default: () => true }),
        purchase_ok: bool('Can be Purchased', { default: () => true }),
        weight: float('Weight'),
        active: active(),
        product_variant_ids: o2m('product.product', 'product_tmpl_id', 'Products'),
        product_variant_count: computed('integer', '# Product Variants', (env, row) => variantsOf(env, row.id).length),
        product_variant_id: computed('many2one', 'Product', (env, row) => variantsOf(env, row.id)[0]?.id ?? false, { relation: 'product.product' }),
        qty_available: templateQuantity('qty_available', 'Quantity On Hand'),
        incoming_qty: templateQuantity('incoming_qty', 'Incoming'),
        outgoing_qty: templateQuantity('outgoing_qty', 'Outgoing'),
        virtual_available: templateQuantity('virtual_available', 'Forecasted Quantity'),
      },
      displayName: (env, row) => {
        const code = v(env, 'product.template', row, 'default_code');
        return code ? `[${code}] ${row.name}` : String(row.name);
      },
      // Odoo creates the variants with the template; `create_product_product: False` in the context skips it.
      afterCreate: (env, row) => {
        if (env.context.create_product_product === false) return;
        const now = env.db.now();
        const id = env.db.nextId('product.product');
        env.db.table('product.product').set(id, {
          id, product_tmpl_id: row.id, default_code: false, barcode: false, standard_price: 0, active: true,
          product_template_attribute_value_ids: [], create_date: now, write_date: now, create_uid: env.uid, write_uid: env.uid,
        });
      },
    },
    {
      name: 'product.product', description: 'Product Variant', order: 'default_code, name, id',
      fields: {
        product_tmpl_id: m2o('product.template', 'Product Template', { required: true }),
        default_code: char('Internal Reference'),
        barcode: char('Barcode', { help: 'International Article Number used for product identification.' }),
        name: related('char', 'product_tmpl_id.name', 'Name'),
        list_price: related('float', 'product_tmpl_id.list_price', 'Sales Price'),
        lst_price: computed('float', 'Sales Price', (env, row) => {
          const tmpl = env.db.row('product.template', row.product_tmpl_id as number);
          const extra = ((row.product_template_attribute_value_ids as number[]) ?? [])
            .reduce((s, id) => s + ((env.db.row('product.template.attribute.value', id)?.price_extra as number) ?? 0), 0);
          return ((tmpl?.list_price as number) ?? 0) + extra;
        }),
        standard_price: float('Cost'),
        ...Object.fromEntries(Object.keys(productTypeFields(major)).map((k) => [k, related(productTypeFields(major)[k]!.type, `product_tmpl_id.${k}`, productTypeFields(major)[k]!.string, { selection: productTypeFields(major)[k]!.selection })])),
        categ_id: related('many2one', 'product_tmpl_id.categ_id', 'Product Category', { relation: 'product.category' }),
        sale_ok: related('boolean', 'product_tmpl_id.sale_ok', 'Can be Sold'),
        description_sale: related('text', 'product_tmpl_id.description_sale', 'Sales Description'),
        active: active(),
        product_template_attribute_value_ids: m2m('product.template.attribute.value', 'Attribute Values'),
        stock_quant_ids: o2m('stock.quant', 'product_id', 'Quants'),
        ...quantityFields(),
      },
      displayName: (env, row) => {
        const name = String(v(env, 'product.product', row, 'name'));
        const values = ((row.product_template_attribute_value_ids as number[]) ?? [])
          .map((id) => v(env, 'product.template.attribute.value', env.db.row('product.template.attribute.value', id)!, 'name'))
          .filter(Boolean);
        const base = values.length ? `${name} (${values.join(', ')})` : name;
        return row.default_code ? `[${row.default_code}] ${base}` : base;
      },
      constrain: (env, row) => checkBarcodes(env, row),
    },
    {
      name: 'stock.location', description: 'Inventory Locations', order: 'complete_name, id',
      fields: {
        name: char('Location Name', { required: true }),
        complete_name: computed('char', 'Full Location Name', (env, row) => locationCompleteName(env, row)),
        location_id: m2o('stock.location', 'Parent Location'),
        usage: sel([['supplier', 'Vendor Location'], ['view', 'View'], ['internal', 'Internal Location'], ['customer', 'Customer Location'], ['inventory', 'Inventory Loss'], ['production', 'Production'], ['transit', 'Transit Location']], 'Location Type', { required: true, default: () => 'internal' }),
        warehouse_id: computed('many2one', 'Warehouse', (env, row) => warehouseOfLocation(env, row.id), { relation: 'stock.warehouse' }),
        active: active(),
      },
      parentField: 'location_id',
      displayName: (env, row) => locationCompleteName(env, row),
    },
    {
      name: 'stock.warehouse', description: 'Warehouse', order: 'sequence, id',
      fields: {
        name: char('Warehouse', { required: true }),
        code: char('Short Name', { required: true }),
        sequence: int('Sequence', { default: () => 10 }),
        view_location_id: m2o('stock.location', 'View Location'),
        lot_stock_id: m2o('stock.location', 'Location Stock'),
        active: active(),
      },
      // Creating a warehouse creates its view location "CODE" and its stock location "CODE/Stock".
      afterCreate: (env, row) => {
        const now = env.db.now();
        const mk = (name: string, parent: number | false, usage: string): number => {
          const id = env.db.nextId('stock.location');
          env.db.table('stock.location').set(id, { id, name, location_id: parent, usage, active: true, create_date: now, write_date: now, create_uid: env.uid, write_uid: env.uid });
          return id;
        };
        if (row.view_location_id === false) row.view_location_id = mk(String(row.code), false, 'view');
        if (row.lot_stock_id === false) row.lot_stock_id = mk('Stock', row.view_location_id as number, 'internal');
      },
    },
    {
      name: 'stock.lot', description: 'Lot/Serial', order: 'name, id',
      fields: { name: char('Lot/Serial Number', { required: true }), product_id: m2o('product.product', 'Product', { required: true }) },
    },
    {
      name: 'stock.quant', description: 'Quants', order: 'id',
      fields: {
        product_id: m2o('product.product', 'Product', { required: true }),
        product_tmpl_id: related('many2one', 'product_id.product_tmpl_id', 'Product Template', { relation: 'product.template' }),
        location_id: m2o('stock.location', 'Location', { required: true }),
        warehouse_id: computed('many2one', 'Warehouse', (env, row) => warehouseOfLocation(env, row.location_id as number), { relation: 'stock.warehouse' }),
        lot_id: m2o('stock.lot', 'Lot/Serial Number'),
        owner_id: m2o('res.partner', 'Owner'),
        quantity: float('Quantity', { readonly: true }),
        reserved_quantity: float('Reserved Quantity', { readonly: true }),
        available_quantity: computed('float', 'Available Quantity', (_env, row) => (row.quantity as number) - (row.reserved_quantity as number)),
        inventory_quantity: float('Counted Quantity'),
        inventory_diff_quantity: computed('float', 'Difference', (_env, row) => (row.inventory_quantity_set ? (row.inventory_quantity as number) - (row.quantity as number) : 0)),
        inventory_quantity_set: bool('Inventory Quantity Set'),
        in_date: dt('Incoming Date', { default: (env) => env.db.now() }),
      },
      displayName: (env, row) => (typeof row.product_id === 'number' ? displayName(env, 'product.product', row.product_id) : ''),
      // Quantities change only through stock operations; the API may only set the counted quantity.
      beforeWrite: (_env, _rows, vals) => {
        const allowed = new Set(['inventory_quantity', 'inventory_quantity_set', 'inventory_date', 'user_id']);
        if (Object.keys(vals).some((k) => !allowed.has(k))) throw userError("Quant's editing is restricted, you can't do this operation.");
      },
      afterWrite: (_env, row, vals) => {
        if ('inventory_quantity' in vals && !('inventory_quantity_set' in vals)) row.inventory_quantity_set = true;
      },
    },
    {
      name: 'product.pricelist', description: 'Pricelist', order: 'sequence, id',
      fields: {
        name: char('Pricelist Name', { required: true }),
        sequence: int('Sequence', { default: () => 16 }),
        currency_id: m2o('res.currency', 'Currency', { required: true, default: (env) => firstId(env, 'res.currency') }),
        item_ids: o2m('product.pricelist.item', 'pricelist_id', 'Pricelist Rules'),
        active: active(),
      },
      displayName: (env, row) => `${row.name} (${displayName(env, 'res.currency', row.currency_id as number)})`,
    },
    {
      name: 'product.pricelist.item', description: 'Pricelist Rule', order: 'applied_on, min_quantity desc, categ_id desc, id desc',
      fields: {
        pricelist_id: m2o('product.pricelist', 'Pricelist', { required: true }),
        applied_on: sel([['3_global', 'All Products'], ['2_product_category', 'Product Category'], ['1_product', 'Product'], ['0_product_variant', 'Product Variant']], 'Apply On', {
          required: true,
          // Recent versions derive it from the target given.
          default: (_env, vals) => (vals.product_id ? '0_product_variant' : vals.product_tmpl_id ? '1_product' : vals.categ_id ? '2_product_category' : '3_global'),
        }),
        product_tmpl_id: m2o('product.template', 'Product'),
        product_id: m2o('product.product', 'Product Variant'),
        categ_id: m2o('product.category', 'Product Category'),
        min_quantity: float('Min. Quantity'),
        compute_price: sel([['fixed', 'Fixed Price'], ['percentage', 'Discount'], ['formula', 'Formula']], 'Price Type', { required: true, default: () => 'fixed' }),
        fixed_price: float('Fixed Price'),
        percent_price: float('Percentage Price'),
        base: sel([['list_price', 'Sales Price'], ['standard_price', 'Cost'], ['pricelist', 'Other Pricelist']], 'Based on', { required: true, default: () => 'list_price' }),
        base_pricelist_id: m2o('product.pricelist', 'Other Pricelist'),
        price_discount: float('Price Discount'),
        price_surcharge: float('Price Surcharge'),
        date_start: dt('Start Date'),
        date_end: dt('End Date'),
        name: computed('char', 'Name', (env, row) => {
          switch (row.applied_on) {
            case '0_product_variant': return `Variant: ${displayName(env, 'product.product', row.product_id as number)}`;
            case '1_product': return `Product: ${displayName(env, 'product.template', row.product_tmpl_id as number)}`;
            case '2_product_category': return `Category: ${displayName(env, 'product.category', row.categ_id as number)}`;
            default: return 'All Products';
          }
        }),
      },
      displayName: (env, row) => v(env, 'product.pricelist.item', row, 'name') as string,
      constrain: (_env, row) => {
        if (row.applied_on === '2_product_category' && !row.categ_id) throw validationError('Please specify the category for which this rule should be applied');
        if (row.applied_on === '1_product' && !row.product_tmpl_id) throw validationError('Please specify the product for which this rule should be applied');
        if (row.applied_on === '0_product_variant' && !row.product_id) throw validationError('Please specify the product variant for which this rule should be applied');
      },
    },
    {
      name: 'sale.order', description: 'Sales Order', order: 'date_order desc, id desc',
      fields: {
        name: char('Order Reference', { required: true, default: () => 'New' }),
        partner_id: m2o('res.partner', 'Customer', { required: true }),
        pricelist_id: m2o('product.pricelist', 'Pricelist', { default: (env) => firstId(env, 'product.pricelist') }),
        currency_id: related('many2one', 'pricelist_id.currency_id', 'Currency', { relation: 'res.currency' }),
        warehouse_id: m2o('stock.warehouse', 'Warehouse', { default: (env) => firstId(env, 'stock.warehouse') }),
        client_order_ref: char('Customer Reference'),
        origin: char('Source Document'),
        state: sel([['draft', 'Quotation'], ['sent', 'Quotation Sent'], ['sale', 'Sales Order'], ['cancel', 'Cancelled']], 'Status', { readonly: true, default: () => 'draft' }),
        date_order: dt('Order Date', { required: true, default: (env) => env.db.now() }),
        order_line: o2m('sale.order.line', 'order_id', 'Order Lines'),
        amount_untaxed: computed('monetary', 'Untaxed Amount', (env, row) => orderAmount(env, row)),
        amount_tax: computed('monetary', 'Taxes', () => 0),
        amount_total: computed('monetary', 'Total', (env, row) => orderAmount(env, row)),
      },
      afterCreate: (env, row) => {
        if (row.name === 'New') row.name = `S${String(env.db.nextSequence('sale.order')).padStart(5, '0')}`;
      },
      afterWrite: (env, row) => ensureMoves(env, row),
    },
    {
      name: 'sale.order.line', description: 'Sales Order Line', order: 'order_id, sequence, id',
      fields: {
        order_id: m2o('sale.order', 'Order Reference', { required: true }),
        sequence: int('Sequence', { default: () => 10 }),
        product_id: m2o('product.product', 'Product'),
        name: text('Description', {
          default: (env, vals) => (typeof vals.product_id === 'number' ? displayName(env, 'product.product', vals.product_id) : false),
        }),
        product_uom_qty: float('Quantity', { default: () => 1 }),
        // Without an explicit price, the order's pricelist decides (as the onchange/compute does in Odoo).
        price_unit: float('Unit Price', {
          default: (env, vals) => {
            if (typeof vals.product_id !== 'number') return 0;
            const order = typeof vals.order_id === 'number' ? env.db.row('sale.order', vals.order_id) : undefined;
            const qty = typeof vals.product_uom_qty === 'number' ? vals.product_uom_qty : 1;
            if (!order || typeof order.pricelist_id !== 'number') return getValue(env, 'product.product', env.db.row('product.product', vals.product_id) ?? { id: 0 }, 'lst_price');
            return pricelistPrice(env, order.pricelist_id, vals.product_id, qty, String(order.date_order));
          },
        }),
        discount: float('Discount (%)'),
        price_subtotal: computed('monetary', 'Subtotal', (_env, row) => Math.round((row.product_uom_qty as number) * (row.price_unit as number) * (1 - (row.discount as number) / 100) * 100) / 100),
        price_total: computed('monetary', 'Total', (_env, row) => Math.round((row.product_uom_qty as number) * (row.price_unit as number) * (1 - (row.discount as number) / 100) * 100) / 100),
        qty_delivered: float('Delivery Quantity', { readonly: true }),
        state: related('selection', 'order_id.state', 'Order Status', { selection: [['draft', 'Quotation'], ['sent', 'Quotation Sent'], ['sale', 'Sales Order'], ['cancel', 'Cancelled']] }),
        currency_id: related('many2one', 'order_id.currency_id', 'Currency', { relation: 'res.currency' }),
      },
      displayName: (env, row) => `${displayName(env, 'sale.order', row.order_id as number)} - ${row.name || ''}`,
    },
  ];

  const registry: Registry = {};
  for (const m of models) {
    const def: ModelDef = {
      ...m,
      displayName: m.displayName ?? ((_env, row) => String(row.name ?? '')),
      fields: {},
    };
    def.fields = {
      id: { type: 'integer', string: 'ID', readonly: true },
      ...m.fields,
      display_name: computed('char', 'Display Name', (env, row) => def.displayName(env, row)),
      create_date: dt('Created on', { readonly: true }),
      create_uid: m2o('res.users', 'Created by', { readonly: true }),
      write_date: dt('Last Updated on', { readonly: true }),
      write_uid: m2o('res.users', 'Last Updated by', { readonly: true }),
    };
    registry[m.name] = def;
  }
  return registry;
}

