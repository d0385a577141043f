import { z } from 'zod';
import { BusinessError, type ConnectorContext, type ConnectorError, type OutgoingMessage, type SendPolicy } from '../../core/sdk/index.ts';
import type { MessengerConfig } from './config.ts';
import { graph, type GraphFailure } from './graph.ts';

/**
 * Replies through the Send API (`POST /me/messages` with the Page token), under Messenger's messaging window
 * (docs §3): `messaging_type: RESPONSE` up to 24 h after the person's last message, then `MESSAGE_TAG` with
 * `HUMAN_AGENT` up to 7 days; later only the non-promotional update tags, when the agent picks one explicitly.
 */
const HOUR = 3_600_000;
const STANDARD_WINDOW_MS = 24 * HOUR;
const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR;
/** Tags Meta allows outside any window, for non-promotional updates only. */
export const UPDATE_TAGS = ['POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE'] as const;

type Route = { messaging_type: 'RESPONSE' } | { messaging_type: 'MESSAGE_TAG'; tag: string };

function hoursAgo(last: Date, now: Date): string {
  const h = (now.getTime() - last.getTime()) / HOUR;
  return h < 48 ? `${Math.floor(h)} hours` : `${Math.floor(h / 24)} days`;
}

/** How a message may go now, or why it may not. */
export function route(last: Date | undefined, now: Date, tag: string | undefined): Route | { refused: string } {
  if (tag && (UPDATE_TAGS as readonly string[]).includes(tag)) return { messaging_type: 'MESSAGE_TAG', tag };
  if (!last) return { refused: 'This person has not written to the Page yet; Messenger only allows replies to people who wrote first.' };
  const age = now.getTime() - last.getTime();
  if (age <= STANDARD_WINDOW_MS) return { messaging_type: 'RESPONSE' };
  if (age <= HUMAN_AGENT_WINDOW_MS) return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  return {
    refused: `The customer last wrote ${hoursAgo(last, now)} ago; Messenger allows agent replies only within 7 days of the customer's last message (HUMAN_AGENT tag).`,
  };
}

export function policy(conversation: OutgoingMessage['conversation'], now: Date): SendPolicy {
  const r = route(conversation.lastCustomerMessageAt, now, undefined);
  if ('refused' in r) return { allowed: false, reason: r.refused, options: UPDATE_TAGS.map((name) => ({ kind: 'tag' as const, name })) };
  if (r.messaging_type === 'MESSAGE_TAG') {
    return {
      allowed: true,
      reason: `The customer last wrote ${hoursAgo(conversation.lastCustomerMessageAt!, now)} ago; the reply goes out with the HUMAN_AGENT tag (a person must write it).`,
      options: [{ kind: 'tag', name: 'HUMAN_AGENT' }],
    };
  }
  return { allowed: true };
}

/** Messenger's refusals that no retry will fix. */
function sendFailure(f: GraphFailure): ConnectorError | undefined {
  if (f.code === 10 && f.subcode === 2018278) return new BusinessError('Messenger refused the message: it is outside the allowed messaging window', { detail: f.message });
  if (f.code === 10 && f.subcode === 1893063) return new BusinessError('Messenger refused the message: the Page is temporarily restricted from sending', { detail: f.message });
  if (f.code === 100 && f.subcode === 2018001) return new BusinessError('Messenger refused the message: no matching user (the person may have blocked the Page)', { detail: f.message });
  if (f.code === 551) return new BusinessError('Messenger refused the message: this person is not available right now', { detail: f.message });
  return undefined;
}

const sendAnswer = z.object({ recipient_id: z.string().optional(), message_id: z.string().min(1) });

function attachmentType(mimeType: string | undefined): 'image' | 'video' | 'audio' | 'file' {
  const major = mimeType?.split('/')[0];
  return major === 'image' || major === 'video' || major === 'audio' ? major : 'file';
}

export async function send(ctx: ConnectorContext<MessengerConfig>, message: OutgoingMessage) {
  const r = route(message.conversation.lastCustomerMessageAt, ctx.now(), message.tag);
  if ('refused' in r) throw new BusinessError(r.refused);
  // Messenger carries text or one attachment per message: the text goes first, then each attachment.
  const bodies: unknown[] = [];
  if (message.text.trim() !== '') bodies.push({ text: message.text });
  for (const a of message.attachments) bodies.push({ attachment: { type: attachmentType(a.mimeType), payload: { url: a.url, is_reusable: false } } });
  if (bodies.length === 0) throw new BusinessError('Nothing to send: the message has no text and no attachment');
  let first: string | undefined;
  for (const body of bodies) {
    const answer = await graph(
      ctx,
      'me/messages',
      sendAnswer,
      'Send API',
      { method: 'post', json: { recipient: { id: message.conversation.customerExternalId }, ...r, message: body } },
      sendFailure,
    );
    first ??= answer.message_id;
  }
  return { externalId: first!, status: 'sent' as const };
}
