import {
  BusinessError,
  type ConversationSnapshot,
  conversationSnapshot,
  type InquiriesRead,
  type InquiriesSend,
  memoryRateLimiter,
  type MessageSnapshot,
  type RateLimiter,
} from '../../core/sdk/index.ts';
import { type AllegroContext, call, query } from './client.ts';
import type { AllegroConfig } from './config.ts';
import { statusOf } from './errors.ts';
import { type Message, message, messageList, type Thread, threadList } from './schemas.ts';

/**
 * Inquiries through Allegro's Message Center. Allegro has no message events: `changes` walks
 * `GET /messaging/threads` (newest last message first) down to the checkpoint's `lastMessageDateTime`, and reads each
 * newer thread's messages (`GET /messaging/threads/{id}/messages`, newest first) down to the same time. The
 * boundary is inclusive, so a message at exactly the watermark is never missed; the ids already read at that
 * instant are kept in the checkpoint and skipped.
 *
 * Replies: `POST /messaging/threads/{id}/messages`, which Allegro limits to **1 request per second per user**, far
 * below the connection's 150/s. That limit lives here, in a limiter per connection in this process (the SDK's
 * limiter is one budget per connection; with several workers the lead may want it shared through Redis). A 429 on
 * a send blocks sending for a second and makes `policy` say so.
 */

const PAGE = 20; // Allegro's maximum for both listings

interface Checkpoint {
  /** `lastMessageDateTime` of the newest thread read. */
  since: string;
  /** Ids of the messages read that were sent exactly at `since`: re-read by the inclusive boundary, then skipped. */
  seen?: string[];
}

interface SendLimit {
  limiter: RateLimiter;
  blockedUntil: number;
}
const sendLimits = new Map<string, SendLimit>();

function sendLimit(ctx: AllegroContext): SendLimit {
  let l = sendLimits.get(ctx.connection);
  if (!l) sendLimits.set(ctx.connection, (l = { limiter: memoryRateLimiter({ perSecond: 1, burst: 1 }), blockedUntil: 0 }));
  return l;
}

function attachmentKind(mime: string | null | undefined): 'image' | 'video' | 'audio' | 'file' {
  if (mime?.startsWith('image/')) return 'image';
  if (mime?.startsWith('video/')) return 'video';
  if (mime?.startsWith('audio/')) return 'audio';
  return 'file';
}

export function mapMessage(m: Message): MessageSnapshot {
  return {
    externalId: m.id,
    direction: m.author.isInterlocutor ? 'in' : 'out',
    text: m.text ?? '',
    type: 'text',
    attachments: (m.attachments ?? []).map((a) => ({
      kind: attachmentKind(a.mimeType),
      name: a.fileName,
      ...(a.url ? { url: a.url } : {}),
      ...(a.mimeType ? { mimeType: a.mimeType } : {}),
      ...(a.status ? { data: { status: a.status } } : {}),
    })),
    sentAt: m.createdAt,
    ...(m.author.login ? { author: m.author.login } : {}),
    ...(!m.author.isInterlocutor && m.status === 'DELIVERED' ? { deliveryStatus: 'delivered' as const } : {}),
  };
}

async function messagesSince(ctx: AllegroContext, threadId: string, since: string | undefined): Promise<Message[]> {
  const out: Message[] = [];
  for (let page = 0; page < ctx.config.maxPagesPerPoll; page++) {
    const { data } = await call(ctx, 'GET', `messaging/threads/${encodeURIComponent(threadId)}/messages`, {
      searchParams: query({ limit: PAGE, offset: page * PAGE }),
      schema: messageList,
    });
    const fresh = data.messages.filter((m) => !since || m.createdAt >= since);
    out.push(...fresh);
    if (data.messages.length < PAGE || fresh.length < data.messages.length) break;
  }
  return out.reverse(); // oldest first
}

function snapshot(thread: Thread, messages: Message[]): ConversationSnapshot {
  const related = [...messages].reverse().find((m) => m.relatesTo?.order || m.relatesTo?.offer)?.relatesTo;
  const subject = messages.find((m) => m.subject)?.subject;
  const login = thread.interlocutor?.login ?? messages.find((m) => m.author.isInterlocutor)?.author.login ?? 'unknown';
  return conversationSnapshot.parse({
    externalThreadId: thread.id,
    ...(subject ? { subject } : {}),
    customer: { externalId: login, name: login },
    ...(related?.order ? { orderExternalId: related.order.id } : {}),
    ...(related?.offer ? { productExternalId: related.offer.id } : {}),
    messages: messages.map(mapMessage),
  });
}

export const readInquiries: InquiriesRead<AllegroConfig> = {
  async changes(ctx, checkpoint) {
    const since = (checkpoint as Checkpoint | undefined)?.since;
    const seen = new Set((checkpoint as Checkpoint | undefined)?.seen ?? []);
    const changed: Thread[] = [];
    let newest = since;
    walk: for (let page = 0; page < ctx.config.maxPagesPerPoll; page++) {
      const { data } = await call(ctx, 'GET', 'messaging/threads', { searchParams: query({ limit: PAGE, offset: page * PAGE }), schema: threadList });
      for (const t of data.threads) {
        const last = t.lastMessageDateTime;
        if (!last) continue; // a thread without messages
        if (since && last < since) break walk; // sorted newest first: the rest is older
        changed.push(t);
        if (!newest || last > newest) newest = last;
      }
      if (data.threads.length < PAGE) break;
    }
    const conversations: ConversationSnapshot[] = [];
    const seenAtNewest: string[] = newest === since ? [...seen] : [];
    for (const t of changed) {
      const messages = (await messagesSince(ctx, t.id, since)).filter((m) => !seen.has(m.id));
      for (const m of messages) if (m.createdAt === newest) seenAtNewest.push(m.id);
      if (messages.length > 0) conversations.push(snapshot(t, messages));
    }
    if (!newest) return { conversations, checkpoint: checkpoint ?? null };
    return { conversations, checkpoint: { since: newest, ...(seenAtNewest.length ? { seen: seenAtNewest } : {}) } satisfies Checkpoint };
  },
};

export const sendInquiries: InquiriesSend<AllegroConfig> = {
  async policy(ctx, _conversation, now) {
    const blockedUntil = sendLimit(ctx).blockedUntil;
    if (blockedUntil > now.getTime()) {
      return { allowed: false, reason: 'Allegro is limiting message sending (1 per second); try again in a moment' };
    }
    return { allowed: true };
  },

  async send(ctx, msg) {
    if (msg.attachments.length > 0) {
      throw new BusinessError('sending attachments to Allegro is not supported by this connector yet; send the text alone');
    }
    if (msg.text.length === 0 || msg.text.length > 2000) throw new BusinessError('Allegro messages hold 1 to 2000 characters');
    const limit = sendLimit(ctx);
    await limit.limiter.acquire(1);
    try {
      const { data } = await call(ctx, 'POST', `messaging/threads/${encodeURIComponent(msg.conversation.externalThreadId)}/messages`, {
        body: { text: msg.text },
        schema: message,
        limitScope: 'messaging',
      });
      return { externalId: data.id, status: 'sent' };
    } catch (err) {
      if (statusOf(err) === 429) {
        limit.blockedUntil = ctx.now().getTime() + 1000;
        await limit.limiter.block(1000);
      }
      throw err;
    }
  },
};
