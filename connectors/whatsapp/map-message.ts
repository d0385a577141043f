import { z } from 'zod';
import type { MessageSnapshot } from '../../core/sdk/index.ts';

/**
 * One Cloud API inbound message (`value.messages[]`, samples/whatsapp/webhook-messages-*.json) → MessageSnapshot.
 * Every documented type has a readable `text`; media stay as attachments carrying their media id (download
 * needs a separate authenticated call); a type this code does not know is kept with its `type` and raw content,
 * never dropped.
 */
export const inboundMessage = z.looseObject({
  id: z.string().min(1),
  from: z.string().optional(),
  /** Business-scoped user id (2026). */
  from_user_id: z.string().optional(),
  timestamp: z.string().regex(/^\d+$/, { message: 'must be unix seconds as text' }),
  type: z.string().min(1),
  context: z.looseObject({ id: z.string().optional(), referred_product: z.looseObject({ product_retailer_id: z.string() }).optional() }).optional(),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional(), error_data: z.looseObject({ details: z.string().optional() }).optional() })).optional(),
});
export type InboundMessage = z.infer<typeof inboundMessage>;

type Attachment = MessageSnapshot['attachments'][number];
type Content = Record<string, unknown>;

const MEDIA_KINDS: Record<string, Attachment['kind']> = { image: 'image', video: 'video', audio: 'audio', voice: 'audio', document: 'file', sticker: 'image' };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Content => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Content) : {});

function media(kind: Attachment['kind'], c: Content): Attachment {
  return {
    kind,
    ...(str(c.filename) ? { name: str(c.filename)! } : {}),
    ...(str(c.mime_type) ? { mimeType: str(c.mime_type)! } : {}),
    data: { mediaId: c.id, ...(c.sha256 ? { sha256: c.sha256 } : {}), ...(c.voice !== undefined ? { voice: c.voice } : {}), ...(c.animated !== undefined ? { animated: c.animated } : {}) },
  };
}

function contactName(c: Content): string {
  const name = obj(c.name);
  return str(name.formatted_name) ?? ([str(name.first_name), str(name.last_name)].filter(Boolean).join(' ') || 'contact');
}

/** `text` and `attachments` of one message, by type. */
function content(m: InboundMessage): { text: string; attachments: Attachment[] } {
  const c = obj((m as Content)[m.type]);
  switch (m.type) {
    case 'text':
      return { text: str(c.body) ?? '', attachments: [] };
    case 'image':
    case 'video':
    case 'audio':
    case 'voice':
    case 'document':
    case 'sticker':
      return { text: str(c.caption) ?? '', attachments: [media(MEDIA_KINDS[m.type]!, c)] };
    case 'location': {
      const label = [str(c.name), str(c.address)].filter(Boolean).join(', ');
      return { text: label || `Location ${c.latitude}, ${c.longitude}`, attachments: [{ kind: 'location', ...(str(c.url) ? { url: str(c.url)! } : {}), data: c }] };
    }
    case 'contacts': {
      const list = Array.isArray((m as Content).contacts) ? ((m as Content).contacts as Content[]) : [];
      return { text: `Shared contact: ${list.map(contactName).join(', ')}`, attachments: list.map((x) => ({ kind: 'contact' as const, name: contactName(x), data: x })) };
    }
    case 'button':
      return { text: str(c.text) ?? str(c.payload) ?? '', attachments: [{ kind: 'other', data: { payload: c.payload } }] };
    case 'interactive': {
      const reply = obj(c.button_reply ?? c.list_reply ?? c.nfm_reply);
      const text = [str(reply.title), str(reply.description)].filter(Boolean).join(' – ') || str(reply.body) || `[${str(c.type) ?? 'interactive'} reply]`;
      return { text, attachments: [{ kind: 'other', data: c }] };
    }
    case 'order': {
      const items = Array.isArray(c.product_items) ? (c.product_items as Content[]) : [];
      const lines = items.map((i) => `${i.quantity} × ${i.product_retailer_id} (${i.item_price} ${i.currency})`);
      return { text: [str(c.text), `Order: ${lines.join(', ')}`].filter(Boolean).join('\n'), attachments: [{ kind: 'other', data: c }] };
    }
    case 'reaction':
      return { text: str(c.emoji) ?? '(reaction removed)', attachments: [{ kind: 'other', data: c }] };
    case 'system':
      return { text: str(c.body) ?? `[system: ${str(c.type) ?? 'notice'}]`, attachments: [{ kind: 'other', data: c }] };
    case 'unsupported': {
      const e = m.errors?.[0];
      return { text: `[unsupported message: ${e?.error_data?.details ?? e?.title ?? 'type not supported by the Cloud API'}]`, attachments: [] };
    }
    default:
      return { text: `[${m.type} message]`, attachments: Object.keys(c).length > 0 ? [{ kind: 'other', data: c }] : [] };
  }
}

export function toMessageSnapshot(m: InboundMessage, author: string): MessageSnapshot {
  const { text, attachments } = content(m);
  return {
    externalId: m.id,
    direction: 'in',
    text,
    type: m.type,
    attachments,
    sentAt: new Date(Number(m.timestamp) * 1000).toISOString(),
    author,
  };
}
