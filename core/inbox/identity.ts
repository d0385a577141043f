import { transaction, type Database } from '../store/database.ts';
import type { Actor } from './actions.ts';

/**
 * The customer identity graph. Identities are linked automatically on strong keys only (a verified e-mail or phone,
 * by the `omnihub_link_identity` trigger); everything weaker is a suggestion an agent confirms. Every link, merge
 * and un-merge is recorded in `customer_merges`, and an un-merge puts the identity on a customer of its own again.
 */

export interface MergeSuggestion {
  identityId: string;
  connection: string;
  name: string;
  reason: string;
}

const digits = (s: string | null) => (s ?? '').replace(/\D/g, '');

/** Identities on other customers that look like the same person: same name, or the same unverified e-mail/phone. */
export async function mergeSuggestions(db: Database, identityId: string): Promise<MergeSuggestion[]> {
  const { rows } = await db.query<{ id: string; connection: string; name: string; same_email: boolean; same_phone: boolean; same_name: boolean }>(
    `SELECT o.id, o.connection, coalesce(o.display_name, o.external_id) AS name,
            (me.email IS NOT NULL AND lower(o.email) = lower(me.email)) AS same_email,
            (me.phone IS NOT NULL AND regexp_replace(o.phone, '\\D', '', 'g') = regexp_replace(me.phone, '\\D', '', 'g')) AS same_phone,
            (me.display_name IS NOT NULL AND lower(o.display_name) = lower(me.display_name)) AS same_name
       FROM customer_identities me JOIN customer_identities o ON o.id <> me.id
      WHERE me.id = $1
        AND (me.customer_id IS NULL OR o.customer_id IS DISTINCT FROM me.customer_id)
        AND ((me.email IS NOT NULL AND lower(o.email) = lower(me.email))
          OR (me.phone IS NOT NULL AND regexp_replace(o.phone, '\\D', '', 'g') = regexp_replace(me.phone, '\\D', '', 'g'))
          OR (me.display_name IS NOT NULL AND lower(o.display_name) = lower(me.display_name)))
      ORDER BY o.created_at LIMIT 10`,
    [identityId],
  );
  return rows.map((r) => ({
    identityId: r.id,
    connection: r.connection,
    name: r.name,
    reason: [r.same_email && 'same e-mail (not verified by both channels)', r.same_phone && 'same phone (not verified by both channels)', r.same_name && 'same name'].filter(Boolean).join(', '),
  }));
}

async function moveIdentity(db: Database, identityId: string, to: string, action: 'merge' | 'unmerge', actor: Actor): Promise<void> {
  await transaction(db, async (client) => {
    const { rows } = await client.query<{ customer_id: string | null }>('SELECT customer_id FROM customer_identities WHERE id = $1 FOR UPDATE', [identityId]);
    if (!rows[0]) throw new Error(`no identity ${identityId}`);
    await client.query(`UPDATE customer_identities SET customer_id = $2, linked_by = 'manual', linked_at = now() WHERE id = $1`, [identityId, to]);
    await client.query('UPDATE conversations SET customer_id = $2, updated_at = now() WHERE identity_id = $1', [identityId, to]);
    await client.query(
      `INSERT INTO customer_merges (action, identity_id, from_customer_id, to_customer_id, reason, actor) VALUES ($1, $2, $3, $4, 'manual', $5)`,
      [action, identityId, rows[0].customer_id, to, actor.email],
    );
  });
}

async function customerOf(db: Database, identityId: string): Promise<string> {
  const { rows } = await db.query<{ customer_id: string | null; display_name: string | null; email: string | null; phone: string | null }>(
    'SELECT customer_id, display_name, email, phone FROM customer_identities WHERE id = $1',
    [identityId],
  );
  const i = rows[0];
  if (!i) throw new Error(`no identity ${identityId}`);
  if (i.customer_id) return i.customer_id;
  const created = await db.query<{ id: string }>('INSERT INTO customers (display_name, email, phone) VALUES ($1, $2, $3) RETURNING id', [i.display_name, i.email, i.phone]);
  await db.query(`UPDATE customer_identities SET customer_id = $2, linked_by = 'manual', linked_at = now() WHERE id = $1`, [identityId, created.rows[0]!.id]);
  await db.query('UPDATE conversations SET customer_id = $2 WHERE identity_id = $1', [identityId, created.rows[0]!.id]);
  return created.rows[0]!.id;
}

/** Joins `identityId` to the customer `otherIdentityId` belongs to (the agent confirmed they are one person). */
export async function mergeIdentity(db: Database, identityId: string, otherIdentityId: string, actor: Actor): Promise<void> {
  if (identityId === otherIdentityId) return;
  const to = await customerOf(db, otherIdentityId);
  await moveIdentity(db, identityId, to, 'merge', actor);
}

/** Takes an identity out of its customer again: it becomes a customer of its own. */
export async function unmergeIdentity(db: Database, identityId: string, actor: Actor): Promise<void> {
  const { rows } = await db.query<{ display_name: string | null; email: string | null; phone: string | null }>(
    'SELECT display_name, email, phone FROM customer_identities WHERE id = $1',
    [identityId],
  );
  if (!rows[0]) throw new Error(`no identity ${identityId}`);
  const created = await db.query<{ id: string }>('INSERT INTO customers (display_name, email, phone) VALUES ($1, $2, $3) RETURNING id', [rows[0].display_name, rows[0].email, rows[0].phone]);
  await moveIdentity(db, identityId, created.rows[0]!.id, 'unmerge', actor);
}

export interface MergeRecord {
  action: 'link' | 'merge' | 'unmerge';
  identity: string;
  connection: string | null;
  reason: string;
  actor: string;
  at: Date;
}

/** Every link, merge and un-merge that touched a customer or one of the given identities, newest first. */
export async function mergeHistory(db: Database, customerId: string | null, identityIds: string[]): Promise<MergeRecord[]> {
  const { rows } = await db.query<MergeRecord>(
    `SELECT h.action, coalesce(i.display_name, i.external_id, h.identity_id::text) AS identity, i.connection, h.reason, h.actor, h.at
       FROM customer_merges h LEFT JOIN customer_identities i ON i.id = h.identity_id
      WHERE h.identity_id = ANY($2::uuid[]) OR ($1::uuid IS NOT NULL AND (h.to_customer_id = $1 OR h.from_customer_id = $1))
      ORDER BY h.at DESC, h.id DESC LIMIT 50`,
    [customerId, identityIds],
  );
  return rows;
}

export { digits as phoneDigits };
