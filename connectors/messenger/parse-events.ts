import { createHash } from 'node:crypto';
import { z } from 'zod';
import { conversationSnapshot, type ConversationSnapshot, type Hint, type MessageSnapshot } from '../../core/sdk/index.ts';

/**
 * Messenger webhook deliveries → hints (docs §3, samples/messenger/). One POST may carry several entries and
 * events. Customer messages and postbacks become `conversation` hints carrying the message (thread = customer's
 * PSID); echoes of the Page's own messages (`is_echo`) come back as outgoing messages marked `isEcho`; delivery
 * and read receipts become `delivery` hints. Messenger cannot be read back later, so nothing is left out.
 */
const attachmentSchema = z.looseObject({
  type: z.string(),
  payload: z.looseObject({ url: z.string().optional(), title: z.string().optional() }).nullable().optional(),
});

const messageSchema = z.looseObject({
  mid: z.string().min(1),
  text: z.string().optional(),
  is_echo: z.boolean().optional(),
  app_id: z.union([z.number(), z.string()]).optional(),
  attachments: z.array(attachmentSchema).optional(),
  quick_reply: z.object({ payload: z.string() }).optional(),
  reply_to: z.looseObject({ mid: z.string() }).optional(),
});

const eventSchema = z.looseObject({
  sender: z.object({ id: z.string().min(1) }),
  recipient: z.object({ id: z.string().min(1) }),
  timestamp: z.number().optional(),
  message: messageSchema.optional(),
  postback: z.looseObject({ mid: z.string().optional(), title: z.string().optional(), payload: z.string().optional() }).optional(),
  delivery: z.object({ mids: z.array(z.string()).optional(), watermark: z.number() }).optional(),
  read: z.object({ watermark: z.number() }).optional(),
});
type MessengerEvent = z.infer<typeof eventSchema>;

export const pageDeliverySchema = z.object({
  object: z.literal('page'),
  entry: z.array(z.object({ id: z.string(), time: z.number().optional(), messaging: z.array(z.unknown()).default([]) })),
});

export interface ParsedDelivery {
  eventId: string | undefined;
  hints: Hint[];
  /** What was deliberately not turned into a hint, and why (for the log). */
  ignored: string[];
}

const KNOWN_KEYS = new Set(['sender', 'recipient', 'timestamp', 'message', 'postback', 'delivery', 'read']);

export const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

const iso = (ms: number | undefined) => new Date(ms ?? 0).toISOString();

/** A receipt that names no message but "everything up to `watermark`" in one thread. */
export const watermarkId = (psid: string, watermark: number) => `watermark:${psid}:${watermark}`;

function attachmentKind(type: string): MessageSnapshot['attachments'][number]['kind'] {
  if (type === 'image' || type === 'sticker') return 'image';
  if (type === 'video' || type === 'reel' || type === 'ig_reel') return 'video';
  if (type === 'audio') return 'audio';
  if (type === 'file') return 'file';
  if (type === 'location') return 'location';
  return 'other';
}

function conversation(psid: string, message: MessageSnapshot): Hint {
  const snapshot: ConversationSnapshot = conversationSnapshot.parse({ externalThreadId: psid, customer: { externalId: psid }, messages: [message] });
  return { kind: 'conversation', externalThreadId: psid, snapshot };
}

function fromMessage(e: MessengerEvent, message: z.infer<typeof messageSchema>): { id: string; hint: Hint } {
  const echo = message.is_echo === true;
  const attachments = (message.attachments ?? []).map((a) => ({
    kind: attachmentKind(a.type),
    ...(a.payload?.url ? { url: a.payload.url } : {}),
    ...(a.payload?.title ? { name: a.payload.title } : {}),
    ...(attachmentKind(a.type) === 'other' || a.type === 'sticker' ? { data: { type: a.type, ...(a.payload ?? {}) } } : {}),
  }));
  const snapshot: MessageSnapshot = {
    externalId: message.mid,
    direction: echo ? 'out' : 'in',
    text: message.text ?? '',
    type: message.text !== undefined ? 'text' : (message.attachments?.[0]?.type ?? 'unknown'),
    attachments,
    sentAt: iso(e.timestamp),
    author: e.sender.id,
    ...(echo ? { isEcho: true } : {}),
  };
  // An echo travels from the Page to the person: the thread is the recipient's PSID.
  return { id: message.mid, hint: conversation(echo ? e.recipient.id : e.sender.id, snapshot) };
}

function fromEvent(e: MessengerEvent): Array<{ id: string; hint: Hint }> {
  const psid = e.sender.id;
  if (e.message) return [fromMessage(e, e.message)];
  if (e.postback) {
    const id = e.postback.mid ?? `postback:${sha(JSON.stringify(e))}`;
    const text = e.postback.title ?? e.postback.payload ?? '';
    return [{ id, hint: conversation(psid, { externalId: id, direction: 'in', text, type: 'postback', attachments: [], sentAt: iso(e.timestamp), author: psid }) }];
  }
  if (e.delivery) {
    const at = iso(e.delivery.watermark);
    const id = `delivery:${sha(`${psid}|${(e.delivery.mids ?? []).join(',')}|${e.delivery.watermark}`)}`;
    const mids = e.delivery.mids?.length ? e.delivery.mids : [watermarkId(psid, e.delivery.watermark)];
    return mids.map((mid) => ({ id, hint: { kind: 'delivery', messageExternalId: mid, status: 'delivered', at } }));
  }
  if (e.read) {
    const id = `read:${sha(`${psid}|${e.read.watermark}`)}`;
    return [{ id, hint: { kind: 'delivery', messageExternalId: watermarkId(psid, e.read.watermark), status: 'read', at: iso(e.read.watermark) } }];
  }
  // Reactions, referrals, opt-ins…: kept as a message of that type so an agent sees something happened.
  const type = Object.keys(e).find((k) => !KNOWN_KEYS.has(k)) ?? 'unknown';
  const id = `${type}:${sha(JSON.stringify(e))}`;
  return [{ id, hint: conversation(psid, { externalId: id, direction: 'in', text: `[${type}]`, type, attachments: [], sentAt: iso(e.timestamp), author: psid }) }];
}

/** Parses a verified delivery body. Throws (→ 400) on a body that is not a Page webhook. */
export function parsePageDelivery(raw: Buffer, pageId: string): ParsedDelivery {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Error('Messenger webhook body is not JSON');
  }
  const envelope = pageDeliverySchema.safeParse(json);
  if (!envelope.success) {
    const issue = envelope.error.issues[0]!;
    throw new Error(`Messenger webhook: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const ids: string[] = [];
  const hints: Hint[] = [];
  const ignored: string[] = [];
  for (const entry of envelope.data.entry) {
    if (entry.id !== pageId) {
      ignored.push(`entry for Page ${entry.id}, not the configured Page ${pageId}`);
      continue;
    }
    entry.messaging.forEach((raw, i) => {
      const event = eventSchema.safeParse(raw);
      if (!event.success) {
        const issue = event.error.issues[0]!;
        throw new Error(`Messenger webhook: entry ${entry.id} messaging.${i}.${issue.path.join('.')}: ${issue.message}`);
      }
      for (const { id, hint } of fromEvent(event.data)) {
        if (!ids.includes(id)) ids.push(id);
        hints.push(hint);
      }
    });
  }
  // One delivery, one id: the event's own id, or a digest of all of them when Meta batched several.
  const eventId = ids.length === 0 ? undefined : ids.length === 1 ? ids[0] : `batch:${sha(ids.join('\n'))}`;
  return { eventId, hints, ignored };
}
