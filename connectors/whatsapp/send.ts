import { z } from 'zod';
import { BusinessError, RetryableError, type ConnectorContext, type ConnectorError, type OutgoingMessage, type SendPolicy } from '../../core/sdk/index.ts';
import type { WhatsAppConfig } from './config.ts';
import { graph, type GraphFailure } from './graph.ts';
import { listTemplates } from './templates.ts';
import { parseThreadId } from './thread.ts';

/**
 * Replies through the Cloud API (`POST /{phone_number_id}/messages`, docs §4). A free-form message (text, media)
 * is allowed only within 24 h of the customer's last message to that number (the customer-service window);
 * outside it only an approved template may go. The window is enforced before calling Meta, and Meta's own
 * refusal (131047) is reported the same way.
 */
const WINDOW_MS = 24 * 3_600_000;
/** Pair rate (docs §4): about one message every 6 s to the same user. */
const PAIR_RATE_WAIT_MS = 6_000;

const sendAnswer = z.object({
  messages: z.array(z.object({ id: z.string().min(1) })).min(1),
  contacts: z.array(z.looseObject({ wa_id: z.string().optional(), user_id: z.string().optional() })).optional(),
});

export function inWindow(last: Date | undefined, now: Date): boolean {
  return last !== undefined && now.getTime() - last.getTime() <= WINDOW_MS;
}

function closedReason(last: Date | undefined, now: Date): string {
  if (!last) return 'The customer has not written to this number yet; WhatsApp allows only approved templates.';
  const hours = Math.floor((now.getTime() - last.getTime()) / 3_600_000);
  return `The customer last wrote ${hours} hours ago; outside the 24-hour window WhatsApp allows only approved templates.`;
}

export async function policy(ctx: ConnectorContext<WhatsAppConfig>, conversation: OutgoingMessage['conversation'], now: Date): Promise<SendPolicy> {
  if (inWindow(conversation.lastCustomerMessageAt, now)) return { allowed: true };
  const reason = closedReason(conversation.lastCustomerMessageAt, now);
  try {
    const templates = await listTemplates(ctx);
    return { allowed: false, reason, options: templates.map((t) => ({ kind: 'template' as const, name: t.name, language: t.language, parameters: t.parameters })) };
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'could not list WhatsApp templates for the send policy');
    return { allowed: false, reason: `${reason} (The template list could not be loaded: ${(err as Error).message})`, options: [] };
  }
}

function sendFailure(f: GraphFailure): ConnectorError | undefined {
  const detail = `WhatsApp error ${f.code}: ${f.message}`;
  switch (f.code) {
    case 131047:
      return new BusinessError('WhatsApp refused the message: more than 24 hours have passed since the customer last wrote; send an approved template instead', { detail });
    case 131056:
      return new RetryableError('WhatsApp pair rate limit: too many messages to this customer in a short time', { retryAfterMs: f.retryAfterMs ?? PAIR_RATE_WAIT_MS, detail });
    case 130429:
      return new RetryableError('WhatsApp throughput limit of this business number reached', { retryAfterMs: f.retryAfterMs ?? 1_000, detail });
    case 131026:
      return new BusinessError('WhatsApp could not deliver to this customer (not on WhatsApp, or an outdated app)', { detail });
    case 132000:
    case 132001:
    case 132005:
    case 132007:
    case 132012:
      return new BusinessError(`WhatsApp refused the template: ${f.message}`, { detail });
    default:
      return undefined;
  }
}

function mediaBody(a: OutgoingMessage['attachments'][number]): Record<string, unknown> {
  const major = a.mimeType?.split('/')[0];
  if (major === 'image' || major === 'video') return { type: major, [major]: { link: a.url } };
  if (major === 'audio') return { type: 'audio', audio: { link: a.url } };
  return { type: 'document', document: { link: a.url, ...(a.name ? { filename: a.name } : {}) } };
}

function templateBody(t: NonNullable<OutgoingMessage['template']>): Record<string, unknown> {
  return {
    type: 'template',
    template: {
      name: t.name,
      language: { code: t.language },
      ...(t.parameters.length > 0 ? { components: [{ type: 'body', parameters: t.parameters.map((text) => ({ type: 'text', text })) }] } : {}),
    },
  };
}

export async function send(ctx: ConnectorContext<WhatsAppConfig>, message: OutgoingMessage) {
  const thread = parseThreadId(message.conversation.externalThreadId);
  if (!thread || !ctx.config.phoneNumbers.some((p) => p.id === thread.phoneNumberId)) {
    throw new BusinessError(`conversation ${message.conversation.externalThreadId} does not belong to a phone number of this connection`);
  }
  if (thread.customerKey.startsWith('group:')) throw new BusinessError('replies to WhatsApp groups are not supported by this connector');
  const bodies: Array<Record<string, unknown>> = [];
  if (message.template) {
    bodies.push(templateBody(message.template));
  } else {
    const now = ctx.now();
    if (!inWindow(message.conversation.lastCustomerMessageAt, now)) throw new BusinessError(closedReason(message.conversation.lastCustomerMessageAt, now));
    if (message.text.trim() !== '') bodies.push({ type: 'text', text: { body: message.text, preview_url: false } });
    for (const a of message.attachments) bodies.push(mediaBody(a));
  }
  if (bodies.length === 0) throw new BusinessError('Nothing to send: the message has no text, attachment or template');

  let first: string | undefined;
  for (const body of bodies) {
    const answer = await graph(
      ctx,
      `${thread.phoneNumberId}/messages`,
      sendAnswer,
      'send message',
      { method: 'post', json: { messaging_product: 'whatsapp', recipient_type: 'individual', to: thread.customerKey, ...body } },
      sendFailure,
    );
    first ??= answer.messages[0]!.id;
  }
  return { externalId: first!, status: 'sent' as const };
}
