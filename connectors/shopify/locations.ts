import { BusinessError, type ConnectorContext } from '../../core/sdk/index.ts';
import { gql } from './client.ts';
import type { ShopifyConfig } from './config.ts';
import { FIRST_LOCATION } from './documents.ts';
import { firstLocationData } from './schemas.ts';

/** The location whose stock the hub manages: config `locationId`, else the shop's first active location (by id). */
export async function stockLocation(ctx: ConnectorContext<ShopifyConfig>): Promise<string> {
  if (ctx.config.locationId) return ctx.config.locationId;
  const data = await gql(ctx, FIRST_LOCATION, {}, firstLocationData);
  const first = data.locations.nodes.find((l) => l.isActive);
  if (!first) throw new BusinessError('the shop has no active location to keep stock at; set locationId');
  return first.id;
}
