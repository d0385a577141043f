/**
 * Every GraphQL document the connector sends, in one place so documents.test.ts can validate them all against the
 * kept 2026-04 schema. Page sizes are chosen to keep each query well under Shopify's 1000-point single-query cap.
 */

const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

const VARIANT_FIELDS = `
fragment VariantFields on ProductVariant {
  id sku barcode title price compareAtPrice
  selectedOptions { name value }
}`;

/** Up to 25 variants inline; a product with more is completed with VARIANTS_PAGE. */
const PRODUCT_FIELDS = `
fragment ProductFields on Product {
  id title handle descriptionHtml vendor productType status tags updatedAt
  variants(first: 25) { nodes { ...VariantFields } ${PAGE_INFO} }
}
${VARIANT_FIELDS}`;

export const PRODUCTS_PAGE = `
query ProductsPage($first: Int!, $after: String) {
  shop { currencyCode }
  products(first: $first, after: $after, sortKey: ID) { nodes { ...ProductFields } ${PAGE_INFO} }
}
${PRODUCT_FIELDS}`;

/** One product, with its media (left out of PRODUCTS_PAGE, which would pass the 1000-point cap with it). */
export const PRODUCT_BY_ID = `
query ProductById($id: ID!) {
  shop { currencyCode }
  product(id: $id) { ...ProductFields media(first: 10) { nodes { id alt status ... on MediaImage { image { url } } } } }
}
${PRODUCT_FIELDS}`;

export const VARIANTS_PAGE = `
query VariantsPage($id: ID!, $after: String) {
  product(id: $id) { variants(first: 100, after: $after) { nodes { ...VariantFields } ${PAGE_INFO} } }
}
${VARIANT_FIELDS}`;

/** What catalog.write reads before productSet: the options and every variant, so none is dropped. */
export const PRODUCT_FOR_WRITE = `
query ProductForWrite($identifier: ProductIdentifierInput!) {
  productByIdentifier(identifier: $identifier) {
    id handle
    options { name position optionValues { name } }
    variants(first: 100) { nodes { ...VariantFields } ${PAGE_INFO} }
    media(first: 100) { nodes { id alt status } }
  }
}
${VARIANT_FIELDS}`;

/** `h0…h{n-1}`: one aliased direct look-up per handle, answering only whether (and as what id) it exists. */
export function productsByHandleDocument(n: number): string {
  const vars = Array.from({ length: n }, (_, i) => `$h${i}: ProductIdentifierInput!`).join(', ');
  const reads = Array.from({ length: n }, (_, i) => `  h${i}: productByIdentifier(identifier: $h${i}) { id handle }`).join('\n');
  return `query ProductsByHandle(${vars}) {\n${reads}\n}`;
}

export const PRODUCT_SET = `
mutation ProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id variants(first: 250) { nodes { id sku } } media(first: 100) { nodes { id alt status } } }
    userErrors { field message code }
  }
}`;

export const VARIANTS_BULK_UPDATE = `
mutation VariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: true) {
    productVariants { id price compareAtPrice }
    userErrors { field message code }
  }
}`;

export const FIRST_LOCATION = `
query FirstLocation {
  locations(first: 1, sortKey: ID) { nodes { id name isActive } }
}`;

/** `available` at one location for variants (or, from inventory_levels webhooks, inventory items). */
export const INVENTORY_AT_LOCATION = `
query InventoryAtLocation($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    __typename
    ... on ProductVariant {
      id
      inventoryItem { id tracked inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } } }
    }
    ... on InventoryItem {
      id tracked
      inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } }
    }
  }
}`;

/** Whose stock an inventory item is: inventory_levels/update webhooks name the item, not the variant. */
export const INVENTORY_ITEM_OWNERS = `
query InventoryItemOwners($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ... on InventoryItem { id variant { id product { id } } }
  }
}`;

/** 2026-04: `@idempotent` is required at run time and `changeFromQuantity` must be present on every row. */
export const INVENTORY_SET_QUANTITIES = `
mutation InventorySetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`;

const LINE_FIELDS = `
fragment LineFields on LineItem {
  id sku title quantity currentQuantity
  variant { id }
  originalUnitPriceSet { shopMoney { amount } }
}`;

/** Up to 15 lines inline (keeps a page of 10 orders under ~700 points); more come from ORDER_LINES_PAGE. */
const ORDER_FIELDS = `
fragment OrderFields on Order {
  id name email createdAt updatedAt processedAt cancelledAt
  displayFinancialStatus displayFulfillmentStatus currencyCode
  totalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: 15) { nodes { ...LineFields } ${PAGE_INFO} }
}
${LINE_FIELDS}`;

export const ORDERS_PAGE = `
query OrdersPage($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) { nodes { ...OrderFields } ${PAGE_INFO} }
}
${ORDER_FIELDS}`;

export const ORDER_BY_ID = `
query OrderById($id: ID!) {
  order(id: $id) { ...OrderFields }
}
${ORDER_FIELDS}`;

export const ORDER_LINES_PAGE = `
query OrderLinesPage($id: ID!, $after: String) {
  order(id: $id) { lineItems(first: 100, after: $after) { nodes { ...LineFields } ${PAGE_INFO} } }
}
${LINE_FIELDS}`;

export const SHOP = `
query Shop {
  shop { name currencyCode }
}`;

/** The product of variants the engine sent without `productExternalId` (bulk price updates are per product). */
export const VARIANT_PRODUCTS = `
query VariantProducts($ids: [ID!]!) {
  nodes(ids: $ids) { __typename ... on ProductVariant { id product { id } } }
}`;
