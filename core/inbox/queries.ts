import { z } from 'zod';
import type { Database } from '../store/database.ts';

export const STATUSES = ['open', 'pending', 'resolved'] as const;
export type ConversationStatus = (typeof STATUSES)[number];

/** The list's filters, from the query string (anything unknown is ignored, never an error page). */
export const listFilters = z.object({
  channel: z.string().max(100).optional().catch(undefined),
  status: z.enum([...STATUSES, 'all']).optional().catch(undefined),
  /** A user id, `me` (resolved by the caller) or `none`. */
  assignee: z.string().max(100).optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
  /** Keyset paging: conversations older than this ISO time. */
  before: z.iso.datetime({ offset: true }).optional().catch(undefined),
});
export type ListFilters = z.infer<typeof listFilters>;

export interface ConversationRow {
  id: string;
  connection: string;
  customer: string;
  subject: string | null;
  status: ConversationStatus;
  assignee_id: string | null;
  assignee_name: string | null;
  unread_count: number;
  last_message_at: Date | null;
  last_body: string | null;
  last_direction: string | null;
}

export const PAGE_SIZE = 50;

/**
 * Newest activity first; with `q`, only conversations with a message matching every word (full-text, `simple`).
 * `unresolved`: open and pending only (the inbox's default view), filtered here so a page still holds PAGE_SIZE rows.
 */
export async function listConversations(db: Database, f: ListFilters & { unresolved?: boolean }): Promise<ConversationRow[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => `$${args.push(v)}`;
  if (f.channel) where.push(`c.connection = ${arg(f.channel)}`);
  if (f.status && f.status !== 'all') where.push(`c.status = ${arg(f.status)}`);
  else if (f.unresolved) where.push(`c.status <> 'resolved'`);
  if (f.assignee === 'none') where.push('c.assignee_id IS NULL');
  else if (f.assignee && /^[0-9a-f-]{36}$/i.test(f.assignee)) where.push(`c.assignee_id = ${arg(f.assignee)}::uuid`);
  if (f.before) where.push(`c.last_message_at < ${arg(f.before)}::timestamptz`);
  if (f.q) {
    where.push(`EXISTS (SELECT 1 FROM messages s WHERE s.conversation_id = c.id AND s.direction <> 'note' AND s.search @@ plainto_tsquery('simple', ${arg(f.q)}))`);
  }
  // The page is chosen first and only its rows are joined: PostgreSQL does not push a LIMIT below a LATERAL join, so
  // with the joins outside, the last message was read for every matching conversation (10,000) before sorting.
  // Inside, the ordered walk (conversations_activity, migration 0007) stops at PAGE_SIZE, and a common search word's
  // EXISTS is checked per conversation in that order instead of scanning every matching message.
  const { rows } = await db.query<ConversationRow>(
    `SELECT c.id, c.connection, coalesce(i.display_name, i.external_id, 'unknown customer') AS customer, c.subject, c.status,
            c.assignee_id, u.name AS assignee_name, c.unread_count, c.last_message_at, lm.body AS last_body, lm.direction AS last_direction
       FROM (SELECT c.id, c.connection, c.identity_id, c.subject, c.status, c.assignee_id, c.unread_count, c.last_message_at
               FROM conversations c
              ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
              ORDER BY c.last_message_at DESC NULLS LAST, c.id
              LIMIT ${PAGE_SIZE}) c
       LEFT JOIN customer_identities i ON i.id = c.identity_id
       LEFT JOIN web_users u ON u.id = c.assignee_id
       LEFT JOIN LATERAL (SELECT m.body, m.direction FROM messages m WHERE m.conversation_id = c.id AND m.direction <> 'note'
                           ORDER BY m.created_at DESC LIMIT 1) lm ON true
      ORDER BY c.last_message_at DESC NULLS LAST, c.id`,
    args,
  );
  return rows;
}

/** Channels that have conversations, for the filter. */
export async function conversationChannels(db: Database): Promise<string[]> {
  return (await db.query<{ connection: string }>('SELECT DISTINCT connection FROM conversations ORDER BY connection')).rows.map((r) => r.connection);
}

export interface MessageRow {
  id: string;
  external_id: string | null;
  direction: 'in' | 'out' | 'note';
  author: string | null;
  author_name: string | null;
  body: string;
  attachments: Array<{ kind?: string; url?: string; name?: string; mimeType?: string }>;
  delivery_status: 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | null;
  failure_reason: string | null;
  send_options: { template?: { name: string; language: string }; tag?: string } | null;
  attempts: number;
  sent_at: Date | null;
  created_at: Date;
}

export interface EventRow {
  kind: 'assigned' | 'status';
  actor: string;
  details: { to?: string | null; toName?: string | null; status?: string };
  at: Date;
}

export interface ConversationDetail {
  id: string;
  connection: string;
  external_thread_id: string;
  subject: string | null;
  status: ConversationStatus;
  assignee_id: string | null;
  identity_id: string | null;
  customer_id: string | null;
  identity_external_id: string | null;
  customer_name: string;
  last_customer_message_at: Date | null;
  order_id: string | null;
  variant_id: string | null;
  unread_count: number;
}

export async function conversationById(db: Database, id: string): Promise<ConversationDetail | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const { rows } = await db.query<ConversationDetail>(
    `SELECT c.id, c.connection, c.external_thread_id, c.subject, c.status, c.assignee_id, c.identity_id, c.customer_id,
            i.external_id AS identity_external_id, coalesce(i.display_name, i.external_id, 'unknown customer') AS customer_name,
            c.last_customer_message_at, c.order_id, c.variant_id, c.unread_count
       FROM conversations c LEFT JOIN customer_identities i ON i.id = c.identity_id WHERE c.id = $1`,
    [id],
  );
  return rows[0];
}

/** The thread: messages and notes in order, and assignment/status events, merged by time. */
export async function thread(db: Database, conversationId: string): Promise<{ messages: MessageRow[]; events: EventRow[] }> {
  const [messages, events] = await Promise.all([
    db.query<MessageRow>(
      `SELECT m.id, m.external_id, m.direction, m.author, u.name AS author_name, m.body, m.attachments, m.delivery_status, m.failure_reason,
              m.send_options, m.attempts, m.sent_at, m.created_at
         FROM messages m LEFT JOIN web_users u ON u.id = m.author_user_id
        WHERE m.conversation_id = $1 ORDER BY coalesce(m.sent_at, m.created_at), m.created_at`,
      [conversationId],
    ),
    db.query<EventRow>('SELECT kind, actor, details, at FROM conversation_events WHERE conversation_id = $1 ORDER BY at', [conversationId]),
  ]);
  return { messages: messages.rows, events: events.rows };
}

export interface OrderCard {
  id: string;
  connection: string;
  external_id: string;
  number: string | null;
  status: string;
  total: string | null;
  currency: string | null;
  placed_at: Date | null;
  lines: Array<{ sku: string | null; title: string | null; quantity: number }>;
}

export interface IdentityCard {
  id: string;
  connection: string;
  external_id: string;
  display_name: string | null;
  email: string | null;
  phone: string | null;
  verified: boolean;
  linked_by: string | null;
}

export interface CustomerCard {
  identities: IdentityCard[];
  orders: OrderCard[];
  product: { sku: string; title: string | null } | null;
}

/**
 * Who the customer is on every channel, and their orders from any channel: orders placed by one of their identities
 * (same channel and customer id), with one of their e-mails, or the order the conversation is about.
 */
export async function customerCard(db: Database, conv: ConversationDetail): Promise<CustomerCard> {
  const identities = (
    await db.query<IdentityCard>(
      `SELECT id, connection, external_id, display_name, email, phone, verified, linked_by FROM customer_identities
        WHERE ($1::uuid IS NOT NULL AND customer_id = $1) OR id = $2 ORDER BY connection, created_at`,
      [conv.customer_id, conv.identity_id],
    )
  ).rows;
  const emails = [...new Set(identities.map((i) => i.email?.toLowerCase()).filter((e): e is string => Boolean(e)))];
  const orders = (
    await db.query<OrderCard>(
      `SELECT o.id, o.connection, o.external_id, o.number, o.status, o.total::text AS total, o.currency, o.placed_at,
              coalesce((SELECT json_agg(json_build_object('sku', l.sku, 'title', l.title, 'quantity', l.quantity) ORDER BY l.external_line_id)
                          FROM order_lines l WHERE l.order_id = o.id), '[]') AS lines
         FROM orders o
        WHERE o.id = $1
           OR (o.connection, o.raw->'customer'->>'externalId') IN (SELECT x->>'connection', x->>'externalId' FROM jsonb_array_elements($2::jsonb) x)
           OR lower(o.raw->'customer'->>'email') = ANY($3::text[])
        ORDER BY o.placed_at DESC NULLS LAST LIMIT 20`,
      [conv.order_id, JSON.stringify(identities.map((i) => ({ connection: i.connection, externalId: i.external_id }))), emails],
    )
  ).rows;
  let product: CustomerCard['product'] = null;
  if (conv.variant_id) {
    const { rows } = await db.query<{ sku: string; title: string | null }>(
      `SELECT v.sku, (SELECT t.value FROM products p, jsonb_each_text(p.title) t WHERE p.id = v.product_id LIMIT 1) AS title FROM variants v WHERE v.id = $1`,
      [conv.variant_id],
    );
    product = rows[0] ?? null;
  }
  return { identities, orders, product };
}
