import type { WaPhoneNumber, WaUser } from './whatsapp-store.ts';

/**
 * WhatsApp webhook payloads in the `whatsapp_business_account` envelope of the OpenAPI examples
 * (shared/specs/samples/whatsapp/webhook-*.json): entry id = WABA id, `changes[].value.metadata` names the business
 * number (route on `phone_number_id`). Since April 2026 the user's business-scoped id travels next to the phone
 * number: `contacts[].user_id`, `messages[].from_user_id`, `statuses[].recipient_user_id` (field names from partner
 * docs, unverified against Meta's reference; see docs §4); `wa_id`/`from`/`recipient_id` are omitted for username
 * users who hid their number.
 */
export function wabaEnvelope(pn: WaPhoneNumber, field: string, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: pn.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: pn.displayPhoneNumber, phone_number_id: pn.id },
              ...value,
            },
            field,
          },
        ],
      },
    ],
  };
}

export function contactOf(user: WaUser, hidePhone: boolean): Record<string, unknown> {
  return {
    profile: { name: user.name },
    ...(user.waId && !hidePhone ? { wa_id: user.waId } : {}),
    user_id: user.userId,
  };
}

/** `messages` change for an inbound message; system messages carry no `contacts` (as in the spec example). */
export function inboundMessageValue(user: WaUser, hidePhone: boolean, message: Record<string, unknown>): Record<string, unknown> {
  const msg = {
    ...(message.context ? { context: message.context } : {}),
    ...(message.referral ? { referral: message.referral } : {}),
    ...(user.waId && !hidePhone ? { from: user.waId } : {}),
    from_user_id: user.userId,
    ...message,
  };
  return message.type === 'system' ? { messages: [msg] } : { contacts: [contactOf(user, hidePhone)], messages: [msg] };
}

export interface StatusError {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
}

export const ERROR_CODES_HREF = 'https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes';

export function statusValue(args: {
  messageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: number;
  user: WaUser;
  category?: string;
  errors?: StatusError[];
}): Record<string, unknown> {
  const s: Record<string, unknown> = {
    id: args.messageId,
    status: args.status,
    timestamp: String(Math.floor(args.at / 1000)),
    // `recipient_id` is required by the spec's Statuses schema; for a hidden-number user it carries the BSUID.
    recipient_id: args.user.waId ?? args.user.userId,
    recipient_user_id: args.user.userId,
  };
  if (args.status === 'failed') {
    s.errors = args.errors ?? [];
  } else if (args.category) {
    // Per-message pricing (PMP) since 2025-07; service replies inside the window are free.
    s.pricing = { billable: args.category !== 'service', pricing_model: 'PMP', category: args.category };
  }
  return { statuses: [s] };
}
