import { availableSnapshot, fireMovedLevels, type Resolver, type ShopContext } from './context.ts';
import { notImplemented, userError, type UserError } from './errors.ts';
import { applyFiles, validateFiles, type FileSetInput } from './media.ts';
import { parseGid, type OptionRec, type ProductRec, type VariantRec } from './store.ts';

/**
 * Product mutations: productSet (the sync upsert), productVariantsBulkUpdate (prices, SKU, barcode) and
 * productDelete. Every validation failure is a `userErrors[]` entry and changes nothing; a change fires the
 * products/* webhook (and inventory_levels/update for stock it moved).
 */

interface VariantSetInput {
  id?: string;
  optionValues: Array<{ optionName?: string; name?: string; id?: string; optionId?: string }>;
  price?: string | null;
  compareAtPrice?: string | null;
  sku?: string | null;
  barcode?: string | null;
  position?: number;
  inventoryPolicy?: 'DENY' | 'CONTINUE';
  taxable?: boolean;
  inventoryItem?: { sku?: string | null; tracked?: boolean; cost?: string | null; requiresShipping?: boolean };
  inventoryQuantities?: Array<{ locationId: string; name: string; quantity: number }>;
  [key: string]: unknown;
}

interface ProductSetInput {
  title?: string;
  handle?: string;
  descriptionHtml?: string;
  vendor?: string;
  productType?: string;
  status?: ProductRec['status'];
  tags?: string[];
  productOptions?: Array<{ name?: string; position?: number; values?: Array<{ name?: string }> }>;
  variants?: VariantSetInput[];
  [key: string]: unknown;
}

/** ProductSetInput fields the simulator stores; any other field sent answers NOT_IMPLEMENTED rather than being dropped. */
const SET_FIELDS = new Set(['title', 'handle', 'descriptionHtml', 'vendor', 'productType', 'status', 'tags', 'productOptions', 'variants', 'files']);
const VARIANT_SET_FIELDS = new Set(['id', 'optionValues', 'price', 'compareAtPrice', 'sku', 'barcode', 'position', 'inventoryPolicy', 'taxable', 'inventoryItem', 'inventoryQuantities']);
const BULK_FIELDS = new Set(['id', 'price', 'compareAtPrice', 'barcode', 'inventoryPolicy', 'taxable', 'inventoryItem', 'inventoryQuantities']);
const ITEM_FIELDS = new Set(['sku', 'tracked', 'cost', 'requiresShipping']);

function refuseUnknown(input: Record<string, unknown>, allowed: Set<string>, typeName: string): void {
  for (const key of Object.keys(input)) if (!allowed.has(key)) throw notImplemented(typeName, key);
}

const isNegative = (money: string | null | undefined) => typeof money === 'string' && Number(money) < 0;

const MAX_VARIANTS = 2048;

export const productMutations: Record<string, Resolver> = {
  productSet: (args, ctx) => {
    const input = args.input as ProductSetInput;
    const identifier = args.identifier as { id?: string; handle?: string; customId?: unknown } | undefined | null;
    refuseUnknown(input, SET_FIELDS, 'ProductSetInput');
    for (const v of input.variants ?? []) {
      refuseUnknown(v, VARIANT_SET_FIELDS, 'ProductVariantSetInput');
      if (v.inventoryItem) refuseUnknown(v.inventoryItem, ITEM_FIELDS, 'InventoryItemInput');
    }
    if (identifier?.customId) throw notImplemented('ProductSetIdentifiers', 'customId');
    const s = ctx.store;
    const errors: UserError[] = [];
    const fail = () => ({ product: null, productSetOperation: null, userErrors: errors });

    let product: ProductRec | undefined;
    if (identifier?.id !== undefined && identifier.id !== null) {
      const id = parseGid(identifier.id, 'Product');
      product = id === undefined ? undefined : s.products.get(id);
      if (!product) return { ...fail(), userErrors: [userError(['identifier', 'id'], 'Product does not exist', 'PRODUCT_DOES_NOT_EXIST')] };
    } else if (identifier?.handle) {
      product = s.productByHandle(identifier.handle);
    }
    const creating = !product;
    if (creating && !input.title) errors.push(userError(['input', 'title'], "Title can't be blank", 'INVALID_PRODUCT'));
    const wantedHandle = input.handle ?? (creating ? identifier?.handle : undefined);
    if (wantedHandle && s.productByHandle(wantedHandle, product?.id)) {
      errors.push(userError(['input', 'handle'], `Handle '${wantedHandle}' already in use. Please provide a new handle.`, 'HANDLE_NOT_UNIQUE'));
    }
    if (input.variants && !input.productOptions) {
      errors.push(userError(['input', 'productOptions'], 'Product options input is required when updating variants', 'PRODUCT_OPTIONS_INPUT_MISSING'));
    }
    if (input.productOptions && !input.variants) {
      errors.push(userError(['input', 'variants'], 'Variants input is required when updating product options', 'VARIANTS_INPUT_MISSING'));
    }
    if (errors.length) return fail();

    // Options and the option-value combination of each variant.
    const optionInputs = input.productOptions ?? null;
    const optionNames = optionInputs ? optionInputs.map((o) => o.name ?? '') : (product?.options.map((o) => o.name) ?? ['Title']);
    if (optionInputs) {
      if (optionInputs.length > 3) errors.push(userError(['input', 'productOptions'], 'Can only specify a maximum of 3 options', 'OPTIONS_OVER_LIMIT'));
      optionInputs.forEach((o, i) => {
        if (optionNames.indexOf(o.name ?? '') !== i) errors.push(userError(['input', 'productOptions', String(i), 'name'], `Duplicated option name '${o.name}'`, 'DUPLICATED_OPTION_NAME'));
        const values = (o.values ?? []).map((v) => v.name ?? '');
        if (values.length === 0) errors.push(userError(['input', 'productOptions', String(i), 'values'], `Option '${o.name}' must specify at least one option value`, 'OPTION_VALUES_MISSING'));
        values.forEach((v, j) => {
          if (values.indexOf(v) !== j) errors.push(userError(['input', 'productOptions', String(i), 'values', String(j)], `Duplicated option value '${v}'`, 'DUPLICATED_OPTION_VALUE'));
        });
      });
    }
    const variantInputs = input.variants ?? null;
    const combos: string[][] = [];
    if (variantInputs) {
      if (variantInputs.length > MAX_VARIANTS) errors.push(userError(['input', 'variants'], `Can only specify a maximum of ${MAX_VARIANTS} variants`, 'VARIANTS_OVER_LIMIT'));
      variantInputs.forEach((v, i) => {
        const path = ['input', 'variants', String(i)];
        const combo: string[] = new Array<string>(optionNames.length).fill('');
        for (const ov of v.optionValues) {
          const at = optionNames.indexOf(ov.optionName ?? '');
          if (at < 0) {
            errors.push(userError([...path, 'optionValues'], `Option '${ov.optionName}' does not exist`, 'OPTION_DOES_NOT_EXIST'));
            continue;
          }
          const known = optionInputs?.[at]?.values?.some((x) => x.name === ov.name) ?? true;
          if (!known) errors.push(userError([...path, 'optionValues'], `Option value '${ov.name}' does not exist on option '${ov.optionName}'`, 'OPTION_VALUE_DOES_NOT_EXIST'));
          combo[at] = ov.name ?? '';
        }
        if (combo.some((c) => c === '')) errors.push(userError([...path, 'optionValues'], 'Variant must specify a value for every product option', 'INVALID_VARIANT'));
        if (combos.some((c) => c.join('\u0000') === combo.join('\u0000'))) {
          errors.push(userError([...path, 'optionValues'], `The variant '${combo.join(' / ')}' already exists.`, 'INVALID_VARIANT'));
        }
        combos.push(combo);
        if (isNegative(v.price)) errors.push(userError([...path, 'price'], 'Price must be greater than or equal to 0', 'INVALID_VARIANT'));
        if (isNegative(v.compareAtPrice)) errors.push(userError([...path, 'compareAtPrice'], 'Compare at price must be greater than or equal to 0', 'INVALID_VARIANT'));
        if (v.id !== undefined && v.id !== null) {
          const vid = parseGid(v.id, 'ProductVariant');
          const existing = vid === undefined ? undefined : s.variants.get(vid);
          if (!existing || existing.productId !== product?.id) errors.push(userError([...path, 'id'], 'Product variant does not exist', 'PRODUCT_VARIANT_DOES_NOT_EXIST'));
        }
        (v.inventoryQuantities ?? []).forEach((q, j) => {
          const qPath = [...path, 'inventoryQuantities', String(j)];
          if (q.name !== 'available' && q.name !== 'on_hand') errors.push(userError([...qPath, 'name'], "The quantity name must be either 'available' or 'on_hand'.", 'INVALID_INPUT'));
          const loc = parseGid(q.locationId, 'Location');
          if (loc === undefined || !s.locations.has(loc)) errors.push(userError([...qPath, 'locationId'], 'The specified location could not be found.', 'NOT_FOUND'));
        });
      });
    }
    if (input.files) errors.push(...validateFiles(s, input.files as FileSetInput[]));
    if (errors.length) return fail();

    // Apply.
    const before = availableSnapshot(s);
    const t = s.stamp();
    if (!product) {
      product = {
        id: s.id(),
        title: input.title!,
        handle: '',
        descriptionHtml: '',
        vendor: '',
        productType: '',
        status: 'ACTIVE',
        tags: [],
        options: [],
        variantIds: [],
        createdAt: t,
        updatedAt: t,
        publishedAt: null,
      };
      product.handle = wantedHandle ?? s.uniqueHandle(input.title!);
      s.products.set(product.id, product);
    }
    const p = product;
    if (input.title !== undefined) p.title = input.title;
    if (input.handle !== undefined) p.handle = input.handle;
    if (input.descriptionHtml !== undefined) p.descriptionHtml = input.descriptionHtml;
    if (input.vendor !== undefined) p.vendor = input.vendor;
    if (input.productType !== undefined) p.productType = input.productType;
    if (input.status !== undefined) p.status = input.status;
    if (input.tags !== undefined) p.tags = [...input.tags];
    if (p.status === 'ACTIVE' && p.publishedAt === null) p.publishedAt = t;
    p.updatedAt = t;

    if (optionInputs) p.options = buildOptions(ctx, optionInputs, p.options);
    else if (p.options.length === 0) p.options = [{ id: s.id(), name: 'Title', position: 1, values: [{ id: s.id(), name: 'Default Title' }] }];

    if (variantInputs) {
      // Lists are replaced in full: variants matched by id, then by option values; the rest are deleted.
      const keep: VariantRec[] = [];
      const old = s.productVariants(p);
      variantInputs.forEach((vi, i) => {
        const combo = combos[i]!;
        const byId = vi.id ? s.variants.get(parseGid(vi.id, 'ProductVariant')!) : undefined;
        const match = byId ?? old.find((o) => !keep.includes(o) && o.optionValues.join('\u0000') === combo.join('\u0000'));
        const v = match ?? s.addVariant(p, { optionValues: combo }, []);
        applyVariant(ctx, v, vi, combo);
        keep.push(v);
      });
      for (const o of old) if (!keep.includes(o)) s.deleteVariant(o);
      p.variantIds = keep.map((v) => v.id);
    } else if (p.variantIds.length === 0) {
      s.addVariant(p, { optionValues: ['Default Title'] }, [...s.locations.keys()].slice(0, 1));
    }

    if (input.files) applyFiles(s, p, input.files as FileSetInput[]);

    if (creating) ctx.events.productCreated(p);
    else ctx.events.productUpdated(p);
    fireMovedLevels(ctx, before);

    if (args.synchronous === false) {
      return {
        product: null,
        productSetOperation: { __typename: 'ProductSetOperation', id: `gid://shopify/ProductSetOperation/${s.id()}-${p.id}`, status: 'CREATED', product: null, userErrors: [] },
        userErrors: [],
      };
    }
    return { product: ctx.views.product(p), productSetOperation: null, userErrors: [] };
  },

  productVariantsBulkUpdate: (args, ctx) => {
    const s = ctx.store;
    const inputs = args.variants as Array<Record<string, unknown> & { id?: string; price?: string; compareAtPrice?: string | null; barcode?: string | null; inventoryItem?: Record<string, unknown>; inventoryQuantities?: unknown }>;
    for (const v of inputs) {
      refuseUnknown(v, BULK_FIELDS, 'ProductVariantsBulkInput');
      if (v.inventoryItem) refuseUnknown(v.inventoryItem, ITEM_FIELDS, 'InventoryItemInput');
    }
    const productId = parseGid(args.productId, 'Product');
    const p = productId === undefined ? undefined : s.products.get(productId);
    if (!p) return { product: null, productVariants: null, userErrors: [userError(['productId'], 'Product does not exist', 'PRODUCT_DOES_NOT_EXIST')] };
    const errors: UserError[] = [];
    const ok: Array<{ v: VariantRec; input: (typeof inputs)[number] }> = [];
    inputs.forEach((input, i) => {
      const path = ['variants', String(i)];
      const before = errors.length;
      if (!input.id) errors.push(userError([...path, 'id'], 'Product variant is missing ID attribute', 'PRODUCT_VARIANT_ID_MISSING'));
      const vid = parseGid(input.id, 'ProductVariant');
      const v = vid === undefined ? undefined : s.variants.get(vid);
      if (input.id && !v) errors.push(userError([...path, 'id'], 'Product variant does not exist', 'PRODUCT_VARIANT_DOES_NOT_EXIST'));
      if (v && v.productId !== p.id) errors.push(userError([...path, 'id'], 'Product variant does not belong to this product', 'MUST_BE_FOR_THIS_PRODUCT'));
      if (isNegative(input.price)) errors.push(userError([...path, 'price'], 'Price must be greater than or equal to 0', 'GREATER_THAN_OR_EQUAL_TO'));
      if (isNegative(input.compareAtPrice)) errors.push(userError([...path, 'compareAtPrice'], 'Compare at price must be greater than or equal to 0', 'GREATER_THAN_OR_EQUAL_TO'));
      if (input.inventoryQuantities !== undefined) {
        errors.push(userError([...path, 'inventoryQuantities'], 'Inventory quantities can only be provided during create. To update inventory for existing variants, use inventoryAdjustQuantities.', 'NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE'));
      }
      if (v && errors.length === before) ok.push({ v, input });
    });
    // Without allowPartialUpdates one bad variant fails the whole call.
    if (errors.length && !args.allowPartialUpdates) return { product: ctx.views.product(p), productVariants: null, userErrors: errors };
    const t = s.stamp();
    for (const { v, input } of ok) {
      if (input.price !== undefined) v.price = normalizeMoney(input.price)!;
      if (input.compareAtPrice !== undefined) v.compareAtPrice = normalizeMoney(input.compareAtPrice);
      if (input.barcode !== undefined) v.barcode = input.barcode;
      if (input.inventoryPolicy !== undefined) v.inventoryPolicy = input.inventoryPolicy as VariantRec['inventoryPolicy'];
      if (input.taxable !== undefined) v.taxable = input.taxable as boolean;
      if (input.inventoryItem) applyItem(ctx, v, input.inventoryItem);
      v.updatedAt = t;
    }
    if (ok.length) {
      p.updatedAt = t;
      ctx.events.productUpdated(p);
    }
    return { product: ctx.views.product(p), productVariants: ok.map(({ v }) => ctx.views.variant(v)), userErrors: errors };
  },

  productDelete: (args, ctx) => {
    const input = args.input as { id: string };
    const id = parseGid(input.id, 'Product');
    const p = id === undefined ? undefined : ctx.store.products.get(id);
    const shop = { __typename: 'Shop', id: 'gid://shopify/Shop/1', name: ctx.shop.name, myshopifyDomain: ctx.shop.domain };
    if (!p) return { deletedProductId: null, productDeleteOperation: null, shop, userErrors: [userError(['id'], 'Product does not exist', null)] };
    ctx.store.deleteProduct(p);
    ctx.events.productDeleted(p.id);
    return { deletedProductId: input.id, productDeleteOperation: null, shop, userErrors: [] };
  },
};

function buildOptions(ctx: ShopContext, inputs: NonNullable<ProductSetInput['productOptions']>, previous: OptionRec[]): OptionRec[] {
  return inputs.map((o, i) => {
    const prev = previous.find((x) => x.name === o.name);
    return {
      id: prev?.id ?? ctx.store.id(),
      name: o.name ?? '',
      position: i + 1,
      values: (o.values ?? []).map((v) => ({ id: prev?.values.find((x) => x.name === v.name)?.id ?? ctx.store.id(), name: v.name ?? '' })),
    };
  });
}

function normalizeMoney(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return Number(value).toFixed(2);
}

function applyItem(ctx: ShopContext, v: VariantRec, input: Record<string, unknown>): void {
  const item = ctx.store.inventoryItems.get(v.inventoryItemId)!;
  if (input.sku !== undefined) v.sku = (input.sku as string | null) || null;
  if (input.tracked !== undefined) item.tracked = input.tracked as boolean;
  if (input.cost !== undefined) item.cost = input.cost === null ? null : String(input.cost);
  if (input.requiresShipping !== undefined) item.requiresShipping = input.requiresShipping as boolean;
  item.updatedAt = ctx.store.stamp();
}

function applyVariant(ctx: ShopContext, v: VariantRec, input: VariantSetInput, combo: string[]): void {
  const s = ctx.store;
  v.optionValues = combo;
  if (input.price !== undefined) v.price = normalizeMoney(input.price) ?? '0.00';
  if (input.compareAtPrice !== undefined) v.compareAtPrice = normalizeMoney(input.compareAtPrice);
  if (input.sku !== undefined) v.sku = input.sku || null;
  if (input.barcode !== undefined) v.barcode = input.barcode;
  if (input.inventoryPolicy !== undefined) v.inventoryPolicy = input.inventoryPolicy;
  if (input.taxable !== undefined) v.taxable = input.taxable;
  if (input.inventoryItem) applyItem(ctx, v, input.inventoryItem);
  for (const q of input.inventoryQuantities ?? []) {
    const level = s.activate(v.inventoryItemId, parseGid(q.locationId, 'Location')!);
    s.adjust(level, q.name, q.quantity - s.quantity(level, q.name));
  }
  v.updatedAt = s.stamp();
}
