import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { OAuthServer } from './auth.ts';
import { seedOfferSchema } from './options.ts';
import { advanceOrder, cancelOrder, purchase, PurchaseError } from './orders.ts';
import { renderProductOffer } from './render.ts';
import { newThread } from './routes-messaging.ts';
import type { AllegroStore } from './store.ts';

/**
 * Admin routes under `/__sandbox` (no Allegro auth): what the seller's user, Allegro's staff and buyers do in the
 * real world, so tests and the demo can make it happen.
 */

const endSchema = z.object({ endedBy: z.enum(['USER', 'ADMIN', 'EXPIRATION', 'ERROR']).default('ADMIN') });
const cancelSchema = z.object({ type: z.enum(['BUYER_CANCELLED', 'AUTO_CANCELLED']).default('BUYER_CANCELLED') });
const incomingSchema = z.object({
  login: z.string().min(1),
  text: z.string().min(1).max(2000),
  threadId: z.string().optional(),
  offerId: z.string().optional(),
  orderId: z.string().optional(),
});

async function input(c: Context): Promise<unknown> {
  const ctype = c.req.header('content-type') ?? '';
  if (ctype.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(await c.req.text()));
  return c.req.json().catch(() => ({}));
}

export function adminRoutes(store: AllegroStore, oauth: OAuthServer): Hono {
  const app = new Hono();
  const bad = (c: Context, err: unknown) =>
    c.json({ ok: false, error: err instanceof z.ZodError ? err.issues : (err as Error).message }, 400);

  /** The user approves (or denies) a device code: what clicking "Approve" at verification_uri does. */
  app.post('/oauth/device/approve', async (c) => {
    const body = (await input(c)) as { user_code?: string; deny?: boolean | string };
    const deny = body.deny === true || body.deny === 'true';
    if (!body.user_code || !oauth.approveDevice(body.user_code, !deny)) {
      return c.json({ ok: false, error: 'no pending device code with that user_code' }, 404);
    }
    return c.json({ ok: true });
  });

  /** A user access token straight away (tests and the demo skip the device dance with it). */
  app.post('/oauth/user-token', (c) => c.json({ access_token: oauth.userToken() }));

  app.post('/offers', async (c) => {
    try {
      return c.json(renderProductOffer(store.addOffer(seedOfferSchema.parse(await input(c)))), 201);
    } catch (err) {
      return bad(c, err);
    }
  });

  /** Allegro staff or the seller in the web UI ends an offer. */
  app.post('/offers/:offerId/end', async (c) => {
    const offer = store.offers.get(c.req.param('offerId'));
    if (!offer) return c.json({ ok: false, error: 'no such offer' }, 404);
    try {
      store.endOffer(offer, endSchema.parse(await input(c)).endedBy);
      return c.json(renderProductOffer(offer));
    } catch (err) {
      return bad(c, err);
    }
  });

  app.post('/orders', async (c) => {
    try {
      return c.json(purchase(store, await input(c)), 201);
    } catch (err) {
      if (err instanceof PurchaseError) return c.json({ ok: false, error: err.message }, 409);
      return bad(c, err);
    }
  });

  app.post('/orders/:id/advance', (c) => {
    const order = store.orders.get(c.req.param('id'));
    if (!order) return c.json({ ok: false, error: 'no such order' }, 404);
    try {
      return c.json({ eventId: advanceOrder(store, order), status: order.status });
    } catch (err) {
      return c.json({ ok: false, error: (err as Error).message }, 409);
    }
  });

  app.post('/orders/:id/cancel', async (c) => {
    const order = store.orders.get(c.req.param('id'));
    if (!order) return c.json({ ok: false, error: 'no such order' }, 404);
    try {
      return c.json({ eventId: cancelOrder(store, order, cancelSchema.parse(await input(c)).type) });
    } catch (err) {
      if (err instanceof PurchaseError) return c.json({ ok: false, error: err.message }, 409);
      return bad(c, err);
    }
  });

  /** A buyer writes to the seller (new thread unless `threadId` or an existing thread with that login). */
  app.post('/messaging/incoming', async (c) => {
    try {
      const body = incomingSchema.parse(await input(c));
      const thread =
        (body.threadId ? store.threads.get(body.threadId) : undefined) ??
        [...store.threads.values()].find((t) => t.interlocutor.login === body.login) ??
        newThread(store, body.login);
      const message = {
        id: randomUUID(),
        threadId: thread.id,
        text: body.text,
        fromBuyer: true,
        authorLogin: body.login,
        createdAt: store.nowIso(),
        ...(body.offerId ? { offerId: body.offerId } : {}),
        ...(body.orderId ? { orderId: body.orderId } : {}),
        attachmentIds: [],
      };
      thread.messages.push(message);
      thread.read = false;
      return c.json({ threadId: thread.id, messageId: message.id }, 201);
    } catch (err) {
      return bad(c, err);
    }
  });

  return app;
}
