import { z } from 'zod';
import { BusinessError, defineConnector } from '../../core/sdk/index.ts';
import { messengerConfig } from './config.ts';
import { graph } from './graph.ts';
import { parsePageDelivery } from './parse-events.ts';
import { policy, send } from './send.ts';
import { answerHandshake, verifySignature } from './signature.ts';

/**
 * **Facebook Messenger** conversations of one Page, for the unified inbox.
 *
 * Config: `pageId`, `pageAccessToken` (pages_messaging), `appSecret` (webhook signatures), `verifyToken` (the
 * subscription handshake), `graphVersion` (default `v26.0`), `graphUrl` (default Graph; the sandbox for demos).
 * Subscribe the Page to `messages`, `messaging_postbacks`, `message_echoes`, `message_deliveries`, `message_reads`.
 *
 * Webhooks: the `hub.*` handshake; `X-Hub-Signature-256` checked over the raw body in constant time; messages,
 * attachments and postbacks become conversation hints (thread and customer = the person's PSID); echoes of the
 * Page's own messages are marked `isEcho`; deliveries and reads become delivery hints. Event id = the message
 * `mid`, or a digest for receipts, so a redelivery is recognised.
 *
 * Sending: `POST /me/messages`, `RESPONSE` within 24 h of the customer's last message, `HUMAN_AGENT` tag up to
 * 7 days, refused after that (the policy says why). Not offered: catalogue, stock, orders; reading history
 * (the hub keeps what the webhooks delivered).
 */
export default defineConnector({
  name: 'messenger',
  version: '1.0.0',
  config: messengerConfig,
  http: (config) => ({
    prefixUrl: `${config.graphUrl.replace(/\/+$/, '')}/${config.graphVersion}/`,
    rateLimit: { perSecond: 10, burst: 20 },
    authorize: (request) => request.headers.set('Authorization', `Bearer ${config.pageAccessToken.reveal()}`),
  }),
  capabilities: {
    inquiries: {
      send: {
        policy: async (_ctx, conversation, now) => policy(conversation, now),
        send,
      },
    },
  },
  webhooks: {
    handshake: (req, config) => answerHandshake(req, config.verifyToken),
    verify: (req, config) => verifySignature(req, config.appSecret),
    parse: (req, config) => {
      // `ignored` is extra to the SDK's return type: what was skipped and why, for the hub to log.
      const parsed = parsePageDelivery(req.rawBody, config.pageId);
      return parsed;
    },
  },
  check: async (ctx) => {
    const page = await graph(ctx, 'me', z.object({ id: z.string() }), 'Page', { searchParams: { fields: 'id,name' } });
    if (page.id !== ctx.config.pageId) throw new BusinessError(`the Page token belongs to Page ${page.id}, not to the configured Page ${ctx.config.pageId}`);
  },
});
