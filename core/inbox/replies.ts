import type { Job } from 'bullmq';
import { z } from 'zod';
import type { Logger } from '../log/logger.ts';
import type { QueueSystem } from '../queue/queue-system.ts';
import type { SendPolicy } from '../sdk/capabilities.ts';
import type { OutgoingMessage } from '../sdk/model.ts';
import type { Database } from '../store/database.ts';
import { applyEarlyReceipts } from '../sync/conversations.ts';
import type { Engine } from '../sync/engine.ts';
import type { Actor } from './actions.ts';
import type { ConversationDetail } from './queries.ts';

export const SEND_JOB = 'reply.send';

/** How the agent chose to send when the channel's free-form window is closed. */
export const sendOptions = z.object({
  template: z.object({ name: z.string().min(1), language: z.string().min(1), parameters: z.array(z.string()).default([]) }).optional(),
  tag: z.string().min(1).optional(),
});
export type SendOptions = z.infer<typeof sendOptions>;

export interface ReplyDeps {
  db: Database;
  engine: Engine;
  queues: QueueSystem;
  log: Logger;
}

export type ChannelPolicy = SendPolicy & { canSend: boolean };

const conversationRef = (c: Pick<ConversationDetail, 'external_thread_id' | 'identity_external_id' | 'last_customer_message_at'>): OutgoingMessage['conversation'] => ({
  externalThreadId: c.external_thread_id,
  customerExternalId: c.identity_external_id ?? '',
  lastCustomerMessageAt: c.last_customer_message_at ?? undefined,
});

/**
 * What the channel allows right now, from the connector's own rules (`inquiries.send.policy`): the inbox never
 * knows a channel by name. A connection that cannot send, or is not running, says so in words.
 */
export async function channelPolicy(engine: Engine, conv: ConversationDetail, now = new Date()): Promise<ChannelPolicy> {
  const conn = engine.connection(conv.connection);
  if (!conn) return { canSend: false, allowed: false, reason: `the connection "${conv.connection}" is not enabled in this hub's configuration` };
  const send = conn.def.capabilities.inquiries?.send;
  if (!send) return { canSend: false, allowed: false, reason: `${conn.def.name} does not support sending replies; answer the customer on the channel itself` };
  try {
    return { canSend: true, ...(await send.policy(conn.ctx, conversationRef(conv), now)) };
  } catch (err) {
    // The policy could not be read (channel unreachable): allow a try, the send itself reports what went wrong.
    return { canSend: true, allowed: true, reason: `could not check the channel's rules: ${conn.classify(err).message}` };
  }
}

/** Whether `options` is one the policy offers (an agent cannot make up a template or tag). */
export function offered(policy: SendPolicy, options: SendOptions): boolean {
  if (options.template) return (policy.options ?? []).some((o) => o.kind === 'template' && o.name === options.template!.name && (!o.language || o.language === options.template!.language));
  if (options.tag) return (policy.options ?? []).some((o) => o.kind === 'tag' && o.name === options.tag);
  return false;
}

/**
 * Stores a reply as `pending` and queues its sending on the inbox lane. It is shown as sent only once the channel
 * accepted it.
 */
export async function queueReply(deps: ReplyDeps, conversationId: string, input: { text: string; options?: SendOptions }, actor: Actor): Promise<string> {
  const { rows } = await deps.db.query<{ id: string }>(
    `INSERT INTO messages (conversation_id, direction, author, author_user_id, body, delivery_status, send_options)
     VALUES ($1, 'out', $2, $3, $4, 'pending', $5) RETURNING id`,
    [conversationId, actor.name, actor.id, input.text, input.options && (input.options.template || input.options.tag) ? JSON.stringify(input.options) : null],
  );
  const id = rows[0]!.id;
  await deps.db.query(
    `UPDATE conversations SET last_message_at = GREATEST(coalesce(last_message_at, now()), now()), unread_count = 0,
       status = CASE WHEN status = 'resolved' THEN status ELSE 'pending' END, updated_at = now() WHERE id = $1`,
    [conversationId],
  );
  await enqueueSend(deps, id);
  return id;
}

async function enqueueSend(deps: Pick<ReplyDeps, 'queues'>, messageId: string, attempt = 0): Promise<void> {
  await deps.queues.add('inbox', SEND_JOB, { messageId }, { jobId: `reply/${messageId}/${attempt}`, attempts: 5 });
}

/** Sends a failed reply again (the Retry button). Only a failed reply can be retried. */
export async function retryReply(deps: ReplyDeps, messageId: string): Promise<boolean> {
  const { rows } = await deps.db.query<{ attempts: number }>(
    `UPDATE messages SET delivery_status = 'pending', failure_reason = NULL WHERE id = $1 AND direction = 'out' AND delivery_status = 'failed' RETURNING attempts`,
    [messageId],
  );
  if (!rows[0]) return false;
  await enqueueSend(deps, messageId, rows[0].attempts);
  return true;
}

async function fail(db: Database, messageId: string, reason: string): Promise<void> {
  await db.query(`UPDATE messages SET delivery_status = 'failed', failure_reason = $2 WHERE id = $1`, [messageId, reason.slice(0, 1000)]);
}

/**
 * The `reply.send` job: checks the channel's policy again (the window may have closed since the agent wrote),
 * sends through the connection, and records the channel's message id and status. A refusal (business or auth
 * error) fails the message with the channel's reason at once; a transient error is retried with backoff and fails
 * the message only when retries are exhausted. Nothing is marked sent that the channel did not accept.
 */
export async function sendReply(deps: Pick<ReplyDeps, 'db' | 'engine' | 'log'>, job: Pick<Job<{ messageId: string }>, 'data' | 'attemptsMade' | 'opts'>): Promise<void> {
  const { db, engine } = deps;
  const { rows } = await db.query<{
    body: string; delivery_status: string | null; send_options: SendOptions | null; attachments: Array<{ url?: string; name?: string; mimeType?: string }>;
    connection: string; external_thread_id: string; identity_external_id: string | null; last_customer_message_at: Date | null;
  }>(
    `SELECT m.body, m.delivery_status, m.send_options, m.attachments, c.connection, c.external_thread_id, i.external_id AS identity_external_id, c.last_customer_message_at
       FROM messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN customer_identities i ON i.id = c.identity_id
      WHERE m.id = $1 AND m.direction = 'out'`,
    [job.data.messageId],
  );
  const msg = rows[0];
  // Already sent (a duplicate job) or no longer there: nothing to do.
  if (!msg || msg.delivery_status !== 'pending') return;
  await db.query('UPDATE messages SET attempts = attempts + 1, last_attempt_at = now() WHERE id = $1', [job.data.messageId]);

  const conv = { connection: msg.connection, external_thread_id: msg.external_thread_id, identity_external_id: msg.identity_external_id, last_customer_message_at: msg.last_customer_message_at };
  const conn = engine.connection(msg.connection);
  const send = conn?.def.capabilities.inquiries?.send;
  if (!conn || !send) return fail(db, job.data.messageId, `the connection "${msg.connection}" cannot send replies (not enabled, or its connector has no inquiries.send)`);

  const options = msg.send_options ?? {};
  try {
    const policy = await send.policy(conn.ctx, conversationRef(conv), new Date());
    if (!policy.allowed && !offered(policy, options)) {
      return fail(db, job.data.messageId, `not sent: ${policy.reason ?? 'the channel does not allow a reply now'}`);
    }
    const outgoing: OutgoingMessage = {
      conversation: conversationRef(conv),
      messageId: job.data.messageId,
      text: msg.body,
      attachments: msg.attachments.filter((a): a is { url: string; name?: string; mimeType?: string } => typeof a.url === "string").map((a) => ({ url: a.url, ...(a.name ? { name: a.name } : {}), ...(a.mimeType ? { mimeType: a.mimeType } : {}) })),
      ...(options.template ? { template: { ...options.template, parameters: options.template.parameters ?? [] } } : {}),
      ...(options.tag ? { tag: options.tag } : {}),
    };
    const result = await send.send(conn.ctx, outgoing);
    // A delivery receipt may already have arrived (webhooks are fast): never move the status backwards.
    await db.query(
      `UPDATE messages SET external_id = $2, sent_at = now(), failure_reason = NULL,
         delivery_status = CASE WHEN delivery_status IN ('delivered', 'read') THEN delivery_status ELSE $3 END
       WHERE id = $1`,
      [job.data.messageId, result.externalId, result.status],
    );
    await applyEarlyReceipts(db, msg.connection, result.externalId);
  } catch (err) {
    const e = conn.classify(err);
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (e.kind !== 'retryable' || last) {
      const prefix = e.kind === 'auth' ? 'the channel refused our credentials (the connection needs re-authorisation): ' : '';
      await fail(db, job.data.messageId, `${prefix}${e.message}`);
      // As the engine does for its own calls: the operator sees the connection paused and why, not only this message.
      if (e.kind === 'auth') await engine.setConnectionState(msg.connection, 'needs_reauth', e.message);
      deps.log.warn({ connection: msg.connection, message: job.data.messageId, kind: e.kind, err: e.message }, 'reply not sent');
      return;
    }
    await db.query('UPDATE messages SET failure_reason = $2 WHERE id = $1', [job.data.messageId, `retrying: ${e.message}`.slice(0, 1000)]);
    throw e;
  }
}

/** The inbox lane's jobs, merged into the hub's workers. */
export function inboxHandlers(deps: Pick<ReplyDeps, 'db' | 'engine' | 'log'>) {
  return { [SEND_JOB]: (job: Job<{ messageId: string }>) => sendReply(deps, job) };
}
