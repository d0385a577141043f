import { describe, expect, it } from 'vitest';
import { useMigratedDatabase } from '../../tests/support/db.ts';
import { applyDelivery, applyEarlyReceipts } from './conversations.ts';

describe('a delivery receipt that beats the answer to our send', () => {
  const database = useMigratedDatabase('receipts');

  it('is kept until the message has its channel id, then applied; the late "sent" never moves it back', async () => {
    const db = database();
    const conv = (await db.query<{ id: string }>("INSERT INTO conversations (connection, external_thread_id) VALUES ('whatsapp', '48600') RETURNING id")).rows[0]!.id;
    const msg = (await db.query<{ id: string }>("INSERT INTO messages (conversation_id, direction, body, delivery_status) VALUES ($1, 'out', 'Hi', 'pending') RETURNING id", [conv])).rows[0]!.id;

    // The channel's status webhook arrives while our send is still waiting for its answer.
    expect(await applyDelivery(db, 'whatsapp', { kind: 'delivery', messageExternalId: 'wamid.1', status: 'delivered' })).toBe(false);
    // What the reply job does once the answer lands (never moving a status backwards), then the early receipts.
    await db.query("UPDATE messages SET external_id = 'wamid.1', delivery_status = CASE WHEN delivery_status IN ('delivered', 'read') THEN delivery_status ELSE 'sent' END WHERE id = $1", [msg]);
    await applyEarlyReceipts(db, 'whatsapp', 'wamid.1');
    expect((await db.query('SELECT delivery_status FROM messages WHERE id = $1', [msg])).rows[0]).toEqual({ delivery_status: 'delivered' });
    expect((await db.query('SELECT 1 FROM early_receipts')).rowCount).toBe(0);

    // A receipt for a known message is applied at once and not kept.
    expect(await applyDelivery(db, 'whatsapp', { kind: 'delivery', messageExternalId: 'wamid.1', status: 'read' })).toBe(true);
    expect((await db.query('SELECT 1 FROM early_receipts')).rowCount).toBe(0);
    expect((await db.query('SELECT delivery_status FROM messages WHERE id = $1', [msg])).rows[0]).toEqual({ delivery_status: 'read' });
  });
});
