import type { Context } from 'hono';
import type { MetaContext } from './context.ts';
import { GraphError, invalidParameter, unknownObject } from './graph-errors.ts';
import type { GraphEnv } from './graph-gate.ts';
import { readParams, structured } from './graph-params.ts';
import { deliveryEvent, echoEvent, pageEnvelope, readEvent } from './messenger-events.ts';
import { DAY, HOUR, newMid, type MessengerPage } from './messenger-store.ts';

/**
 * Messenger Send API, `POST /{page_id}/messages` or `/me/messages` (docs §3): `messaging_type` RESPONSE / UPDATE
 * inside 24 h of the person's last message, MESSAGE_TAG with `tag` HUMAN_AGENT up to 7 days, the other tags at
 * any time; otherwise error (#10) subcode 2018278. After a send, the Page gets the echo, then a delivery event
 * (and a read event with `autoRead`).
 */
const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];
const TAGS = ['HUMAN_AGENT', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE', 'CUSTOMER_FEEDBACK'];
const SENDER_ACTIONS = ['typing_on', 'typing_off', 'mark_seen'];
const ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file', 'template'];

export const outsideWindow = () =>
  new GraphError(400, {
    message: '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
    type: 'OAuthException',
    code: 10,
    error_subcode: 2018278,
  });

export const noMatchingUser = () =>
  new GraphError(400, { message: '(#100) No matching user found', type: 'OAuthException', code: 100, error_subcode: 2018001 });

export function resolvePage(ctx: MetaContext, idOrMe: string, token: string): MessengerPage | undefined {
  if (idOrMe === 'me') return ctx.messenger.pageByToken(token);
  return ctx.messenger.pages.get(idOrMe);
}

function checkMessage(message: unknown): { text?: string; attachment?: Record<string, unknown> } {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw invalidParameter('param message must be an object');
  const m = message as { text?: unknown; attachment?: unknown; quick_replies?: unknown };
  const hasText = m.text !== undefined;
  const hasAttachment = m.attachment !== undefined;
  if (hasText === hasAttachment) throw invalidParameter('Must send either message.text or message.attachment, and not both');
  if (hasText) {
    if (typeof m.text !== 'string' || m.text.length === 0) throw invalidParameter('param message[text] must be a non-empty string');
    if (m.text.length > 2000) throw invalidParameter('Length of param message[text] must be less than or equal to 2000');
    return { text: m.text };
  }
  const a = m.attachment as { type?: unknown; payload?: unknown };
  if (typeof a !== 'object' || a === null || !ATTACHMENT_TYPES.includes(a.type as string)) {
    throw invalidParameter(`param message[attachment][type] must be one of {${ATTACHMENT_TYPES.join(', ')}}`);
  }
  if (typeof a.payload !== 'object' || a.payload === null) throw invalidParameter('param message[attachment][payload] is required');
  const p = a.payload as { url?: unknown; attachment_id?: unknown; template_type?: unknown };
  if (a.type !== 'template' && typeof p.url !== 'string' && typeof p.attachment_id !== 'string') {
    throw invalidParameter('Attachment payload requires url or attachment_id');
  }
  return { attachment: a as Record<string, unknown> };
}

export async function messengerSend(c: Context<GraphEnv>, ctx: MetaContext, idOrMe: string): Promise<Response> {
  const page = resolvePage(ctx, idOrMe, c.get('token'));
  if (!page) throw unknownObject(idOrMe, 'POST');
  const params = await readParams(c);
  const recipient = structured(params, 'recipient') as { id?: unknown } | undefined;
  if (!recipient || typeof recipient !== 'object') throw invalidParameter('The parameter recipient is required');
  if (typeof recipient.id !== 'string' && typeof recipient.id !== 'number') throw invalidParameter('param recipient[id] is required');
  const psid = String(recipient.id);
  const senderAction = params.sender_action;
  const message = params.message === undefined ? undefined : structured(params, 'message');
  if (senderAction !== undefined && message !== undefined) throw invalidParameter('Cannot send both message and state at the same time.');
  if (senderAction === undefined && message === undefined) throw invalidParameter('Must send either message or state');

  const user = page.users.get(psid);
  if (!user || user.lastUserMessageAt === undefined) throw noMatchingUser();
  const now = ctx.clock.now();
  const age = now - user.lastUserMessageAt;

  if (senderAction !== undefined) {
    if (!SENDER_ACTIONS.includes(senderAction as string)) throw invalidParameter(`param sender_action must be one of {${SENDER_ACTIONS.join(', ')}}`);
    if (age > 24 * HOUR) throw outsideWindow();
    return c.json({ recipient_id: psid });
  }

  const messagingType = params.messaging_type;
  if (!MESSAGING_TYPES.includes(messagingType as string)) {
    throw invalidParameter(`param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}}`);
  }
  const tag = params.tag;
  if (messagingType === 'MESSAGE_TAG') {
    if (tag === undefined) throw invalidParameter('param tag is required when messaging_type is MESSAGE_TAG');
    if (!TAGS.includes(tag as string)) throw invalidParameter(`param tag must be one of {${TAGS.join(', ')}}`);
  }
  const content = checkMessage(message);

  // The window rule (docs §3): standard messaging 24 h after the person's last message; HUMAN_AGENT 7 days; the
  // other tags are usable outside the window (their content must not be promotional, which we cannot check).
  const allowed = messagingType !== 'MESSAGE_TAG' ? age <= 24 * HOUR : tag === 'HUMAN_AGENT' ? age <= 7 * DAY : true;
  if (!allowed) throw outsideWindow();

  const mid = newMid();
  ctx.messenger.messages.push({
    mid,
    pageId: page.id,
    psid,
    direction: 'out',
    at: now,
    ...(content.text !== undefined ? { text: content.text } : {}),
    ...(content.attachment ? { attachments: [content.attachment] } : {}),
    messagingType: messagingType as string,
    ...(typeof tag === 'string' ? { tag } : {}),
    delivered: true,
    read: ctx.options.autoRead,
  });
  const echoBody = content.text !== undefined ? { text: content.text } : { attachments: [content.attachment] };
  ctx.webhooks.emit('page', pageEnvelope(page.id, now, [echoEvent(page.id, psid, now, mid, ctx.options.appId, echoBody)]));
  ctx.webhooks.emit('page', pageEnvelope(page.id, now, [deliveryEvent(page.id, psid, [mid], now)]));
  if (ctx.options.autoRead) ctx.webhooks.emit('page', pageEnvelope(page.id, now, [readEvent(page.id, psid, now, now)]));
  return c.json({ recipient_id: psid, message_id: mid });
}

