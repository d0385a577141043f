import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { WindowLimiter } from '../common/rate-limit.ts';
import { buildSimulator, type Simulator } from '../common/simulator.ts';
import { adminRoutes } from './admin.ts';
import { OAuthServer } from './auth.ts';
import { apiError, errorsResponse } from './errors.ts';
import { allegroOptionsSchema, allegroSeedSchema, type AllegroOptionsInput } from './options.ts';
import { type ApiEnv, apiPipeline } from './pipeline.ts';
import { commandRoutes } from './routes-commands.ts';
import { issueRoutes } from './routes-issues.ts';
import { messagingRoutes, newThread } from './routes-messaging.ts';
import { offerRoutes } from './routes-offers.ts';
import { orderRoutes } from './routes-orders.ts';
import { loadSpec, schemaValidator } from './spec.ts';
import { AllegroStore } from './store.ts';

export { allegroOptionsSchema, allegroSeedSchema, type AllegroOptionsInput, type AllegroSeed } from './options.ts';
export { BETA_MEDIA, PUBLIC_MEDIA } from './spec.ts';

export interface AllegroSimulator extends Simulator {
  /** Direct access for tests: the account state and the OAuth server. */
  store: AllegroStore;
  oauth: OAuthServer;
}

/**
 * A local Allegro REST API (api.allegro.pl) plus its OAuth server (allegro.pl/auth/oauth), on one origin.
 * Requests are checked against Allegro's published OpenAPI document. Where things live: pipeline.ts (the checks
 * every call goes through), auth.ts (OAuth), store.ts (state and asynchronous work), admin.ts (`/__sandbox/…`).
 */
export function createAllegroSimulator(input: AllegroOptionsInput = {}): AllegroSimulator {
  const opts = allegroOptionsSchema.parse(input);
  loadSpec(); // fail at start-up, not at the first request, if the spec is missing
  const clock = opts.clock ?? Date.now;
  const store = new AllegroStore(clock, opts.seller);
  const oauth = new OAuthServer(opts, clock);
  const limiters = new Map<string, WindowLimiter>();
  const messageLimiters = new Map<string, WindowLimiter>();

  const restApi = new Hono<ApiEnv>();
  restApi.use('*', apiPipeline({ opts, oauth, store, limiters }));
  restApi.route('/', offerRoutes(store, opts));
  restApi.route('/', commandRoutes(store, opts));
  restApi.route('/', orderRoutes(store));
  restApi.route('/', messagingRoutes(store, opts, messageLimiters));
  restApi.route('/', issueRoutes(store));
  // In the spec but not simulated: say so plainly rather than pretend.
  restApi.all('*', (c) =>
    errorsResponse(c, 501, [apiError('NotImplemented', `${c.req.method} ${c.req.path} is not simulated by the omnihub sandbox`)]),
  );

  const api = new Hono();
  api.route('/', oauth.routes());
  api.route('/', restApi as unknown as Hono);

  const seed = (doc: unknown) => {
    const parsed = allegroSeedSchema.parse(doc);
    const validIssue = schemaValidator('PostPurchaseIssue');
    parsed.issues.forEach((issue, i) => {
      if (!validIssue(issue)) throw new Error(`issues[${i}] does not match PostPurchaseIssue: ${JSON.stringify(validIssue.errors)}`);
    });
    for (const o of parsed.offers) store.addOffer(o);
    for (const t of parsed.threads) {
      const thread = newThread(store, t.interlocutor.login, t.interlocutor.avatarUrl);
      if (t.id) {
        store.threads.delete(thread.id);
        thread.id = t.id;
        store.threads.set(t.id, thread);
      }
      for (const m of t.messages) {
        thread.messages.push({
          id: randomUUID(),
          threadId: thread.id,
          text: m.text,
          fromBuyer: m.fromBuyer,
          authorLogin: m.fromBuyer ? t.interlocutor.login : opts.seller.login,
          createdAt: m.createdAt ?? store.nowIso(),
          ...(m.offerId ? { offerId: m.offerId } : {}),
          ...(m.orderId ? { orderId: m.orderId } : {}),
          attachmentIds: [],
        });
      }
      thread.messages.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      thread.read = t.read;
    }
    store.issues.push(...parsed.issues);
    for (const a of parsed.attachments) {
      const data = Buffer.from(a.base64, 'base64');
      store.attachments.set(a.id, { id: a.id, filename: a.filename, mimeType: a.mimeType, size: data.length, data });
    }
  };

  const sim = buildSimulator({
    name: 'allegro',
    api,
    seed,
    state: () => {
      store.settle();
      return {
        offers: [...store.offers.values()],
        offerEdits: [...store.edits.values()],
        commands: [...store.commands.values()].map(({ payload: _p, ...cmd }) => cmd),
        orders: [...store.orders.values()],
        orderEvents: store.orderEvents,
        offerEvents: store.offerEvents,
        threads: [...store.threads.values()],
        attachments: [...store.attachments.values()].map(({ data, ...a }) => ({ ...a, uploadedBytes: data?.length ?? 0 })),
        issues: store.issues,
        oauth: oauth.summary(),
      };
    },
    reset: () => {
      store.reset();
      oauth.reset();
      limiters.clear();
      messageLimiters.clear();
    },
    admin: adminRoutes(store, oauth),
  });
  return Object.assign(sim, { store, oauth });
}
