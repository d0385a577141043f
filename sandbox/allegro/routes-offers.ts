import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { ApiFailure, errorsResponse, notFound, offerConflict, validationError } from './errors.ts';
import type { AllegroOptions } from './options.ts';
import { type ApiEnv, vnd } from './pipeline.ts';
import { renderOfferListing, renderProductOffer } from './render.ts';
import type { AllegroStore, Offer, OfferChange } from './store.ts';

/**
 * Offers: `GET /sale/offers` (the seller's listing, filterable by `external.id` = our SKU), `GET/PATCH
 * /sale/product-offers/{offerId}` with Allegro's asynchronous edit (202 + Location, 409 while the previous edit
 * runs, `GET …/operations/{operationId}` → 202 then 303), and the offer event journal `GET /sale/offer-events`.
 */

interface PatchBody {
  name?: string;
  category?: { id?: string };
  sellingMode?: { price?: { amount: string; currency: string } };
  stock?: { available?: number; unit?: Offer['unit'] } | null;
  external?: { id?: string } | null;
  publication?: { status?: string };
}

function toChange(body: PatchBody): OfferChange {
  const change: OfferChange = {};
  if (body.name !== undefined) change.name = body.name;
  if (body.category?.id !== undefined) change.categoryId = body.category.id;
  if (body.sellingMode?.price) change.price = { ...body.sellingMode.price };
  if (body.stock?.available !== undefined) change.available = body.stock.available;
  if (body.stock?.unit !== undefined) change.unit = body.stock.unit;
  // `null` removes a field in Allegro's PATCH ("when you pass null we remove the value", allegro-api #3764).
  if (body.external === null) change.externalId = null;
  else if (body.external?.id !== undefined) change.externalId = body.external.id;
  const status = body.publication?.status;
  if (status === 'ACTIVE' || status === 'ENDED') change.status = status;
  else if (status !== undefined) {
    throw new ApiFailure(422, [validationError('publication.status', 'must be ACTIVE or ENDED in an edit')]);
  }
  return change;
}

export function offerRoutes(store: AllegroStore, opts: AllegroOptions): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/sale/offers', (c) => {
    const q = c.get('query');
    let offers = [...store.offers.values()];
    const ids = q['offer.id'] as string[] | undefined;
    if (ids) offers = offers.filter((o) => ids.includes(o.id));
    const external = q['external.id'] as string[] | undefined;
    if (external) offers = offers.filter((o) => o.externalId !== undefined && external.includes(o.externalId));
    const statuses = q['publication.status'] as string[] | undefined;
    if (statuses) offers = offers.filter((o) => statuses.includes(o.status));
    const name = q.name as string | undefined;
    if (name) offers = offers.filter((o) => o.name.toLowerCase().includes(name.toLowerCase()));
    const category = q['category.id'] as string | undefined;
    if (category) offers = offers.filter((o) => o.categoryId === category);
    const gte = q['sellingMode.price.amount.gte'] as number | undefined;
    if (gte !== undefined) offers = offers.filter((o) => Number(o.price.amount) >= gte);
    const lte = q['sellingMode.price.amount.lte'] as number | undefined;
    if (lte !== undefined) offers = offers.filter((o) => Number(o.price.amount) <= lte);
    const sort = q.sort as string | undefined;
    if (sort) {
      const desc = sort.startsWith('-');
      const key = sort.replace(/^-/, '');
      const val = (o: Offer) =>
        key === 'sellingMode.price.amount' ? Number(o.price.amount) : key === 'stock.sold' ? o.sold : o.available;
      offers.sort((a, b) => (desc ? val(b) - val(a) : val(a) - val(b)));
    }
    const offset = (q.offset as number | undefined) ?? 0;
    const limit = (q.limit as number | undefined) ?? 20;
    // Allegro caps offset + limit at 10,000,000 for this listing.
    if (offset + limit > 10_000_000) {
      return errorsResponse(c, 422, [validationError('offset', 'offset + limit must be at most 10000000')]);
    }
    const page = offers.slice(offset, offset + limit).map(renderOfferListing);
    return vnd(c, { offers: page, count: page.length, totalCount: offers.length });
  });

  app.get('/sale/product-offers/:offerId', (c) => {
    const offer = store.offers.get(c.req.param('offerId'));
    if (!offer) return errorsResponse(c, 404, [notFound(`Offer ${c.req.param('offerId')}`)]);
    return vnd(c, renderProductOffer(offer));
  });

  app.patch('/sale/product-offers/:offerId', (c) => {
    const offer = store.offers.get(c.req.param('offerId'));
    if (!offer) return errorsResponse(c, 404, [notFound(`Offer ${c.req.param('offerId')}`)]);
    if (store.pendingEdit(offer.id)) return errorsResponse(c, 409, [offerConflict()]);
    const change = toChange((c.get('body') ?? {}) as PatchBody);
    const errors = store.checkChange(offer, change);
    if (errors.length > 0) return errorsResponse(c, 422, errors);
    if (opts.offerEditDelayMs === 0) {
      store.applyChange(offer, change);
      return vnd(c, renderProductOffer(offer));
    }
    // Asynchronous edit: the offer keeps its old data until the operation completes (allegro-api #12073).
    const opId = randomUUID();
    const now = store.clock();
    store.edits.set(opId, {
      id: opId,
      offerId: offer.id,
      change,
      startedAt: store.nowIso(),
      dueAt: now + opts.offerEditDelayMs,
      status: 'IN_PROGRESS',
      errors: [],
    });
    store.schedule(now + opts.offerEditDelayMs, () => {
      const edit = store.edits.get(opId)!;
      const current = store.offers.get(edit.offerId);
      if (current) {
        edit.errors = store.checkChange(current, edit.change);
        if (edit.errors.length === 0) store.applyChange(current, edit.change);
      }
      edit.status = 'COMPLETED';
    });
    const origin = new URL(c.req.url).origin;
    return vnd(c, renderProductOffer(offer), 202, {
      location: `${origin}/sale/product-offers/${offer.id}/operations/${opId}`,
      'retry-after': String(Math.max(1, Math.ceil(opts.offerEditDelayMs / 1000))),
    });
  });

  app.get('/sale/product-offers/:offerId/operations/:operationId', (c) => {
    const edit = store.edits.get(c.req.param('operationId'));
    if (!edit || edit.offerId !== c.req.param('offerId')) {
      return errorsResponse(c, 404, [notFound(`Operation ${c.req.param('operationId')}`)]);
    }
    const origin = new URL(c.req.url).origin;
    if (edit.status === 'COMPLETED') {
      return c.body(null, 303, { location: `${origin}/sale/product-offers/${edit.offerId}` });
    }
    return vnd(
      c,
      { offer: { id: edit.offerId }, operation: { id: edit.id, status: 'IN_PROGRESS', startedAt: edit.startedAt } },
      202,
      {
        location: `${origin}/sale/product-offers/${edit.offerId}/operations/${edit.id}`,
        'retry-after': String(Math.max(1, Math.ceil((edit.dueAt - store.clock()) / 1000))),
      },
    );
  });

  app.get('/sale/offer-events', (c) => {
    const q = c.get('query');
    const limit = (q.limit as number | undefined) ?? 100;
    const types = q.type as string[] | undefined;
    let start = 0;
    const from = q.from as string | undefined;
    if (from !== undefined) {
      const i = store.offerEvents.findIndex((e) => e.id === from);
      if (i < 0) return errorsResponse(c, 400, [validationError('from', 'is not a known event id')]);
      start = i + 1;
    }
    // The journal keeps the last 24 hours only.
    const horizon = store.clock() - 24 * 3600 * 1000;
    const events = store.offerEvents
      .slice(start)
      .filter((e) => Date.parse(e.occurredAt) >= horizon && (!types || types.includes(e.type)))
      .slice(0, limit)
      .map(({ seq: _seq, ...e }) => e);
    return vnd(c, { offerEvents: events });
  });

  return app;
}
