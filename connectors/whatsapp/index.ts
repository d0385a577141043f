import { z } from 'zod';
import { defineConnector } from '../../core/sdk/index.ts';
import { whatsappConfig } from './config.ts';
import { graph } from './graph.ts';
import { parseWhatsAppDelivery } from './parse-webhook.ts';
import { policy, send } from './send.ts';
import { answerHandshake, verifySignature } from './signature.ts';

export { listTemplates, type ApprovedTemplate } from './templates.ts';

/**
 * **WhatsApp Business Platform (Cloud API)** conversations for the unified inbox, for one WhatsApp Business
 * Account and any number of its business phone numbers. (The WhatsApp catalogue is the Meta catalogue: sync it
 * with the `facebook` connector.)
 *
 * Config: `wabaId`, `accessToken` (system user), `appSecret` (webhook signatures), `verifyToken` (handshake),
 * `phoneNumbers: [{ id, displayNumber }]` (webhooks are routed on the phone-number id; other numbers are
 * ignored), `graphVersion` (default `v26.0`), `graphUrl` (the sandbox for demos), `throughputPerSecond` (80),
 * `templateCacheSeconds` (300).
 *
 * Webhooks: `hub.*` handshake; `X-Hub-Signature-256` over the raw body in constant time; every message type
 * (text, media, location, contacts, button, interactive, order, reaction, system, unsupported, and unknown ones
 * kept with their type) becomes a conversation hint (thread = `<phone_number_id>:<customer>`; customer = the
 * business-scoped user id, with the verified phone when WhatsApp sends it); statuses become delivery hints with
 * the failure reason; `smb_message_echoes` (replies typed in the WhatsApp Business app on a coexistence number)
 * become our own outgoing messages in the customer's thread. Event id = the message `wamid`, or a digest for
 * statuses. Subscribe the app to `messages` (and `smb_message_echoes` for coexistence numbers).
 *
 * Sending: text and media within the 24 h customer-service window, templates at any time; outside the window
 * the policy refuses and offers the approved templates. Throughput is limited to `throughputPerSecond` for the
 * connection; the per-customer pair rate (131056) comes back as a retry with a wait.
 * Not offered: catalogue/stock/orders (WhatsApp `order` messages arrive as inquiry messages), media download.
 */
export default defineConnector({
  name: 'whatsapp',
  version: '1.0.0',
  config: whatsappConfig,
  http: (config) => ({
    prefixUrl: `${config.graphUrl.replace(/\/+$/, '')}/${config.graphVersion}/`,
    rateLimit: { perSecond: config.throughputPerSecond, burst: Math.max(1, Math.floor(config.throughputPerSecond)) },
    authorize: (request) => request.headers.set('Authorization', `Bearer ${config.accessToken.reveal()}`),
  }),
  capabilities: {
    inquiries: {
      send: { policy, send },
    },
  },
  webhooks: {
    handshake: (req, config) => answerHandshake(req, config.verifyToken),
    verify: (req, config) => verifySignature(req, config.appSecret),
    // `ignored` is extra to the SDK's return type: what was skipped and why, for the hub to log.
    parse: (req, config) => parseWhatsAppDelivery(req.rawBody, config),
  },
  check: async (ctx) => {
    await graph(ctx, ctx.config.wabaId, z.object({ id: z.string() }), 'WhatsApp Business Account', { searchParams: { fields: 'id,name' } });
  },
});
