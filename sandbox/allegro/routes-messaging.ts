import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { WindowLimiter } from '../common/rate-limit.ts';
import { errorsResponse, notFound, tooManyRequests, validationError } from './errors.ts';
import type { AllegroOptions } from './options.ts';
import { type ApiEnv, vnd } from './pipeline.ts';
import { renderMessage, renderThread } from './render.ts';
import type { AllegroStore, MessageRecord, Thread } from './store.ts';

/**
 * Message Center: threads (newest last message first), messages (newest first), replies, new threads about an
 * order, read flags and attachments (declare with `POST /messaging/message-attachments`, then upload the bytes with
 * `PUT …/{id}`; a message may only reference uploaded ones). Both message POSTs share Allegro's per-user limit of
 * 1 request per second (spec; 429 body from allegro-api issue #11452), scaled by `rateLimitScale`.
 */

export const MESSAGES_PER_SECOND = 1;

interface NewMessageBody {
  text: string;
  attachments?: Array<{ id: string }> | null;
  recipient?: { login: string };
  order?: { id: string };
}

export function newThread(store: AllegroStore, login: string, avatarUrl?: string): Thread {
  const thread: Thread = {
    id: randomUUID(),
    interlocutor: { login, avatarUrl: avatarUrl ?? `https://a.allegroimg.com/original/avatar/${encodeURIComponent(login)}` },
    read: true,
    messages: [],
  };
  store.threads.set(thread.id, thread);
  return thread;
}

/** `perUser` is owned by the caller so a sandbox reset can clear it. */
export function messagingRoutes(store: AllegroStore, opts: AllegroOptions, perUser: Map<string, WindowLimiter>): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const clock = opts.clock ?? Date.now;
  const allowance = Math.max(1, Math.floor(MESSAGES_PER_SECOND * opts.rateLimitScale));
  const limited = (userId: string) => {
    let l = perUser.get(userId);
    if (!l) perUser.set(userId, (l = new WindowLimiter(allowance, 1000, 0, clock)));
    return l.take() > 0;
  };

  /** Attachment ids a message refers to must have been declared and uploaded. */
  const badAttachments = (body: NewMessageBody) =>
    (body.attachments ?? []).filter((a) => !store.attachments.get(a.id)?.data).map((a) => a.id);

  const post = (thread: Thread, body: NewMessageBody, orderId?: string): MessageRecord => {
    const m: MessageRecord = {
      id: randomUUID(),
      threadId: thread.id,
      text: body.text,
      fromBuyer: false,
      authorLogin: store.seller.login,
      createdAt: store.nowIso(),
      ...(orderId ? { orderId } : {}),
      attachmentIds: (body.attachments ?? []).map((a) => a.id),
    };
    thread.messages.push(m);
    return m;
  };

  app.get('/messaging/threads', (c) => {
    const q = c.get('query');
    const offset = (q.offset as number | undefined) ?? 0;
    const limit = (q.limit as number | undefined) ?? 20;
    const last = (t: Thread) => t.messages[t.messages.length - 1]?.createdAt ?? '';
    const threads = [...store.threads.values()].sort((a, b) => last(b).localeCompare(last(a)));
    return vnd(c, { threads: threads.slice(offset, offset + limit).map(renderThread), offset, limit });
  });

  app.get('/messaging/threads/:threadId', (c) => {
    const thread = store.threads.get(c.req.param('threadId'));
    if (!thread) return errorsResponse(c, 404, [notFound(`Thread ${c.req.param('threadId')}`)]);
    return vnd(c, renderThread(thread));
  });

  app.get('/messaging/threads/:threadId/messages', (c) => {
    const thread = store.threads.get(c.req.param('threadId'));
    if (!thread) return errorsResponse(c, 404, [notFound(`Thread ${c.req.param('threadId')}`)]);
    const q = c.get('query');
    const offset = (q.offset as number | undefined) ?? 0;
    const limit = (q.limit as number | undefined) ?? 20;
    const before = q.before as string | undefined;
    const after = q.after as string | undefined;
    const origin = new URL(c.req.url).origin;
    const messages = [...thread.messages]
      .reverse()
      .filter((m) => (!before || m.createdAt < before) && (!after || m.createdAt > after))
      .slice(offset, offset + limit)
      .map((m) => renderMessage(m, store.attachments, origin));
    return vnd(c, { messages, offset, limit });
  });

  app.post('/messaging/threads/:threadId/messages', (c) => {
    if (limited(c.get('token').userId ?? '')) return errorsResponse(c, 429, [tooManyRequests()]);
    const thread = store.threads.get(c.req.param('threadId'));
    if (!thread) return errorsResponse(c, 404, [notFound(`Thread ${c.req.param('threadId')}`)]);
    const body = c.get('body') as NewMessageBody;
    const bad = badAttachments(body);
    if (bad.length > 0) return errorsResponse(c, 422, [validationError('attachments', `not uploaded: ${bad.join(', ')}`)]);
    const m = post(thread, body);
    thread.read = true;
    return vnd(c, renderMessage(m, store.attachments, new URL(c.req.url).origin), 201);
  });

  app.post('/messaging/messages', (c) => {
    if (limited(c.get('token').userId ?? '')) return errorsResponse(c, 429, [tooManyRequests()]);
    const body = c.get('body') as NewMessageBody;
    const order = store.orders.get(body.order!.id);
    // A seller may only start a conversation with the buyer of one of their orders.
    if (!order) return errorsResponse(c, 422, [validationError('order.id', 'order not found')]);
    if (order.buyer.login !== body.recipient!.login) {
      return errorsResponse(c, 422, [validationError('recipient.login', 'is not the buyer of the order')]);
    }
    const bad = badAttachments(body);
    if (bad.length > 0) return errorsResponse(c, 422, [validationError('attachments', `not uploaded: ${bad.join(', ')}`)]);
    const thread =
      [...store.threads.values()].find((t) => t.interlocutor.login === body.recipient!.login) ??
      newThread(store, body.recipient!.login);
    const m = post(thread, body, order.id);
    return vnd(c, renderMessage(m, store.attachments, new URL(c.req.url).origin), 201);
  });

  app.put('/messaging/threads/:threadId/read', (c) => {
    const thread = store.threads.get(c.req.param('threadId'));
    if (!thread) return errorsResponse(c, 404, [notFound(`Thread ${c.req.param('threadId')}`)]);
    thread.read = (c.get('body') as { read: boolean }).read;
    return vnd(c, renderThread(thread));
  });

  app.post('/messaging/message-attachments', (c) => {
    const body = c.get('body') as { filename: string; size: number };
    const id = randomUUID();
    store.attachments.set(id, { id, filename: body.filename, size: body.size });
    return vnd(c, { id }, 201);
  });

  app.put('/messaging/message-attachments/:attachmentId', (c) => {
    const a = store.attachments.get(c.req.param('attachmentId'));
    if (!a) return errorsResponse(c, 404, [notFound(`Attachment ${c.req.param('attachmentId')}`)]);
    const data = Buffer.from(c.get('rawBody') ?? new ArrayBuffer(0));
    if (data.length > a.size) return errorsResponse(c, 413, [validationError('', `file is larger than the declared ${a.size} bytes`)]);
    a.data = data;
    a.mimeType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
    return vnd(c, { id: a.id });
  });

  app.get('/messaging/message-attachments/:attachmentId', (c) => {
    const a = store.attachments.get(c.req.param('attachmentId'));
    if (!a?.data) return errorsResponse(c, 404, [notFound(`Attachment ${c.req.param('attachmentId')}`)]);
    return c.body(new Uint8Array(a.data), 200, { 'content-type': a.mimeType ?? 'application/octet-stream' });
  });

  return app;
}
