import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { deliveryPolicySchema } from '../common/webhooks.ts';
import type { MetaContext } from './context.ts';
import { inboundMessageEvent, pageEnvelope, postbackEvent, readEvent } from './messenger-events.ts';
import { newMid, type MessengerPage } from './messenger-store.ts';
import { emitStatus } from './whatsapp-send.ts';
import { newWamid, type WaPhoneNumber } from './whatsapp-store.ts';
import { inboundMessageValue, wabaEnvelope } from './whatsapp-webhooks.ts';
import { verifySubscription } from './webhook-out.ts';

/**
 * Admin endpoints under `/__sandbox/` that play the other side of the conversation: customers writing on
 * Messenger and WhatsApp, reading what the shop sent, the subscription handshake against the hub, webhook
 * configuration and the log of what was emitted, and the clock.
 */
const clockBody = z.object({ advanceMs: z.number().int() });

const webhookConfigBody = z.object({
  webhookUrl: z.url().optional(),
  messengerWebhookUrl: z.url().optional(),
  whatsappWebhookUrl: z.url().optional(),
  policy: deliveryPolicySchema.partial().optional(),
});

const verifyBody = z.object({ object: z.enum(['page', 'whatsapp_business_account']).default('page'), url: z.url().optional() });

export const messengerInboundBody = z
  .object({
    pageId: z.string().optional(),
    psid: z.string().min(1),
    name: z.string().optional(),
    text: z.string().min(1).optional(),
    quickReplyPayload: z.string().optional(),
    replyTo: z.string().optional(),
    attachments: z
      .array(z.object({ type: z.enum(['image', 'audio', 'video', 'file', 'sticker', 'reel', 'ig_reel', 'fallback']), url: z.url() }))
      .optional(),
    postback: z.object({ title: z.string(), payload: z.string() }).optional(),
  })
  .refine((b) => b.text !== undefined || b.attachments?.length || b.postback, 'one of text, attachments or postback is required');

const messengerReadBody = z.object({ pageId: z.string().optional(), psid: z.string().min(1) });

const INBOUND_TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'reaction', 'button', 'interactive', 'order', 'system', 'unsupported'] as const;

export const whatsappInboundBody = z.object({
  phoneNumberId: z.string().optional(),
  from: z.string().regex(/^\d{6,15}$/).optional(),
  userId: z.string().optional(),
  name: z.string().optional(),
  /** A username user who hid their phone number (2026): the webhook carries only the BSUID. */
  hidePhone: z.boolean().default(false),
  /** Message id to use (default: a fresh wamid), e.g. to replay a documented example. */
  id: z.string().optional(),
  message: z
    .object({ type: z.enum(INBOUND_TYPES), context: z.record(z.string(), z.unknown()).optional(), referral: z.record(z.string(), z.unknown()).optional() })
    .catchall(z.unknown())
    .refine((m) => m.type === 'unsupported' ? Array.isArray(m.errors) : m[m.type] !== undefined, {
      message: 'message must carry an object named after its type (e.g. {"type":"text","text":{"body":"hi"}}); unsupported carries errors',
    }),
});

const whatsappReadBody = z.object({ messageId: z.string().min(1) });
const whatsappGroupsBody = z.object({
  phoneNumberId: z.string().optional(),
  field: z.enum(['group_lifecycle_update', 'group_settings_update', 'group_participants_update']),
  groups: z.array(z.record(z.string(), z.unknown())).min(1),
});

async function parse<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T> | Response> {
  const r = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!r.success) return c.json({ ok: false, error: r.error.issues }, 400);
  return r.data;
}

export function adminRoutes(ctx: MetaContext): Hono {
  const admin = new Hono();
  const firstPage = (id?: string): MessengerPage | undefined => (id ? ctx.messenger.pages.get(id) : ctx.messenger.pages.values().next().value);
  const firstNumber = (id?: string): WaPhoneNumber | undefined => (id ? ctx.whatsapp.phoneNumbers.get(id) : ctx.whatsapp.phoneNumbers.values().next().value);

  admin.post('/clock', async (c) => {
    const b = await parse(c, clockBody);
    if (b instanceof Response) return b;
    ctx.clock.advance(b.advanceMs);
    return c.json({ now: ctx.clock.now() });
  });
  admin.get('/clock', (c) => c.json({ now: ctx.clock.now() }));

  admin.post('/webhooks/config', async (c) => {
    const b = await parse(c, webhookConfigBody);
    if (b instanceof Response) return b;
    const page = b.messengerWebhookUrl ?? b.webhookUrl;
    const wa = b.whatsappWebhookUrl ?? b.webhookUrl;
    if (page) ctx.webhooks.urls.page = page;
    if (wa) ctx.webhooks.urls.whatsapp_business_account = wa;
    const policy = b.policy ? ctx.webhooks.sender.setPolicy(b.policy) : ctx.webhooks.sender.getPolicy();
    return c.json({ urls: ctx.webhooks.urls, policy });
  });
  admin.get('/webhooks', (c) =>
    c.json({
      urls: ctx.webhooks.urls,
      emitted: ctx.webhooks.emitted.map((e) => ({ object: e.object, delivered: e.delivered, payload: e.payload })),
      deliveries: ctx.webhooks.sender.log.map((d) => ({ url: d.url, status: d.status, attempts: d.attempts, at: d.at, body: d.body })),
    }),
  );
  admin.post('/webhooks/drain', async (c) => {
    await ctx.webhooks.sender.drain();
    return c.json({ ok: true, deliveries: ctx.webhooks.sender.log.length });
  });
  admin.post('/webhooks/verify', async (c) => {
    const b = await parse(c, verifyBody);
    if (b instanceof Response) return b;
    const url = b.url ?? ctx.webhooks.urls[b.object];
    if (!url) return c.json({ ok: false, error: `no webhook URL configured for ${b.object}` }, 400);
    return c.json(await verifySubscription(url, ctx.options.verifyToken));
  });

  admin.post('/messenger/inbound', async (c) => {
    const b = await parse(c, messengerInboundBody);
    if (b instanceof Response) return b;
    const page = firstPage(b.pageId);
    if (!page) return c.json({ ok: false, error: 'unknown page (seed one first)' }, 404);
    const now = ctx.clock.now();
    const user = ctx.messenger.user(page, b.psid, b.name);
    user.lastUserMessageAt = now;
    const mid = newMid();
    const event = b.postback
      ? postbackEvent(page.id, b.psid, now, mid, b.postback.title, b.postback.payload)
      : inboundMessageEvent(page.id, b.psid, now, mid, {
          ...(b.text !== undefined ? { text: b.text } : {}),
          ...(b.quickReplyPayload !== undefined ? { quickReplyPayload: b.quickReplyPayload } : {}),
          ...(b.replyTo !== undefined ? { replyTo: b.replyTo } : {}),
          ...(b.attachments ? { attachments: b.attachments } : {}),
        });
    ctx.messenger.messages.push({
      mid, pageId: page.id, psid: b.psid, direction: 'in', at: now,
      ...(b.text !== undefined ? { text: b.text } : {}),
      ...(b.attachments ? { attachments: b.attachments } : {}),
      ...(b.postback ? { postback: b.postback } : {}),
    });
    const payload = pageEnvelope(page.id, now, [event]);
    ctx.webhooks.emit('page', payload);
    return c.json({ ok: true, mid, payload });
  });

  admin.post('/messenger/read', async (c) => {
    const b = await parse(c, messengerReadBody);
    if (b instanceof Response) return b;
    const page = firstPage(b.pageId);
    if (!page) return c.json({ ok: false, error: 'unknown page' }, 404);
    const now = ctx.clock.now();
    for (const m of ctx.messenger.messages) if (m.pageId === page.id && m.psid === b.psid && m.direction === 'out') m.read = true;
    const payload = pageEnvelope(page.id, now, [readEvent(page.id, b.psid, now, now)]);
    ctx.webhooks.emit('page', payload);
    return c.json({ ok: true, payload });
  });

  admin.post('/whatsapp/inbound', async (c) => {
    const b = await parse(c, whatsappInboundBody);
    if (b instanceof Response) return b;
    const pn = firstNumber(b.phoneNumberId);
    if (!pn) return c.json({ ok: false, error: 'unknown phone number (seed one first)' }, 404);
    if (!b.from && !b.userId) return c.json({ ok: false, error: 'from (wa_id) or userId is required' }, 400);
    const user = ctx.whatsapp.ensureUser({ ...(b.from ? { waId: b.from } : {}), ...(b.userId ? { userId: b.userId } : {}) }, b.name);
    if (b.name) user.name = b.name;
    const now = ctx.clock.now();
    const id = b.id ?? newWamid();
    const { type, ...content } = b.message;
    const message = { id, timestamp: String(Math.floor(now / 1000)), type, ...content };
    // Any message the person sends opens or refreshes the customer-service window; a system notice does not.
    if (type !== 'system') user.lastInboundAt[pn.id] = now;
    ctx.whatsapp.messages.push({ id, phoneNumberId: pn.id, direction: 'in', userId: user.userId, ...(user.waId ? { waId: user.waId } : {}), type, at: now, body: message });
    const payload = wabaEnvelope(pn, 'messages', inboundMessageValue(user, b.hidePhone, message));
    ctx.webhooks.emit('whatsapp_business_account', payload);
    return c.json({ ok: true, id, payload });
  });

  admin.post('/whatsapp/read', async (c) => {
    const b = await parse(c, whatsappReadBody);
    if (b instanceof Response) return b;
    const msg = ctx.whatsapp.messages.find((m) => m.id === b.messageId && m.direction === 'out');
    if (!msg) return c.json({ ok: false, error: 'unknown outbound message' }, 404);
    if (msg.status === 'failed') return c.json({ ok: false, error: 'message failed; it cannot be read' }, 409);
    const pn = ctx.whatsapp.phoneNumbers.get(msg.phoneNumberId)!;
    const user = ctx.whatsapp.findUser({ userId: msg.userId })!;
    emitStatus(ctx, pn, user, msg, 'read');
    return c.json({ ok: true });
  });

  admin.post('/whatsapp/groups', async (c) => {
    const b = await parse(c, whatsappGroupsBody);
    if (b instanceof Response) return b;
    const pn = firstNumber(b.phoneNumberId);
    if (!pn) return c.json({ ok: false, error: 'unknown phone number' }, 404);
    const payload = wabaEnvelope(pn, b.field, { groups: b.groups });
    ctx.webhooks.emit('whatsapp_business_account', payload);
    return c.json({ ok: true, payload });
  });

  return admin;
}
