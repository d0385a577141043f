import {
  BusinessError,
  conversationSnapshot,
  type ConnectorContext,
  type ConversationSnapshot,
  type InquiriesRead,
  type InquiriesSend,
} from '../../core/sdk/index.ts';
import { create, list } from './client.ts';
import type { PrestashopConfig } from './config.ts';
import { messageSchema, threadSchema, type PsMessage, type PsThread } from './schemas.ts';
import { fromShopTime, toShopTime } from './shop-time.ts';
import { changedSince } from './watermark.ts';

type Ctx = ConnectorContext<PrestashopConfig>;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

/** customer_messages.message is HTML (isCleanHtml): plain text for the inbox. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, e: string) => ENTITIES[e]!)
    .trim();
}

function mapThread(ctx: Ctx, t: PsThread, messages: PsMessage[]): ConversationSnapshot {
  const tz = ctx.config.timezone;
  return conversationSnapshot.parse({
    externalThreadId: String(t.id),
    customer: {
      // A guest (contact form) has id_customer 0: the e-mail is the only identity (recorded 130).
      externalId: t.id_customer !== '0' ? `customer:${t.id_customer}` : `email:${t.email.toLowerCase()}`,
      ...(t.email ? { email: t.email } : {}),
    },
    ...(t.id_order !== '0' ? { orderExternalId: t.id_order } : {}),
    ...(t.id_product !== '0' ? { productExternalId: t.id_product } : {}),
    // Private messages are staff-only notes the customer never sees: not part of the conversation.
    messages: messages
      .filter((m) => m.private !== '1')
      .map((m) => ({
        externalId: String(m.id),
        direction: m.id_employee !== '0' ? 'out' : 'in',
        text: htmlToText(m.message),
        attachments: m.file_name ? [{ kind: 'file', name: m.file_name }] : [],
        sentAt: fromShopTime(m.date_add, tz) ?? new Date(0).toISOString(),
        ...(m.id_employee !== '0' ? { author: `employee:${m.id_employee}` } : {}),
      })),
  });
}

async function threadMessages(ctx: Ctx, threadIds: number[]): Promise<PsMessage[]> {
  if (!threadIds.length) return [];
  return list(ctx, 'customer_messages', messageSchema, { display: 'full', 'filter[id_customer_thread]': `[${threadIds.join('|')}]`, sort: '[id_ASC]' });
}

/**
 * Customer service threads changed since the watermark (`customer_threads` by `date_upd`; a new message bumps its
 * thread's date_upd), each with all its messages. The first run starts 7 days back.
 */
export const inquiriesRead: InquiriesRead<PrestashopConfig> = {
  async changes(ctx, checkpoint) {
    const initial = toShopTime(new Date(ctx.now().getTime() - 7 * 24 * 3600_000), ctx.config.timezone);
    const { ids, next } = await changedSince(ctx, 'customer_threads', checkpoint, initial);
    if (!ids.length) return { conversations: [], checkpoint: next };
    const filter = `[${ids.join('|')}]`;
    const threads = await list(ctx, 'customer_threads', threadSchema, { display: 'full', 'filter[id]': filter, sort: '[id_ASC]' });
    const messages = await threadMessages(ctx, threads.map((t) => t.id));
    return { conversations: threads.map((t) => mapThread(ctx, t, messages.filter((m) => m.id_customer_thread === t.id))), checkpoint: next };
  },
};

/**
 * Replies are customer_messages with `id_employee` set (an employee message) on the thread. There is no
 * messaging window, so the policy always allows. The webservice stores the reply without e-mailing it (the back
 * office sends that mail): the customer sees it in their account. A retried send finds its own reply as the
 * thread's last message (same employee, same text) and returns it instead of posting it twice.
 */
export const inquiriesSend: InquiriesSend<PrestashopConfig> = {
  policy: async () => ({ allowed: true }),
  async send(ctx, message) {
    const threadId = message.conversation.externalThreadId;
    if (!/^\d+$/.test(threadId)) throw new BusinessError(`"${threadId}" is not a PrestaShop customer thread id`);
    if (message.attachments.length) throw new BusinessError('PrestaShop webservice replies cannot carry attachments');
    const employee = String(ctx.config.employeeId);
    const last = (await threadMessages(ctx, [Number(threadId)])).at(-1);
    if (last && last.id_employee === employee && (last.message.trim() === message.text.trim() || htmlToText(last.message) === htmlToText(message.text))) return { externalId: String(last.id), status: 'sent' };
    const id = await create(ctx, 'customer_messages', 'customer_message', {
      fields: { id_customer_thread: threadId, id_employee: employee, message: message.text, private: '0' },
    });
    return { externalId: id, status: 'sent' };
  },
};
