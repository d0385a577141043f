import { type CatalogMaps, mapAttributes, mapCategory } from '../../mappings/catalog-maps.ts';
import type { FieldGroup } from '../../mappings/ownership.ts';
import { channelPrice, type PriceRules } from '../../mappings/price-rules.ts';
import { availableToSell, type StockPolicy } from '../../mappings/stock-policy.ts';
import type { DesiredPrice, DesiredProduct, DesiredVariant } from '../sdk/model.ts';
import type { CanonicalProduct, CanonicalVariant } from './canonical.ts';
import { hashOf } from './hash.ts';
import { type PromotionInput, variantPromotion } from './promotions.ts';
import type { PromotionSegment } from '../../mappings/promotions.ts';

/** What the engine needs to know about a connection to compute what it should show. */
export interface ConnectionPolicy {
  name: string;
  stock: StockPolicy;
  prices: PriceRules;
  /** Field groups owned by another connection, which this one receives (and may not change). */
  receives: FieldGroup[];
  currencies: { base: string; rates: Record<string, number> } | undefined;
  maps: CatalogMaps;
}

export interface VariantPlan {
  sku: string;
  variantId: string;
  /** Why the values are what they are, for `plan`. */
  because: { price?: string[]; stock?: string };
  hashes: { price?: string; stock?: string };
  /** On a channel that schedules promotions itself: the stretch it should hold (see promotions.ts). */
  promotion?: PromotionSegment;
}

export interface ProductPlan {
  desired: DesiredProduct;
  /** Why product-level values are what they are ("category X has no mapping"), for `plan`. */
  notes: string[];
  /** Product-level group hashes (content, media, category, status). */
  hashes: Partial<Record<FieldGroup, string>>;
  variants: VariantPlan[];
}

function basePriceOf(v: CanonicalVariant, policy: ConnectionPolicy) {
  const base = policy.currencies?.base;
  return (base ? v.prices.get(base) : undefined) ?? [...v.prices.values()][0];
}

/**
 * The state one connection should show for one product, from the canonical model through the connection's price
 * rules and stock policy, with a hash per field group (what outbound diffs against the last push) and the reasons.
 * Pure: the same inputs always give the same plan.
 */
export function planProduct(product: CanonicalProduct, policy: ConnectionPolicy, binding: { productExternalId?: string; variantExternalIds: Map<string, string> }, promotions?: PromotionInput): ProductPlan {
  const variants: DesiredVariant[] = [];
  const plans: VariantPlan[] = [];
  for (const v of product.variants) {
    const base = basePriceOf(v, policy);
    let price: DesiredPrice | undefined;
    const because: VariantPlan['because'] = {};
    let promotion: PromotionSegment | undefined;
    if (base) {
      const p = channelPrice(v.sku, base, policy.prices, policy.currencies);
      price = { gross: p.gross, net: p.net, taxRate: p.taxRate, currency: p.currency, compareAt: null };
      because.price = p.because;
      const promo = promotions && variantPromotion(promotions, { sku: v.sku, category: product.category }, p, base.currency, policy);
      if (promo?.price) {
        price = { ...price, gross: promo.price.gross, net: promo.price.net, compareAt: p.gross };
        because.price = [...p.because, promo.price.because];
      }
      promotion = promo?.hold;
    }
    const locations = policy.stock.locations;
    const onHand = Object.entries(v.onHand)
      .filter(([loc]) => !locations || locations.includes(loc))
      .reduce((sum, [, q]) => sum + q, 0);
    const stock = availableToSell({ onHand, reserved: v.reserved }, policy.stock);
    because.stock = `on hand ${onHand}${v.reserved ? ` − reserved ${v.reserved}` : ''}${policy.stock.buffer ? ` − buffer ${policy.stock.buffer}` : ''}${policy.stock.percentage !== 100 ? ` × ${policy.stock.percentage}%` : ''}${policy.stock.cap !== undefined ? `, cap ${policy.stock.cap}` : ''}${policy.stock.minimum ? `, minimum ${policy.stock.minimum}` : ''} → ${stock}`;
    variants.push({
      sku: v.sku, ean: v.ean, externalId: binding.variantExternalIds.get(v.id), title: v.title, attributes: mapAttributes(v.attributes, policy.maps),
      price, stock, status: v.status, images: v.images,
    });
    plans.push({
      sku: v.sku,
      variantId: v.id,
      because,
      ...(promotion ? { promotion } : {}),
      hashes: {
        ...(policy.receives.includes('price') && price ? { price: hashOf(price) } : {}),
        ...(policy.receives.includes('stock') ? { stock: hashOf(stock) } : {}),
      },
    });
  }
  const category = mapCategory(product.category, policy.maps);
  const notes = category.unmapped ? [`category "${product.category}" has no mapping for ${policy.name}: sent as is`] : [];
  const desired: DesiredProduct = {
    internalId: product.id,
    externalId: binding.productExternalId,
    groups: policy.receives,
    title: product.title,
    description: product.description,
    brand: product.brand,
    category: category.value,
    attributes: mapAttributes(product.attributes, policy.maps),
    images: product.images,
    status: product.status,
    variants,
  };
  const hashes: ProductPlan['hashes'] = {};
  if (policy.receives.includes('content')) {
    hashes.content = hashOf({
      title: product.title, description: product.description, brand: product.brand, attributes: product.attributes,
      variants: product.variants.map((v) => ({ sku: v.sku, ean: v.ean, title: v.title, attributes: v.attributes })),
    });
  }
  if (policy.receives.includes('media')) hashes.media = hashOf({ p: product.images, v: product.variants.map((v) => v.images) });
  if (policy.receives.includes('category')) hashes.category = hashOf(category.value);
  if (policy.receives.includes('status')) hashes.status = hashOf({ p: product.status, v: product.variants.map((v) => v.status) });
  return { desired, notes, hashes, variants: plans };
}
