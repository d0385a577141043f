import { Hono } from 'hono';
import {
  type AllegroError,
  apiError,
  commandAlreadyUsed,
  commandDifferentContent,
  commandNotFound,
  errorsResponse,
  validationError,
} from './errors.ts';
import type { AllegroOptions } from './options.ts';
import { type ApiEnv, vnd } from './pipeline.ts';
import { renderGeneralReport, renderTasks } from './render.ts';
import type { AllegroStore, Command, CommandKind, Offer, OfferChange } from './store.ts';

/**
 * Batch commands: `PUT /sale/offer-{price,quantity}-change-commands/{commandId}` and
 * `PUT /sale/offer-publication-commands/{commandId}`. The client picks the UUID; the PUT answers 201 with an empty
 * count (the work is asynchronous, as real), tasks stay NEW until `commandDelayMs` has passed, then each offer's
 * task is SUCCESS or FAIL with errors. A reused id is 409.
 */

const PATHS: Record<CommandKind, string> = {
  price: '/sale/offer-price-change-commands',
  quantity: '/sale/offer-quantity-change-commands',
  publication: '/sale/offer-publication-commands',
};
const FIELD: Record<CommandKind, string> = { price: 'price', quantity: 'quantity', publication: 'publication' };
const MAX_OFFERS_PER_CRITERION = 1000;

interface CommandBody {
  modification?: Record<string, unknown>;
  publication?: { action?: 'ACTIVATE' | 'END'; scheduledFor?: string };
  offerCriteria?: Array<{ type?: string; offers?: Array<{ id?: string }> }>;
}

const offerMissing = (): AllegroError =>
  apiError('NOT_FOUND', 'The offer does not exist.', { path: 'offer.id', userMessage: 'The offer does not exist.' });

/** Checks what the schema cannot (the discriminated price modification, criteria) before registering. */
function checkBody(kind: CommandKind, body: CommandBody): AllegroError[] {
  const errors: AllegroError[] = [];
  const criteria = body.offerCriteria ?? [];
  if (criteria.length === 0) errors.push(validationError('offerCriteria', 'must not be empty'));
  criteria.forEach((cr, i) => {
    if (cr.type !== 'CONTAINS_OFFERS') errors.push(validationError(`offerCriteria[${i}].type`, 'must be CONTAINS_OFFERS'));
    const n = cr.offers?.length ?? 0;
    if (n === 0) errors.push(validationError(`offerCriteria[${i}].offers`, 'must not be empty'));
    if (n > MAX_OFFERS_PER_CRITERION) {
      errors.push(validationError(`offerCriteria[${i}].offers`, `size must be between 1 and ${MAX_OFFERS_PER_CRITERION}`));
    }
  });
  const m = body.modification ?? {};
  if (kind === 'price') {
    const type = m.type as string | undefined;
    const needs: Record<string, string> = {
      FIXED_PRICE: 'price',
      INCREASE_PRICE: 'value',
      DECREASE_PRICE: 'value',
      INCREASE_PERCENTAGE: 'percentage',
      DECREASE_PERCENTAGE: 'percentage',
    };
    if (!type || !needs[type]) {
      errors.push(validationError('modification.type', `must be one of ${Object.keys(needs).join(', ')}`));
    } else if (m[needs[type]!] === undefined || m[needs[type]!] === null) {
      errors.push(validationError(`modification.${needs[type]}`, 'must not be null'));
    }
  }
  if (kind === 'quantity') {
    if (m.changeType !== 'FIXED' && m.changeType !== 'GAIN') errors.push(validationError('modification.changeType', 'must be FIXED or GAIN'));
    if (typeof m.value !== 'number') errors.push(validationError('modification.value', 'must not be null'));
  }
  if (kind === 'publication' && !body.publication?.action) {
    errors.push(validationError('publication.action', 'must be ACTIVATE or END'));
  }
  return errors;
}

function amountOf(v: unknown): { amount: number; currency?: string } | undefined {
  const p = v as { amount?: string; currency?: string } | undefined;
  if (!p || typeof p.amount !== 'string' || !/^\d+(\.\d+)?$/.test(p.amount)) return undefined;
  return { amount: Number(p.amount), ...(p.currency ? { currency: p.currency } : {}) };
}

/** One task: the change the command makes to one offer, or the reason it cannot. */
function taskChange(kind: CommandKind, body: CommandBody, offer: Offer): OfferChange | AllegroError {
  const m = body.modification ?? {};
  if (kind === 'quantity') {
    const value = m.value as number;
    const next = m.changeType === 'FIXED' ? value : offer.available + value;
    // FIXED must be > 0 (spec); the code is the one Allegro reports (allegro-api issue #1996).
    if ((m.changeType === 'FIXED' && value <= 0) || next < 0) {
      return apiError('ATTEMPT_TO_CHANGE_OFFER_QUANTITY_TO_INVALID_VALUE', `Invalid quantity: ${next}`, { path: 'quantity' });
    }
    return { available: next };
  }
  if (kind === 'publication') {
    return { status: body.publication!.action === 'ACTIVATE' ? 'ACTIVE' : 'ENDED' };
  }
  const current = Number(offer.price.amount);
  let next: number;
  let currency = offer.price.currency;
  switch (m.type) {
    case 'FIXED_PRICE': {
      const p = amountOf(m.price);
      if (!p) return apiError('VALIDATION_ERROR', 'Invalid price amount', { path: 'modification.price.amount' });
      next = p.amount;
      currency = p.currency ?? currency;
      break;
    }
    case 'INCREASE_PRICE':
    case 'DECREASE_PRICE': {
      const p = amountOf(m.value);
      if (!p) return apiError('VALIDATION_ERROR', 'Invalid price amount', { path: 'modification.value.amount' });
      if (p.currency && p.currency !== currency) {
        return apiError('VALIDATION_ERROR', `Currency must be ${currency}`, { path: 'modification.value.currency' });
      }
      next = m.type === 'INCREASE_PRICE' ? current + p.amount : current - p.amount;
      break;
    }
    default: {
      const pct = Number(m.percentage);
      if (!Number.isFinite(pct) || pct <= 0) {
        return apiError('VALIDATION_ERROR', 'Invalid percentage', { path: 'modification.percentage' });
      }
      next = m.type === 'INCREASE_PERCENTAGE' ? current * (1 + pct / 100) : current * (1 - pct / 100);
    }
  }
  if (currency !== offer.price.currency) {
    return apiError('VALIDATION_ERROR', `Currency must be ${offer.price.currency}`, { path: 'modification.price.currency' });
  }
  next = Math.round(next * 100) / 100;
  if (next <= 0) return apiError('VALIDATION_ERROR', 'The resulting price must be greater than 0', { path: 'price' });
  return { price: { amount: next.toFixed(2), currency } };
}

function runCommand(store: AllegroStore, cmd: Command, body: CommandBody): void {
  for (const task of cmd.tasks) {
    const offer = store.offers.get(task.offerId);
    const outcome = offer ? taskChange(cmd.kind, body, offer) : offerMissing();
    const errors = 'code' in outcome ? [outcome] : store.checkChange(offer!, outcome);
    task.finishedAt = store.nowIso();
    if (errors.length > 0) {
      task.status = 'FAIL';
      task.message = errors[0]!.userMessage;
      task.errors = errors;
    } else {
      store.applyChange(offer!, outcome as OfferChange);
      task.status = 'SUCCESS';
    }
  }
  cmd.completedAt = store.nowIso();
}

export function commandRoutes(store: AllegroStore, opts: AllegroOptions): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  for (const kind of Object.keys(PATHS) as CommandKind[]) {
    const base = PATHS[kind];
    const key = (id: string) => `${kind}:${id.toLowerCase()}`;

    app.put(`${base}/:commandId`, (c) => {
      const id = c.req.param('commandId').toLowerCase();
      const body = (c.get('body') ?? {}) as CommandBody;
      const payload = JSON.stringify(body);
      const existing = store.commands.get(key(id));
      if (existing) {
        if (existing.payload !== payload) return errorsResponse(c, 409, [commandDifferentContent()]);
        if (opts.commandReplay === 'conflict') return errorsResponse(c, 409, [commandAlreadyUsed()]);
        return vnd(c, renderGeneralReport(existing), 201);
      }
      const errors = checkBody(kind, body);
      if (errors.length > 0) return errorsResponse(c, 422, errors);
      const now = store.clock();
      const offerIds = [...new Set((body.offerCriteria ?? []).flatMap((cr) => (cr.offers ?? []).map((o) => o.id ?? '')))];
      const cmd: Command = {
        kind,
        id,
        payload,
        createdAt: store.nowIso(),
        tasks: offerIds.map((offerId) => ({
          offerId,
          status: 'NEW',
          field: FIELD[kind],
          scheduledAt: store.nowIso(),
          errors: [],
        })),
      };
      store.commands.set(key(id), cmd);
      const scheduledFor = body.publication?.scheduledFor ? Date.parse(body.publication.scheduledFor) : NaN;
      const dueAt = Math.max(now + opts.commandDelayMs, Number.isNaN(scheduledFor) ? 0 : scheduledFor);
      store.schedule(dueAt, () => runCommand(store, cmd, body));
      // Real answers right after registration count nothing yet: {"id":…,"taskCount":{0,0,0}} (allegro-api #5465).
      return vnd(c, { id, taskCount: { total: 0, success: 0, failed: 0 } }, 201);
    });

    app.get(`${base}/:commandId`, (c) => {
      const cmd = store.commands.get(key(c.req.param('commandId')));
      if (!cmd) return errorsResponse(c, 404, [commandNotFound()]);
      return vnd(c, renderGeneralReport(cmd));
    });

    app.get(`${base}/:commandId/tasks`, (c) => {
      const cmd = store.commands.get(key(c.req.param('commandId')));
      if (!cmd) return errorsResponse(c, 404, [commandNotFound()]);
      const q = c.get('query');
      return vnd(c, renderTasks(cmd, (q.offset as number | undefined) ?? 0, (q.limit as number | undefined) ?? 100));
    });
  }
  return app;
}
