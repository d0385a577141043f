import { z } from 'zod';
import { productSnapshot, type ConnectorContext, type Page, type ProductSnapshot, type VariantSnapshot } from '../../core/sdk/index.ts';
import type { FacebookConfig } from './config.ts';
import { graph } from './graph.ts';
import { parseMetaPrice } from './money.ts';

/**
 * Reading the catalogue: `GET /{catalog_id}/products` with explicit `fields` and cursor paging. Graph's
 * ProductItem node uses its own names (`name`, `url`, `image_url`, `retailer_product_group_id`), not the feed
 * names the batch writes. Each item is one snapshot keyed by its retailer id (our SKU); `get` also answers for a
 * variant group id, with every item of the group as a variant.
 */
export const PRODUCT_FIELDS = [
  'id',
  'retailer_id',
  'name',
  'description',
  'availability',
  'condition',
  'price',
  'sale_price',
  'currency',
  'url',
  'image_url',
  'brand',
  'retailer_product_group_id',
  'quantity_to_sell_on_facebook',
  'visibility',
  'sale_price_start_date',
  'sale_price_end_date',
].join(',');

const productNode = z.object({
  id: z.string(),
  retailer_id: z.string().min(1),
  name: z.string().optional(),
  description: z.string().optional(),
  availability: z.string().optional(),
  price: z.string().optional(),
  sale_price: z.string().optional(),
  currency: z.string().optional(),
  image_url: z.string().optional(),
  brand: z.string().optional(),
  retailer_product_group_id: z.string().optional(),
  quantity_to_sell_on_facebook: z.number().int().optional(),
  visibility: z.string().optional(),
});
type ProductNode = z.infer<typeof productNode>;

const productsAnswer = z.object({
  data: z.array(productNode),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});

function status(node: ProductNode): VariantSnapshot['status'] {
  if (node.availability === 'discontinued') return 'archived';
  return node.visibility !== undefined && node.visibility !== 'published' ? 'draft' : 'active';
}

function variantOf(node: ProductNode): VariantSnapshot {
  const regular = node.price ? parseMetaPrice(node.price, node.currency) : undefined;
  // Graph shows `sale_price` only while the sale is in effect: then the sale is the price and the regular one is struck through.
  const sale = node.sale_price ? parseMetaPrice(node.sale_price, node.currency ?? regular?.currency) : undefined;
  return {
    externalId: node.retailer_id,
    sku: node.retailer_id,
    ...(regular
      ? { price: sale ? { gross: sale.amount, currency: sale.currency, compareAt: regular.amount } : { gross: regular.amount, currency: regular.currency, compareAt: null } }
      : {}),
    ...(node.quantity_to_sell_on_facebook !== undefined ? { stock: { available: node.quantity_to_sell_on_facebook } } : {}),
    status: status(node),
    ...(node.image_url ? { images: [{ url: node.image_url }] } : {}),
  };
}

function snapshotOf(externalId: string, nodes: ProductNode[], locale: string): ProductSnapshot {
  const first = nodes[0]!;
  const raw = {
    externalId,
    ...(first.name !== undefined ? { title: { [locale]: first.name } } : {}),
    ...(first.description !== undefined ? { description: { [locale]: first.description } } : {}),
    ...(first.brand !== undefined ? { brand: first.brand } : {}),
    ...(first.image_url ? { images: [{ url: first.image_url }] } : {}),
    status: status(first),
    variants: nodes.map(variantOf),
  };
  const parsed = productSnapshot.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Meta product ${externalId}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export async function listProducts(ctx: ConnectorContext<FacebookConfig>, cursor: string | undefined): Promise<Page<ProductSnapshot>> {
  const answer = await graph(ctx, `${ctx.config.catalogId}/products`, productsAnswer, 'products', {
    searchParams: { fields: PRODUCT_FIELDS, limit: ctx.config.pageSize, ...(cursor ? { after: cursor } : {}) },
  });
  const next = answer.paging?.next ? answer.paging.cursors?.after : undefined;
  return { items: answer.data.map((n) => snapshotOf(n.retailer_id, [n], ctx.config.locale)), ...(next ? { next } : {}) };
}

/** One product by retailer id or by variant group id; null when the catalogue has no such item. */
export async function getProduct(ctx: ConnectorContext<FacebookConfig>, externalId: string): Promise<ProductSnapshot | null> {
  const filter = { or: [{ retailer_id: { eq: externalId } }, { retailer_product_group_id: { eq: externalId } }] };
  const nodes: ProductNode[] = [];
  let after: string | undefined;
  do {
    const answer = await graph(ctx, `${ctx.config.catalogId}/products`, productsAnswer, 'products', {
      searchParams: { fields: PRODUCT_FIELDS, filter: JSON.stringify(filter), limit: 100, ...(after ? { after } : {}) },
    });
    nodes.push(...answer.data);
    after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
  } while (after);
  if (nodes.length === 0) return null;
  return snapshotOf(externalId, nodes, ctx.config.locale);
}
