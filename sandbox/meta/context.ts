import type { Context } from 'hono';
import type { CatalogStore } from './catalog-store.ts';
import type { SimClock } from './clock.ts';
import type { GraphError } from './graph-errors.ts';
import type { MessengerStore } from './messenger-store.ts';
import type { MetaOptions } from './options.ts';
import type { MetaWebhooks } from './webhook-out.ts';
import type { WhatsAppStore } from './whatsapp-store.ts';

/** Everything the route and admin modules share; built once by the factory in index.ts. */
export interface MetaContext {
  options: MetaOptions;
  clock: SimClock;
  catalogs: CatalogStore;
  messenger: MessengerStore;
  whatsapp: WhatsAppStore;
  webhooks: MetaWebhooks;
  errorResponse(c: Context, err: GraphError): Response;
}
