import type { Context } from 'hono';
import type { MetaContext } from './context.ts';
import { GraphError, unknownObject } from './graph-errors.ts';
import type { GraphEnv } from './graph-gate.ts';
import { validateSendMessage, withSendDefaults } from './whatsapp-spec.ts';
import { BSUID_RE, newWamid, type WaMessage, type WaPhoneNumber, type WaUser } from './whatsapp-store.ts';
import { ERROR_CODES_HREF, statusValue, wabaEnvelope, type StatusError } from './whatsapp-webhooks.ts';

/**
 * Cloud API `POST /{phone_number_id}/messages` (docs §4): the body is validated against Meta's OpenAPI spec; the
 * throughput limit per business number (130429) and the pair rate per user (131056) answer synchronously; a
 * free-form message outside the 24 h customer-service window is accepted (200 + wamid) and then fails
 * asynchronously with a `failed` status carrying 131047, as the real API reports it. The same endpoint marks a
 * message read (`status: "read"`, optional `typing_indicator`).
 */
const WINDOW_MS = 24 * 3_600_000;

function waError(code: number, title: string, details: string, status: 400 | 401 | 403 | 404 = 400): GraphError {
  return new GraphError(status, {
    message: `(#${code}) ${title}`,
    type: 'OAuthException',
    code,
    error_data: { messaging_product: 'whatsapp', details },
  });
}

export const throughputExceeded = () =>
  waError(130429, 'Rate limit hit', 'Message failed to send because there were too many messages sent from this phone number in a short period of time');
export const pairRateExceeded = () =>
  waError(131056, '(Business Account, Consumer Account) pair rate limit hit', 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time');
export const templateMissing = (name: string, lang: string) =>
  waError(132001, 'Template name does not exist in the translation', `template name (${name}) does not exist in ${lang}`);

export const reengagementError = (): StatusError => ({
  code: 131047,
  title: 'Re-engagement message',
  message: 'Re-engagement message',
  error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  href: ERROR_CODES_HREF,
});

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw waError(100, 'Invalid parameter', 'The request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw waError(100, 'Invalid parameter', 'The request body must be a JSON object');
  const { access_token: _t, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** `to` is a phone number in any common notation (digits kept) or a BSUID. */
function parseRecipient(to: string): { waId?: string; userId?: string } | undefined {
  if (BSUID_RE.test(to)) return { userId: to };
  const digits = to.replace(/[\s()+-]/g, '');
  return /^\d{6,15}$/.test(digits) ? { waId: digits } : undefined;
}

export async function whatsappSend(c: Context<GraphEnv>, ctx: MetaContext, pn: WaPhoneNumber): Promise<Response> {
  const raw = await jsonBody(c);
  if (raw.messaging_product === undefined) throw waError(131008, 'Required parameter is missing', 'The parameter messaging_product is required.');
  if (raw.messaging_product !== 'whatsapp') throw waError(131009, 'Parameter value is not valid', 'messaging_product must be "whatsapp"');
  if (raw.status !== undefined) return markRead(c, ctx, pn, raw);

  const body = withSendDefaults(raw);
  const issues = validateSendMessage(body);
  if (issues.length > 0) {
    const first = issues[0]!;
    const title = first.code === 131008 ? 'Required parameter is missing' : first.code === 100 ? 'Invalid parameter' : 'Parameter value is not valid';
    throw waError(first.code, title, first.details);
  }
  if (body.recipient_type === 'group') throw waError(131009, 'Parameter value is not valid', 'recipient_type group is not supported by this simulator');
  const recipient = parseRecipient(String(body.to));
  if (!recipient) throw waError(131009, 'Parameter value is not valid', 'to: not a valid phone number or business-scoped user id');

  const type = body.type as string;
  let category = 'service';
  if (type === 'template') {
    const t = body.template as { name: string; language: { code: string } };
    const tpl = ctx.whatsapp.wabas.get(pn.wabaId)?.templates.find((x) => x.name === t.name && x.language === t.language.code);
    if (!tpl || tpl.status !== 'APPROVED') throw templateMissing(t.name, t.language.code);
    category = tpl.category.toLowerCase();
  }
  if (!pn.bucket.tryTake(1)) throw throughputExceeded();
  const user = ctx.whatsapp.ensureUser(recipient);
  if (!ctx.whatsapp.takePair(pn.id, user.userId)) throw pairRateExceeded();

  const now = ctx.clock.now();
  const lastIn = user.lastInboundAt[pn.id];
  const inWindow = lastIn !== undefined && now - lastIn <= WINDOW_MS;
  const msg: WaMessage = {
    id: newWamid(),
    phoneNumberId: pn.id,
    direction: 'out',
    userId: user.userId,
    ...(user.waId ? { waId: user.waId } : {}),
    type,
    at: now,
    body,
    status: 'accepted',
    category,
  };
  ctx.whatsapp.messages.push(msg);
  if (type !== 'template' && !inWindow) {
    failMessage(ctx, pn, user, msg, reengagementError());
  } else {
    emitStatus(ctx, pn, user, msg, 'sent');
    emitStatus(ctx, pn, user, msg, 'delivered');
    if (ctx.options.autoRead) emitStatus(ctx, pn, user, msg, 'read');
  }
  return c.json({
    messaging_product: 'whatsapp',
    contacts: [{ input: String(body.to), ...(user.waId ? { wa_id: user.waId } : {}), user_id: user.userId }],
    messages: [{ id: msg.id }],
  });
}

export function emitStatus(ctx: MetaContext, pn: WaPhoneNumber, user: WaUser, msg: WaMessage, status: 'sent' | 'delivered' | 'read'): void {
  msg.status = status;
  const value = statusValue({ messageId: msg.id, status, at: ctx.clock.now(), user, ...(msg.category ? { category: msg.category } : {}) });
  ctx.webhooks.emit('whatsapp_business_account', wabaEnvelope(pn, 'messages', value));
}

function failMessage(ctx: MetaContext, pn: WaPhoneNumber, user: WaUser, msg: WaMessage, error: StatusError): void {
  msg.status = 'failed';
  msg.errorCode = error.code;
  const value = statusValue({ messageId: msg.id, status: 'failed', at: ctx.clock.now(), user, errors: [error] });
  ctx.webhooks.emit('whatsapp_business_account', wabaEnvelope(pn, 'messages', value));
}

/** `{ messaging_product, status: "read", message_id, typing_indicator? }` → `{ success: true }`. */
function markRead(c: Context, ctx: MetaContext, pn: WaPhoneNumber, body: Record<string, unknown>): Response {
  if (body.status !== 'read') throw waError(131009, 'Parameter value is not valid', 'status must be "read"');
  if (typeof body.message_id !== 'string') throw waError(131008, 'Required parameter is missing', 'The parameter message_id is required.');
  for (const k of Object.keys(body)) {
    if (!['messaging_product', 'status', 'message_id', 'typing_indicator'].includes(k)) throw waError(100, 'Invalid parameter', `unexpected parameter ${k}`);
  }
  const ti = body.typing_indicator as { type?: unknown } | undefined;
  if (ti !== undefined && (typeof ti !== 'object' || ti === null || ti.type !== 'text')) {
    throw waError(131009, 'Parameter value is not valid', 'typing_indicator.type must be "text"');
  }
  const msg = ctx.whatsapp.messages.find((m) => m.id === body.message_id && m.phoneNumberId === pn.id && m.direction === 'in');
  if (!msg) throw waError(100, 'Invalid parameter', `message_id ${body.message_id} is not a message received by this phone number`);
  msg.status = 'read';
  return c.json({ success: true });
}

export function phoneNumberOr404(ctx: MetaContext, id: string, method: string): WaPhoneNumber {
  const pn = ctx.whatsapp.phoneNumbers.get(id);
  if (!pn) throw unknownObject(id, method);
  return pn;
}
