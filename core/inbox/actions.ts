import type { Database } from '../store/database.ts';
import type { ConversationStatus } from './queries.ts';

/** The agent doing something, as recorded in the thread's history. */
export interface Actor { id: string; email: string; name: string }

export async function assign(db: Database, conversationId: string, assigneeId: string | null, actor: Actor): Promise<void> {
  const { rows } = await db.query<{ name: string | null }>(
    `WITH changed AS (
       UPDATE conversations SET assignee_id = $2::uuid, updated_at = now() WHERE id = $1 AND assignee_id IS DISTINCT FROM $2::uuid RETURNING id)
     SELECT (SELECT name FROM web_users WHERE id = $2::uuid) AS name FROM changed`,
    [conversationId, assigneeId],
  );
  if (rows.length === 0) return;
  await db.query(`INSERT INTO conversation_events (conversation_id, kind, actor, details) VALUES ($1, 'assigned', $2, $3)`, [
    conversationId, actor.name, JSON.stringify({ to: assigneeId, toName: rows[0]!.name }),
  ]);
}

export async function setStatus(db: Database, conversationId: string, status: ConversationStatus, actor: Actor): Promise<void> {
  const { rowCount } = await db.query('UPDATE conversations SET status = $2, updated_at = now() WHERE id = $1 AND status <> $2', [conversationId, status]);
  if (!rowCount) return;
  await db.query(`INSERT INTO conversation_events (conversation_id, kind, actor, details) VALUES ($1, 'status', $2, $3)`, [
    conversationId, actor.name, JSON.stringify({ status }),
  ]);
}

/** An internal note: visible to colleagues in the thread, never sent to the customer. */
export async function addNote(db: Database, conversationId: string, body: string, actor: Actor): Promise<void> {
  await db.query(`INSERT INTO messages (conversation_id, direction, author, author_user_id, body) VALUES ($1, 'note', $2, $3, $4)`, [
    conversationId, actor.name, actor.id, body,
  ]);
}

export async function markRead(db: Database, conversationId: string): Promise<void> {
  await db.query('UPDATE conversations SET unread_count = 0 WHERE id = $1 AND unread_count <> 0', [conversationId]);
}

export interface CannedResponse { id: string; title: string; body: string }

export async function cannedResponses(db: Database): Promise<CannedResponse[]> {
  return (await db.query<CannedResponse>('SELECT id, title, body FROM canned_responses ORDER BY title')).rows;
}

export async function saveCannedResponse(db: Database, title: string, body: string, actor: Actor): Promise<void> {
  await db.query(
    `INSERT INTO canned_responses (title, body, created_by) VALUES ($1, $2, $3)
     ON CONFLICT (title) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
    [title, body, actor.id],
  );
}

export async function deleteCannedResponse(db: Database, id: string): Promise<void> {
  await db.query('DELETE FROM canned_responses WHERE id = $1', [id]);
}
