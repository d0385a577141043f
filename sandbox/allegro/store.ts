import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/rate-limit.ts';
import { type AllegroError, apiError } from './errors.ts';
import type { SeedOffer } from './options.ts';

/**
 * The simulated seller account: offers, asynchronous work (offer edits, batch-command tasks), orders with their
 * event journal, offer events, message threads and post-purchase issues. Asynchronous work is a list of jobs due
 * at a clock time and run by `settle()`, which every API request calls first: with an injected clock, tests move
 * time forward instead of sleeping, and nothing runs behind their back.
 */

export type OfferStatus = 'INACTIVE' | 'ACTIVATING' | 'ACTIVE' | 'ENDED';
export type EndedBy = 'USER' | 'ADMIN' | 'EXPIRATION' | 'EMPTY_STOCK' | 'PRODUCT_DETACHMENT' | 'ERROR';

export interface Money {
  amount: string;
  currency: string;
}

export interface Offer {
  id: string;
  name: string;
  categoryId: string;
  price: Money;
  available: number;
  unit: 'UNIT' | 'PAIR' | 'SET';
  sold: number;
  externalId?: string;
  status: OfferStatus;
  endedBy?: EndedBy;
  startedAt?: string;
  endedAt?: string;
  images: string[];
  createdAt: string;
  updatedAt: string;
}

/** What an edit (PATCH or command task) may change; undefined fields stay. */
export interface OfferChange {
  name?: string;
  price?: Money;
  available?: number;
  unit?: Offer['unit'];
  externalId?: string | null;
  categoryId?: string;
  status?: 'ACTIVE' | 'ENDED';
}

export interface OfferEdit {
  id: string;
  offerId: string;
  change: OfferChange;
  startedAt: string;
  dueAt: number;
  status: 'IN_PROGRESS' | 'COMPLETED';
  errors: AllegroError[];
}

export type CommandKind = 'price' | 'quantity' | 'publication';

export interface CommandTask {
  offerId: string;
  status: 'NEW' | 'SUCCESS' | 'FAIL';
  field: string;
  scheduledAt: string;
  finishedAt?: string;
  message?: string;
  errors: AllegroError[];
}

export interface Command {
  kind: CommandKind;
  id: string;
  payload: string;
  createdAt: string;
  completedAt?: string;
  tasks: CommandTask[];
}

export interface OfferEvent {
  seq: number;
  id: string;
  type: string;
  occurredAt: string;
  offer: Record<string, unknown>;
}

export type CheckoutStatus = 'BOUGHT' | 'FILLED_IN' | 'READY_FOR_PROCESSING' | 'CANCELLED';

export interface Buyer {
  id: string;
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  guest: boolean;
}

export interface OrderLine {
  id: string;
  offerId: string;
  offerName: string;
  externalId?: string;
  quantity: number;
  price: Money;
  boughtAt: string;
}

export interface Order {
  id: string;
  status: CheckoutStatus;
  buyer: Buyer;
  lines: OrderLine[];
  paymentId?: string;
  paidAt?: string;
  fulfillmentStatus: string;
  revision: string;
  updatedAt: string;
  messageToSeller?: string;
}

export interface OrderEvent {
  id: string;
  type: string;
  occurredAt: string;
  order: Record<string, unknown>;
}

export interface MessageRecord {
  id: string;
  threadId: string;
  text: string;
  fromBuyer: boolean;
  authorLogin: string;
  createdAt: string;
  offerId?: string;
  orderId?: string;
  attachmentIds: string[];
}

export interface Thread {
  id: string;
  interlocutor: { login: string; avatarUrl: string };
  read: boolean;
  messages: MessageRecord[];
}

export interface Attachment {
  id: string;
  filename: string;
  size: number;
  mimeType?: string;
  data?: Buffer;
}

interface Job {
  dueAt: number;
  seq: number;
  run(): void;
}

export class AllegroStore {
  offers = new Map<string, Offer>();
  edits = new Map<string, OfferEdit>();
  commands = new Map<string, Command>();
  orders = new Map<string, Order>();
  orderEvents: OrderEvent[] = [];
  offerEvents: OfferEvent[] = [];
  threads = new Map<string, Thread>();
  attachments = new Map<string, Attachment>();
  issues: Array<Record<string, unknown>> = [];
  private jobs: Job[] = [];
  private seq = 0;
  private nextOfferId = 7_700_000_001;
  private nextOrderEventId = 1_000_000_000_000_001n;

  constructor(
    readonly clock: Clock,
    readonly seller: { id: string; login: string },
  ) {}

  nowIso(): string {
    return new Date(this.clock()).toISOString();
  }

  reset(): void {
    this.offers.clear();
    this.edits.clear();
    this.commands.clear();
    this.orders.clear();
    this.orderEvents = [];
    this.offerEvents = [];
    this.threads.clear();
    this.attachments.clear();
    this.issues = [];
    this.jobs = [];
  }

  // ---- asynchronous work -----------------------------------------------------------------------------------------

  schedule(dueAt: number, run: () => void): void {
    this.jobs.push({ dueAt, seq: this.seq++, run });
  }

  /** Runs every job due by now, oldest first. */
  settle(): void {
    const now = this.clock();
    for (;;) {
      const due = this.jobs.filter((j) => j.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
      if (due.length === 0) return;
      const job = due[0]!;
      this.jobs = this.jobs.filter((j) => j !== job);
      job.run();
    }
  }

  // ---- offers ----------------------------------------------------------------------------------------------------

  addOffer(seed: SeedOffer): Offer {
    const now = this.nowIso();
    const id = seed.id ?? String(this.nextOfferId++);
    const offer: Offer = {
      id,
      name: seed.name,
      categoryId: seed.categoryId,
      price: { amount: seed.price.amount, currency: seed.price.currency },
      available: seed.stock,
      unit: seed.unit,
      sold: seed.sold,
      ...(seed.externalId !== undefined ? { externalId: seed.externalId } : {}),
      status: seed.status,
      ...(seed.status === 'ACTIVE' ? { startedAt: now } : {}),
      ...(seed.status === 'ENDED' ? { endedAt: now, endedBy: 'USER' as const } : {}),
      images: seed.images,
      createdAt: now,
      updatedAt: now,
    };
    this.offers.set(id, offer);
    return offer;
  }

  pendingEdit(offerId: string): OfferEdit | undefined {
    return [...this.edits.values()].find((e) => e.offerId === offerId && e.status === 'IN_PROGRESS');
  }

  /**
   * Business rules of an offer edit, checked before anything changes (Allegro applies an edit whole or not at all).
   * Returns the errors; empty means the change may be applied.
   */
  checkChange(offer: Offer, change: OfferChange): AllegroError[] {
    const errors: AllegroError[] = [];
    if (change.price) {
      if (!/^\d+(\.\d{1,2})?$/.test(change.price.amount) || Number(change.price.amount) <= 0) {
        errors.push(
          apiError('VALIDATION_ERROR', 'Validation failed: price must be a positive amount with at most 2 decimals', {
            path: 'sellingMode.price.amount',
          }),
        );
      }
      if (change.price.currency !== offer.price.currency) {
        errors.push(
          apiError('VALIDATION_ERROR', `Validation failed: currency must be ${offer.price.currency} on allegro-pl`, {
            path: 'sellingMode.price.currency',
          }),
        );
      }
    }
    const available = change.available ?? offer.available;
    if (change.status === 'ACTIVE' && available <= 0) {
      errors.push(
        apiError('VALIDATION_ERROR', 'Validation failed: an offer can be activated only with stock greater than 0', {
          path: 'stock.available',
        }),
      );
    }
    return errors;
  }

  /** Applies a checked change and records the offer events Allegro would journal. */
  applyChange(offer: Offer, change: OfferChange): void {
    const wasLive = offer.status === 'ACTIVE' || offer.status === 'ACTIVATING';
    const now = this.nowIso();
    let changed = false;
    let priceChanged = false;
    let stockChanged = false;
    if (change.name !== undefined && change.name !== offer.name) [offer.name, changed] = [change.name, true];
    if (change.categoryId !== undefined && change.categoryId !== offer.categoryId) {
      [offer.categoryId, changed] = [change.categoryId, true];
    }
    if (change.externalId !== undefined) {
      if (change.externalId === null) delete offer.externalId;
      else offer.externalId = change.externalId;
      changed = true;
    }
    if (change.unit !== undefined) offer.unit = change.unit;
    if (change.price && (change.price.amount !== offer.price.amount || change.price.currency !== offer.price.currency)) {
      offer.price = { ...change.price };
      priceChanged = true;
    }
    if (change.available !== undefined && change.available !== offer.available) {
      offer.available = change.available;
      stockChanged = true;
    }
    offer.updatedAt = now;
    if (wasLive && priceChanged) this.offerEvent('OFFER_PRICE_CHANGED', offer);
    if (wasLive && stockChanged) this.offerEvent('OFFER_STOCK_CHANGED', offer);
    if (wasLive && changed) this.offerEvent('OFFER_CHANGED', offer);
    // Stock 0 on an ACTIVE/ACTIVATING offer ends it (spec: SaleProductOffersRequestStock).
    if (wasLive && offer.available === 0) this.endOffer(offer, 'EMPTY_STOCK');
    else if (change.status === 'ENDED' && offer.status !== 'ENDED') this.endOffer(offer, 'USER');
    else if (change.status === 'ACTIVE' && !wasLive) this.activateOffer(offer);
  }

  endOffer(offer: Offer, by: EndedBy): void {
    if (offer.status === 'ENDED') return;
    const wasLive = offer.status === 'ACTIVE' || offer.status === 'ACTIVATING';
    offer.status = 'ENDED';
    offer.endedBy = by;
    offer.endedAt = this.nowIso();
    offer.updatedAt = offer.endedAt;
    if (wasLive) this.offerEvent('OFFER_ENDED', offer);
  }

  activateOffer(offer: Offer): void {
    offer.status = 'ACTIVE';
    delete offer.endedBy;
    delete offer.endedAt;
    offer.startedAt = this.nowIso();
    offer.updatedAt = offer.startedAt;
    this.offerEvent('OFFER_ACTIVATED', offer);
  }

  private offerEvent(type: string, offer: Offer): void {
    const seq = this.offerEvents.length + 1;
    const body: Record<string, unknown> = { id: offer.id };
    // Price events require `external`; the others carry it when the offer has one.
    if (offer.externalId !== undefined || type === 'OFFER_PRICE_CHANGED') body.external = { id: offer.externalId ?? '' };
    if (type === 'OFFER_ENDED') body.publication = { endedBy: offer.endedBy ?? 'USER' };
    this.offerEvents.push({
      seq,
      // Allegro's offer-event ids are opaque base64 strings (e.g. "MTEzMjQzODU3NA" = base64("1132438574")).
      id: Buffer.from(String(1_132_438_574 + seq)).toString('base64').replace(/=+$/, ''),
      type,
      occurredAt: this.nowIso(),
      offer: body,
    });
  }

  // ---- orders ----------------------------------------------------------------------------------------------------

  newOrderEventId(): string {
    return String(this.nextOrderEventId++);
  }

  static newRevision(): string {
    return randomUUID().slice(0, 8);
  }
}
