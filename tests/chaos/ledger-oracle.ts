import { availableToSell, stockPolicySchema } from '../../mappings/stock-policy.ts';
import type { Database } from '../../core/store/database.ts';
import { allegroView, type ChannelView, odooView, prestashopView, shopifyView } from '../../sandbox/demo/scenario.ts';

/**
 * What the chaos suite compares: what each channel shows (read from the simulators' own state, never from the hub's
 * tables) against what the canonical ledger says may be sold.
 */

export interface ShopUrls {
  odoo: string;
  shopify: string;
  prestashop: string;
  allegro: string;
}

export async function channelViews(urls: ShopUrls): Promise<Record<'Odoo' | 'Shopify' | 'PrestaShop' | 'Allegro', ChannelView>> {
  const [Odoo, Shopify, PrestaShop, Allegro] = await Promise.all([odooView(urls.odoo), shopifyView(urls.shopify), prestashopView(urls.prestashop), allegroView(urls.allegro)]);
  return { Odoo, Shopify, PrestaShop, Allegro };
}

/**
 * Available-to-sell per SKU from the ledger alone: the sum of every movement (not the cached on-hand balance),
 * less open reservations, through the default stock policy (the chaos config sets none per channel). Also returns
 * SKUs whose cached balance disagrees with their ledger, which would be a bug of its own.
 */
export async function ledgerAvailable(db: Database): Promise<{ available: Map<string, number>; balanceMismatch: string[] }> {
  const { rows } = await db.query<{ sku: string; ledger: number; on_hand: number; reserved: number }>(
    `SELECT v.sku,
            coalesce((SELECT sum(quantity) FROM stock_ledger l WHERE l.variant_id = v.id), 0)::int AS ledger,
            coalesce((SELECT sum(on_hand) FROM stock_levels s WHERE s.variant_id = v.id), 0)::int AS on_hand,
            coalesce((SELECT sum(quantity) FROM reservations r WHERE r.variant_id = v.id AND r.released_at IS NULL), 0)::int AS reserved
       FROM variants v`,
  );
  const policy = stockPolicySchema.parse({});
  const available = new Map<string, number>();
  const balanceMismatch: string[] = [];
  for (const r of rows) {
    available.set(r.sku, availableToSell({ onHand: r.ledger, reserved: r.reserved }, policy));
    if (r.ledger !== r.on_hand) balanceMismatch.push(`${r.sku}: ledger ${r.ledger}, balance ${r.on_hand}`);
  }
  return { available, balanceMismatch };
}

export interface Mismatch {
  sku: string;
  channel: string;
  expected: number;
  actual: number | undefined;
}

/** Every (channel, SKU) whose shown stock differs from `expected`; a channel that does not list a SKU is skipped. */
export function stockDiff(views: Record<string, ChannelView>, expected: Map<string, number>): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [channel, view] of Object.entries(views)) {
    for (const [sku, actual] of view.stock) {
      const want = expected.get(sku);
      if (want === undefined || want !== actual) out.push({ sku, channel, expected: want ?? Number.NaN, actual });
    }
  }
  return out;
}

export const describeDiff = (diff: Mismatch[], max = 12) =>
  diff.length === 0 ? 'none' : `${diff.length} off: ${diff.slice(0, max).map((d) => `${d.channel} ${d.sku} shows ${d.actual}, expected ${d.expected}`).join('; ')}${diff.length > max ? '; …' : ''}`;
