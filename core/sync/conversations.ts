import type { ConversationSnapshot, Hint } from '../sdk/model.ts';
import type { Database } from '../store/database.ts';

/**
 * Stores a conversation and its messages from a channel. Messages are deduplicated by the channel's message id,
 * so a redelivered webhook adds nothing; an echo of a message the hub sent updates that message instead of
 * showing up as a customer message.
 */
export async function ingestConversation(db: Database, connection: string, snap: ConversationSnapshot): Promise<{ conversationId: string; added: number }> {
  const identity = await db.query<{ id: string; customer_id: string | null }>(
    `INSERT INTO customer_identities (connection, external_id, display_name, email, phone, verified)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (connection, external_id) DO UPDATE SET display_name = COALESCE(EXCLUDED.display_name, customer_identities.display_name),
       email = COALESCE(EXCLUDED.email, customer_identities.email), phone = COALESCE(EXCLUDED.phone, customer_identities.phone)
     RETURNING id, customer_id`,
    [connection, snap.customer.externalId, snap.customer.name ?? null, snap.customer.email ?? null, snap.customer.phone ?? null, snap.customer.verified ?? false],
  );
  const conv = await db.query<{ id: string }>(
    `INSERT INTO conversations (connection, external_thread_id, identity_id, customer_id, subject)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (connection, external_thread_id) DO UPDATE SET subject = COALESCE(EXCLUDED.subject, conversations.subject), updated_at = now()
     RETURNING id`,
    [connection, snap.externalThreadId, identity.rows[0]!.id, identity.rows[0]!.customer_id, snap.subject ?? null],
  );
  const conversationId = conv.rows[0]!.id;
  if (snap.productExternalId) {
    // The item the customer asks about (an Allegro offer, a PrestaShop product): the variant it is linked to, so
    // the customer card can show it. A listing not linked (yet) leaves what is known unchanged.
    await db.query(
      `UPDATE conversations SET variant_id = COALESCE((
         SELECT internal_id FROM bindings WHERE connection = $2 AND kind = 'variant' AND link_state = 'linked' AND (external_id = $3 OR product_external_id = $3)
          ORDER BY (external_id = $3) DESC, id LIMIT 1), variant_id)
       WHERE id = $1`,
      [conversationId, connection, snap.productExternalId],
    );
  }
  let added = 0;
  for (const m of snap.messages) {
    const inserted = await db.query(
      `INSERT INTO messages (conversation_id, external_id, direction, author, body, attachments, delivery_status, failure_reason, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (conversation_id, external_id) WHERE external_id IS NOT NULL DO UPDATE
         SET delivery_status = COALESCE(EXCLUDED.delivery_status, messages.delivery_status)
       RETURNING (xmax = 0) AS created`,
      [
        conversationId, m.externalId, m.direction, m.author ?? null,
        m.type !== 'text' && !m.text ? `[${m.type} message]` : m.text,
        JSON.stringify(m.attachments), m.direction === 'out' ? (m.deliveryStatus ?? 'sent') : null, m.failureReason ?? null, m.sentAt,
      ],
    );
    const created = (inserted.rows[0] as { created: boolean } | undefined)?.created ?? false;
    if (created) {
      added++;
      await db.query(
        `UPDATE conversations SET last_message_at = GREATEST(coalesce(last_message_at, $2), $2),
           last_customer_message_at = CASE WHEN $3 THEN GREATEST(coalesce(last_customer_message_at, $2), $2) ELSE last_customer_message_at END,
           unread_count = unread_count + CASE WHEN $3 THEN 1 ELSE 0 END,
           status = CASE WHEN $3 AND status = 'resolved' THEN 'open' ELSE status END
         WHERE id = $1`,
        [conversationId, m.sentAt, m.direction === 'in'],
      );
    }
  }
  return { conversationId, added };
}

/** Puts a delivery receipt (sent/delivered/read/failed) on the message the hub sent. Receipts never go backwards. */
export async function applyDelivery(db: Database, connection: string, hint: Extract<Hint, { kind: 'delivery' }>): Promise<boolean> {
  const order = ['pending', 'sent', 'delivered', 'read'];
  // `watermark:<thread>:<epoch ms>` names no message but "everything we sent in that thread up to then" (how
  // Messenger reports reads, and deliveries without mids).
  const watermark = /^watermark:(.+):(\d+)$/.exec(hint.messageExternalId);
  if (watermark) {
    const { rowCount } = await db.query(
      `UPDATE messages m SET delivery_status = $4, failure_reason = $5
         FROM conversations c
        WHERE m.conversation_id = c.id AND c.connection = $1 AND c.external_thread_id = $2 AND m.direction = 'out'
          AND m.external_id IS NOT NULL AND m.sent_at <= to_timestamp($3::bigint / 1000.0)
          AND ($4 = 'failed' OR array_position($6::text[], coalesce(m.delivery_status, 'pending')) < array_position($6::text[], $4))`,
      [connection, watermark[1], watermark[2], hint.status, hint.reason ?? null, order],
    );
    return (rowCount ?? 0) > 0;
  }
  const { rowCount } = await db.query(
    `UPDATE messages m SET delivery_status = $3, failure_reason = $4
       FROM conversations c
      WHERE m.conversation_id = c.id AND c.connection = $1 AND m.external_id = $2
        AND ($3 = 'failed' OR array_position($5::text[], coalesce(m.delivery_status, 'pending')) < array_position($5::text[], $3))`,
    [connection, hint.messageExternalId, hint.status, hint.reason ?? null, order],
  );
  if ((rowCount ?? 0) > 0) return true;
  // No message has this id yet: the receipt may have beaten the answer to our send. Kept until that answer lands.
  const known = await db.query('SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.connection = $1 AND m.external_id = $2 LIMIT 1', [connection, hint.messageExternalId]);
  if (known.rowCount === 0) {
    await db.query('INSERT INTO early_receipts (connection, external_id, status, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [connection, hint.messageExternalId, hint.status, hint.reason ?? null]);
  }
  return false;
}

/** Applies the receipts that arrived before the send's answer gave the message its channel id (see applyDelivery). */
export async function applyEarlyReceipts(db: Database, connection: string, messageExternalId: string): Promise<void> {
  const { rows } = await db.query<{ status: 'sent' | 'delivered' | 'read' | 'failed'; reason: string | null }>(
    'DELETE FROM early_receipts WHERE connection = $1 AND external_id = $2 RETURNING status, reason',
    [connection, messageExternalId],
  );
  for (const r of rows) await applyDelivery(db, connection, { kind: 'delivery', messageExternalId, status: r.status, ...(r.reason ? { reason: r.reason } : {}) });
}
