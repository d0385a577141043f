import { z } from 'zod';

/**
 * Zod schemas for what the connector reads from Shopify. A response that does not match fails with the path of
 * the first offending fields, never with half-parsed data.
 */

export function parseOrExplain<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new Error(`${what} is malformed: ${where}`);
}

export const costSchema = z.object({
  requestedQueryCost: z.number(),
  actualQueryCost: z.number().nullable(),
  throttleStatus: z.object({ maximumAvailable: z.number(), currentlyAvailable: z.number(), restoreRate: z.number().positive() }),
});

const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });
export const userErrors = z.array(z.object({ field: z.array(z.string()).nullable(), message: z.string(), code: z.string().nullable() }));

export const variantNode = z.object({
  id: z.string(),
  sku: z.string().nullable(),
  barcode: z.string().nullable(),
  title: z.string(),
  price: z.string(),
  compareAtPrice: z.string().nullable(),
  selectedOptions: z.array(z.object({ name: z.string(), value: z.string() })),
});
export type VariantNode = z.infer<typeof variantNode>;

const variantsPage = z.object({ nodes: z.array(variantNode), pageInfo });

/** A product's media as the connector reads it; absent from answers that did not ask for it. */
export const mediaNode = z.object({ id: z.string(), alt: z.string().nullable(), status: z.string(), image: z.object({ url: z.string() }).nullable().optional() });
export type MediaNode = z.infer<typeof mediaNode>;
const mediaList = z.object({ nodes: z.array(mediaNode) }).optional();

export const productNode = z.object({
  id: z.string(),
  title: z.string(),
  handle: z.string(),
  descriptionHtml: z.string(),
  vendor: z.string(),
  productType: z.string(),
  status: z.enum(['ACTIVE', 'ARCHIVED', 'DRAFT', 'UNLISTED']),
  tags: z.array(z.string()),
  updatedAt: z.string(),
  variants: variantsPage,
  media: mediaList,
});
export type ProductNode = z.infer<typeof productNode>;

const shopCurrency = z.object({ currencyCode: z.string() });

export const productsPageData = z.object({ shop: shopCurrency, products: z.object({ nodes: z.array(productNode), pageInfo }) });
export const productByIdData = z.object({ shop: shopCurrency, product: productNode.nullable() });
export const variantsPageData = z.object({ product: z.object({ variants: variantsPage }).nullable() });

export const productForWriteData = z.object({
  productByIdentifier: z
    .object({
      id: z.string(),
      handle: z.string(),
      options: z.array(z.object({ name: z.string(), position: z.number(), optionValues: z.array(z.object({ name: z.string() })) })),
      variants: variantsPage,
      media: mediaList,
    })
    .nullable(),
});
export type ProductForWrite = NonNullable<z.infer<typeof productForWriteData>['productByIdentifier']>;

/** The answer to productsByHandleDocument: each alias is the product with that handle, or null. */
export const productsByHandleData = z.record(z.string(), z.object({ id: z.string(), handle: z.string() }).nullable());

export const productSetData = z.object({
  productSet: z.object({
    product: z.object({ id: z.string(), variants: z.object({ nodes: z.array(z.object({ id: z.string(), sku: z.string().nullable() })) }), media: mediaList }).nullable(),
    userErrors,
  }),
});

export const bulkUpdateData = z.object({
  productVariantsBulkUpdate: z.object({
    productVariants: z.array(z.object({ id: z.string(), price: z.string(), compareAtPrice: z.string().nullable() })).nullable(),
    userErrors,
  }),
});

export const firstLocationData = z.object({ locations: z.object({ nodes: z.array(z.object({ id: z.string(), name: z.string(), isActive: z.boolean() })) }) });

const levelAt = z
  .object({ quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })) })
  .nullable();
export const inventoryAtLocationData = z.object({
  nodes: z.array(
    z
      .discriminatedUnion('__typename', [
        z.object({ __typename: z.literal('ProductVariant'), id: z.string(), inventoryItem: z.object({ id: z.string(), tracked: z.boolean(), inventoryLevel: levelAt }) }),
        z.object({ __typename: z.literal('InventoryItem'), id: z.string(), tracked: z.boolean(), inventoryLevel: levelAt }),
      ])
      .nullable(),
  ),
});

export const inventoryItemOwnersData = z.object({
  nodes: z.array(
    // A GID of another type answers as that node without these fields; an unknown one as null.
    z
      .object({
        __typename: z.string(),
        id: z.string().optional(),
        variant: z.object({ id: z.string(), product: z.object({ id: z.string() }) }).nullable().optional(),
      })
      .nullable(),
  ),
});

export const setQuantitiesData = z.object({
  inventorySetQuantities: z.object({ inventoryAdjustmentGroup: z.object({ id: z.string() }).nullable(), userErrors }).nullable(),
});

const money = z.object({ amount: z.string() });
export const lineNode = z.object({
  id: z.string(),
  sku: z.string().nullable(),
  title: z.string(),
  quantity: z.number().int(),
  currentQuantity: z.number().int(),
  variant: z.object({ id: z.string() }).nullable(),
  originalUnitPriceSet: z.object({ shopMoney: money }),
});
export type LineNode = z.infer<typeof lineNode>;

const linesPage = z.object({ nodes: z.array(lineNode), pageInfo });

export const orderNode = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  processedAt: z.string(),
  cancelledAt: z.string().nullable(),
  displayFinancialStatus: z.string().nullable(),
  displayFulfillmentStatus: z.string(),
  currencyCode: z.string(),
  totalPriceSet: z.object({ shopMoney: z.object({ amount: z.string(), currencyCode: z.string() }) }),
  lineItems: linesPage,
});
export type OrderNode = z.infer<typeof orderNode>;

export const ordersPageData = z.object({ orders: z.object({ nodes: z.array(orderNode), pageInfo }) });
export const orderByIdData = z.object({ order: orderNode.nullable() });
export const orderLinesPageData = z.object({ order: z.object({ lineItems: linesPage }).nullable() });
export const shopData = z.object({ shop: z.object({ name: z.string(), currencyCode: z.string() }) });

export const variantProductsData = z.object({
  nodes: z.array(z.object({ __typename: z.string(), id: z.string().optional(), product: z.object({ id: z.string() }).optional() }).nullable()),
});
