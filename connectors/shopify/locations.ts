import { BusinessError, type ConnectorContext } from '../../core/sdk/index.ts';
import { gql } from './client.ts';
import type { ShopifyConfig } from './config.ts';
import { FIRST_LOCATION } from './documents.ts';
import { firstLocationData } from './schemas.ts';

/** How long the looked-up location is reused: it rarely changes, and every stock read and write needs it. */
const LOCATION_TTL_MS = 5 * 60_000;
const looked = new WeakMap<object, { id: string; at: number }>();

/**
 * The location whose stock the hub manages: config `locationId`, else the shop's first active location (by id),
 * looked up once per connection and reused for a few minutes (one call less on every read and write).
 */
export async function stockLocation(ctx: ConnectorContext<ShopifyConfig>): Promise<string> {
  if (ctx.config.locationId) return ctx.config.locationId;
  const cached = looked.get(ctx);
  if (cached && ctx.now().getTime() - cached.at < LOCATION_TTL_MS) return cached.id;
  const data = await gql(ctx, FIRST_LOCATION, {}, firstLocationData);
  const first = data.locations.nodes.find((l) => l.isActive);
  if (!first) throw new BusinessError('the shop has no active location to keep stock at; set locationId');
  looked.set(ctx, { id: first.id, at: ctx.now().getTime() });
  return first.id;
}
