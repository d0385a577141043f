/**
 * Messenger webhook events in the shapes of Meta's webhook reference (shared/specs/samples/messenger/), and the
 * `{ object: "page", entry: [{ id, time, messaging: [event] }] }` envelope they travel in.
 */
export type MessengerEvent = Record<string, unknown>;

export function pageEnvelope(pageId: string, time: number, events: MessengerEvent[]) {
  return { object: 'page', entry: [{ id: pageId, time, messaging: events }] };
}

export interface InboundContent {
  text?: string;
  quickReplyPayload?: string;
  replyTo?: string;
  attachments?: Array<{ type: string; url: string }>;
}

export function inboundMessageEvent(pageId: string, psid: string, at: number, mid: string, content: InboundContent): MessengerEvent {
  const message: Record<string, unknown> = { mid };
  if (content.text !== undefined) message.text = content.text;
  if (content.quickReplyPayload !== undefined) message.quick_reply = { payload: content.quickReplyPayload };
  if (content.replyTo !== undefined) message.reply_to = { mid: content.replyTo, is_self_reply: false };
  if (content.attachments?.length) message.attachments = content.attachments.map((a) => ({ type: a.type, payload: { url: a.url } }));
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp: at, message };
}

export function postbackEvent(pageId: string, psid: string, at: number, mid: string, title: string, payload: string): MessengerEvent {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp: at, postback: { mid, title, payload } };
}

/** The copy of a Page's own message (subscription field `message_echoes`). */
export function echoEvent(pageId: string, psid: string, at: number, mid: string, appId: string, message: Record<string, unknown>): MessengerEvent {
  return { sender: { id: pageId }, recipient: { id: psid }, timestamp: at, message: { is_echo: true, app_id: Number(appId), mid, ...message } };
}

export function deliveryEvent(pageId: string, psid: string, mids: string[], watermark: number): MessengerEvent {
  return { sender: { id: psid }, recipient: { id: pageId }, delivery: { mids, watermark } };
}

export function readEvent(pageId: string, psid: string, at: number, watermark: number): MessengerEvent {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp: at, read: { watermark } };
}
