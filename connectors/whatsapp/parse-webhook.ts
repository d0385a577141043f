import { createHash } from 'node:crypto';
import { z } from 'zod';
import { conversationSnapshot, type Hint } from '../../core/sdk/index.ts';
import type { WhatsAppConfig } from './config.ts';
import { inboundMessage, toMessageSnapshot } from './map-message.ts';
import { threadId } from './thread.ts';

/**
 * WhatsApp webhook deliveries (`object: whatsapp_business_account`, docs §4) → hints:
 * - `messages[]` → a `conversation` hint per message, thread `<phone_number_id>:<BSUID or wa_id>`, customer keyed
 *   on the business-scoped user id (`contacts[].user_id` / `from_user_id`, 2026) with the phone when present;
 * - `statuses[]` → `delivery` hints (sent / delivered / read / failed with Meta's reason);
 * - `groups[]` (group_* fields) → a message of the group's event type in the group's thread;
 * - `message_echoes[]` (field `smb_message_echoes`, numbers shared with the WhatsApp Business app) → our own
 *   outgoing message (`direction: 'out'`, `isEcho`) in the customer's thread, so a reply typed in the app shows up
 *   in the inbox as ours, never as the customer's.
 * Routed on `metadata.phone_number_id`: a number not in `phoneNumbers` is ignored with a reason.
 */
const contactSchema = z.looseObject({ wa_id: z.string().optional(), user_id: z.string().optional(), profile: z.looseObject({ name: z.string().optional() }).optional() });

const statusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().regex(/^\d+$/),
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  errors: z
    .array(z.looseObject({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional(), error_data: z.looseObject({ details: z.string().optional() }).optional() }))
    .optional(),
});

/** A message echo: a message body like an inbound one, plus its recipient (`to`, `to_user_id` since 2026). */
const messageEcho = inboundMessage.extend({ to: z.string().min(1).optional(), to_user_id: z.string().min(1).optional() });

const groupSchema = z.looseObject({ group_id: z.string().min(1), type: z.string().optional(), timestamp: z.union([z.string(), z.number()]).optional(), request_id: z.string().optional() });

const valueSchema = z.looseObject({
  metadata: z.object({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }).optional(),
  contacts: z.array(contactSchema).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  groups: z.array(z.unknown()).optional(),
  /** `smb_message_echoes`: what the business sent from the WhatsApp Business app on a coexistence number. */
  message_echoes: z.array(z.unknown()).optional(),
});

export const deliverySchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.object({ id: z.string(), changes: z.array(z.object({ field: z.string(), value: z.unknown() })) })),
});

export interface ParsedDelivery {
  eventId: string | undefined;
  hints: Hint[];
  /** What was deliberately not turned into a hint, and why (for the log). */
  ignored: string[];
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
const DELIVERY_STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

function check<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new Error(`WhatsApp webhook: ${where}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
}

function failureReason(errors: z.infer<typeof statusSchema>['errors']): string | undefined {
  if (!errors?.length) return undefined;
  return errors.map((e) => `${e.code ?? '?'} ${e.title ?? e.message ?? ''}${e.error_data?.details ? `: ${e.error_data.details}` : ''}`.trim()).join('; ');
}

function groupText(g: Record<string, unknown>): string {
  const facts = [`[${String(g.type ?? 'group event')}]`];
  if (typeof g.subject === 'string') facts.push(`subject "${g.subject}"`);
  const count = (k: string) => (Array.isArray(g[k]) ? (g[k] as unknown[]).length : 0);
  if (count('added_participants')) facts.push(`${count('added_participants')} participant(s) added`);
  if (count('removed_participants')) facts.push(`${count('removed_participants')} participant(s) removed`);
  return facts.join(', ');
}

export function parseWhatsAppDelivery(raw: Buffer, config: Pick<WhatsAppConfig, 'phoneNumbers'>): ParsedDelivery {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Error('WhatsApp webhook body is not JSON');
  }
  const envelope = check(deliverySchema, json, '(root)');
  const known = new Set(config.phoneNumbers.map((p) => p.id));
  const ids: string[] = [];
  const hints: Hint[] = [];
  const ignored: string[] = [];
  const add = (id: string, hint: Hint) => {
    if (!ids.includes(id)) ids.push(id);
    hints.push(hint);
  };

  envelope.entry.forEach((entry, e) =>
    entry.changes.forEach((change, c) => {
      const where = `entry.${e}.changes.${c}.value`;
      const value = check(valueSchema, change.value, where);
      const hasContent = Boolean(value.messages?.length || value.statuses?.length || value.groups?.length || value.message_echoes?.length);
      if (!hasContent) {
        if (change.field !== 'messages') ignored.push(`field ${change.field} carries no messages, statuses, groups or message echoes`);
        return;
      }
      const phoneNumberId = value.metadata?.phone_number_id;
      if (!phoneNumberId) throw new Error(`WhatsApp webhook: ${where}.metadata.phone_number_id: required`);
      if (!known.has(phoneNumberId)) {
        ignored.push(`delivery for phone number ${phoneNumberId} (${value.metadata?.display_phone_number ?? '?'}), which this connection does not serve`);
        return;
      }

      (value.messages ?? []).forEach((rawMessage, m) => {
        const msg = check(inboundMessage, rawMessage, `${where}.messages.${m}`);
        const contact =
          value.contacts?.find((x) => (msg.from_user_id && x.user_id === msg.from_user_id) || (msg.from && x.wa_id === msg.from)) ??
          (value.contacts?.length === 1 ? value.contacts[0] : undefined);
        const userId = msg.from_user_id ?? contact?.user_id;
        const waId = msg.from ?? contact?.wa_id;
        const key = userId ?? waId;
        if (!key) throw new Error(`WhatsApp webhook: ${where}.messages.${m}.from: neither from nor from_user_id is present`);
        const snapshot = conversationSnapshot.parse({
          externalThreadId: threadId(phoneNumberId, key),
          customer: {
            externalId: key,
            ...(contact?.profile?.name ? { name: contact.profile.name } : {}),
            // WhatsApp verified the number by SMS when the person registered; that makes it a strong key.
            ...(waId ? { phone: `+${waId}`, verified: true } : {}),
          },
          ...(msg.context?.referred_product ? { productExternalId: msg.context.referred_product.product_retailer_id } : {}),
          messages: [toMessageSnapshot(msg, key)],
        });
        add(msg.id, { kind: 'conversation', externalThreadId: snapshot.externalThreadId, snapshot });
      });

      (value.message_echoes ?? []).forEach((rawEcho, m) => {
        const echo = check(messageEcho, rawEcho, `${where}.message_echoes.${m}`);
        // The echo travels from our number to the customer: the customer is the recipient, keyed like inbound
        // messages (business-scoped id first, then the phone).
        const key = echo.to_user_id ?? echo.to;
        if (!key) throw new Error(`WhatsApp webhook: ${where}.message_echoes.${m}.to: neither to nor to_user_id is present`);
        const snapshot = conversationSnapshot.parse({
          externalThreadId: threadId(phoneNumberId, key),
          customer: { externalId: key, ...(echo.to ? { phone: `+${echo.to}` } : {}) },
          messages: [{ ...toMessageSnapshot(echo, echo.from ?? phoneNumberId), direction: 'out', isEcho: true }],
        });
        add(echo.id, { kind: 'conversation', externalThreadId: snapshot.externalThreadId, snapshot });
      });

      (value.statuses ?? []).forEach((rawStatus, s) => {
        const st = check(statusSchema, rawStatus, `${where}.statuses.${s}`);
        const id = `status:${sha(`${st.id}|${st.status}|${st.timestamp}`)}`;
        if (!DELIVERY_STATUSES.has(st.status)) {
          ignored.push(`status "${st.status}" of ${st.id} is not a delivery state`);
          return;
        }
        const reason = failureReason(st.errors);
        add(id, {
          kind: 'delivery',
          messageExternalId: st.id,
          status: st.status as 'sent' | 'delivered' | 'read' | 'failed',
          at: new Date(Number(st.timestamp) * 1000).toISOString(),
          ...(reason ? { reason } : {}),
        });
      });

      (value.groups ?? []).forEach((rawGroup, g) => {
        const group = check(groupSchema, rawGroup, `${where}.groups.${g}`);
        const type = group.type ?? change.field;
        const id = `group:${sha(JSON.stringify(rawGroup))}`;
        const thread = threadId(phoneNumberId, `group:${group.group_id}`);
        const sentAt = group.timestamp !== undefined ? new Date(Number(group.timestamp) * 1000).toISOString() : new Date(0).toISOString();
        const snapshot = conversationSnapshot.parse({
          externalThreadId: thread,
          customer: { externalId: `group:${group.group_id}` },
          ...(typeof group.subject === 'string' ? { subject: group.subject } : {}),
          messages: [{ externalId: id, direction: 'in', text: groupText(group), type, attachments: [{ kind: 'other', data: group }], sentAt }],
        });
        add(id, { kind: 'conversation', externalThreadId: thread, snapshot });
      });
    }),
  );
  const eventId = ids.length === 0 ? undefined : ids.length === 1 ? ids[0] : `batch:${sha(ids.join('\n'))}`;
  return { eventId, hints, ignored };
}
