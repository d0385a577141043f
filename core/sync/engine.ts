import type { Job } from 'bullmq';
import type { Logger } from '../log/logger.ts';
import type { LaneHandlers, QueueSystem } from '../queue/queue-system.ts';
import { AuthError, ConnectorError, RetryableError } from '../sdk/errors.ts';
import { conversationSnapshot, type Hint, orderSnapshot, type ProductSnapshot, productSnapshot } from '../sdk/model.ts';
import { transaction, type Database } from '../store/database.ts';
import { hintActivity, recordActivity, recordCall, requestActivity } from './activity.ts';
import { applySnapshot, createNewProducts, prefetchSnapshots } from './apply-snapshot.ts';
import { Bindings } from './bindings.ts';
import { applyDelivery, ingestConversation } from './conversations.ts';
import { hintRequests, IntakeBatcher } from './intake.ts';
import { ingestOrder } from './orders.ts';
import { reconcileProducts } from './outbound.ts';
import { type ClaimedRequest, completeRequests, failRequest, lanesWithWork, pendingBatch, type RequestLane, requestWork, type WorkRequest } from './requests.ts';
import type { RuntimeConnection } from './runtime.ts';
import { coalesced } from './coalesced.ts';
import { forEachLimit } from './limit.ts';

/** A request that failed this many times goes to dead letters instead of blocking its lane. */
export const MAX_REQUEST_ATTEMPTS = 8;
const INBOUND_BATCH = 100;
/**
 * Products per outbound drain: at least 100, and up to the connection's largest write batch (at most 1,000), so a
 * channel that takes thousands of items per call (Meta's items_batch) gets them in few calls; its call budget, not
 * its item count, is what runs out.
 */
export function outboundBatchOf(conn: Pick<RuntimeConnection, 'def'>): number {
  const caps = conn.def.capabilities;
  const largest = Math.max(caps.catalog?.write?.maxBatch ?? 0, caps.prices?.write?.maxBatch ?? 0, caps.stock?.write?.maxBatch ?? 0);
  return Math.min(1_000, Math.max(100, largest));
}
/** Products read at once with `catalog.read.getMany` when an inbound batch hints at several. */
const GET_MANY_CHUNK = 50;
/** Orders read (inbound) or recorded (outbound, the ERP) at once within one drain; the connector's rate limit still applies. */
const ORDER_CONCURRENCY = 8;
/** Effectively unbounded: a channel down for hours must not turn its drain job into a dead letter. */
const DRAIN_ATTEMPTS = 1_000_000;
/** How long an outbound drain waits for more changes to join its batch. */
const OUTBOUND_DEBOUNCE_MS = 50;
/**
 * Longest wait between two tries of a failing drain (the general job backoff goes to 10 min): a try costs one
 * batch, and a channel that answers again should not wait minutes for its backlog. A successful poll of the
 * channel starts a waiting drain at once (see `resumeDrains`).
 */
export const DRAIN_BACKOFF_CAP_MS = 30_000;
/** Longest pause of a connection's polls after its channel failed one (the next poll is the retry). */
const POLL_BACKOFF_CAP_MS = 30_000;

/**
 * The sync engine (DESIGN.md, "How sync works"): hints in → hydrate from the channel → apply owned groups, record
 * drift → request reconcile of every other connection → outbound writes only what differs. Work requests live in
 * PostgreSQL (sync_requests); one drain job per connection and lane processes them, so bursts coalesce, a
 * connection's writes are serialised under its rate limit, and nothing is lost if a worker dies.
 */
export class Engine {
  readonly bindings: Bindings;
  private readonly intakeBatcher: IntakeBatcher;
  private readonly byName: Map<string, RuntimeConnection>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { db: Database; queues: QueueSystem; log: Logger; connections: RuntimeConnection[] },
  ) {
    this.bindings = new Bindings(deps.db);
    this.intakeBatcher = new IntakeBatcher(deps.db);
    this.byName = new Map(deps.connections.map((c) => [c.name, c]));
  }

  connection(name: string): RuntimeConnection | undefined {
    return this.byName.get(name);
  }

  get connections(): RuntimeConnection[] {
    return [...this.byName.values()];
  }

  /**
   * Makes sure a drain job exists for a connection's lane (a no-op while one is waiting or running). Kicks that
   * arrive while an add for the same lane is on its way share one follow-up add: a webhook burst costs a few queue
   * writes, not one per delivery, and every kick is still followed by an add that started after it.
   */
  kick(connection: string, lane: RequestLane): Promise<void> {
    const key = `${lane}/${connection}`;
    const draining = this.draining.get(key);
    if (draining) draining.kicked = true;
    let kick = this.kickers.get(key);
    if (!kick) {
      kick = coalesced(() => this.addDrain(connection, lane));
      this.kickers.set(key, kick);
    }
    return kick();
  }

  private readonly kickers = new Map<string, () => Promise<void>>();
  /** Drains running in this process, and whether work was requested for them since their last look. */
  private readonly draining = new Map<string, { kicked: boolean }>();

  private async addDrain(connection: string, lane: RequestLane): Promise<void> {
    // Outbound waits a moment, so changes arriving one by one (a poll emitting hint after hint) leave in one batch.
    await this.deps.queues.add(lane, 'drain', { connection }, {
      jobId: `drain/${lane}/${connection}`,
      removeOnComplete: true,
      removeOnFail: true,
      // A drain is retried (with backoff) until its requests are done; the requests themselves go to dead letters.
      attempts: DRAIN_ATTEMPTS,
      ...(lane === 'outbound' ? { delay: OUTBOUND_DEBOUNCE_MS } : {}),
    });
  }

  /**
   * Takes in what a webhook delivery or a poll reported: deduplicated by the channel's event id when there is one
   * (a redelivery, or a poll's overlap re-reading a change it already reported, is recorded once), then the
   * inbound drain is started. Returns false for a duplicate.
   */
  async intake(connection: string, eventId: string | undefined, hints: Hint[]): Promise<boolean> {
    if (!(await this.intakeBatcher.submit({ connection, eventId, hints }))) return false;
    await this.kick(connection, 'inbound');
    return true;
  }

  /** Records hints (from a webhook or a poll) and starts the inbound drain. */
  async hint(connection: string, hints: Hint[], db: Pick<Database, 'query'> = this.deps.db): Promise<void> {
    await requestWork(db, hintRequests(connection, hints));
    await recordActivity(db, hints.map((h) => hintActivity(connection, h)));
  }

  /** Every connection that receives a field group reconciles these products. */
  async requestReconcile(productIds: Iterable<string>, only?: string): Promise<void> {
    const ids = [...new Set(productIds)];
    if (ids.length === 0) return;
    const requests: WorkRequest[] = [];
    for (const c of this.byName.values()) {
      if (only && c.name !== only) continue;
      if (c.policy.receives.length === 0) continue;
      for (const id of ids) requests.push({ connection: c.name, lane: 'outbound', kind: 'product', id, priority: 3 });
    }
    await requestWork(this.deps.db, requests);
    for (const c of new Set(requests.map((r) => r.connection))) await this.kick(c, 'outbound');
  }

  handlers(): LaneHandlers {
    return {
      inbound: { drain: (job: Job<{ connection: string }>) => this.drainJob(job, 'inbound') },
      outbound: { drain: (job: Job<{ connection: string }>) => this.drainJob(job, 'outbound') },
      sweeps: {
        poll: (job: Job<{ connection: string }>) => this.scheduledPoll(job.data.connection),
        sweep: (job: Job<{ connection: string }>) => this.scheduledSweep(job),
      },
    };
  }

  /** Registers each connection's poll and sweep schedules, and a timer that keeps a drain job for pending work. */
  async start(tickMs = 2_000): Promise<void> {
    await this.ensureSchedules();
    let ticks = 0;
    let ticking = false;
    const tick = async () => {
      // A tick slower than the interval (a busy database) must not start another on top of it: they would pile up.
      if (ticking) return;
      ticking = true;
      try {
        // A Redis that lost its data (no persistence, a failover to an empty replica) lost the schedules too.
        if (++ticks % 5 === 0) await this.ensureSchedules(true);
        for (const { connection, lane } of await lanesWithWork(this.deps.db)) if (this.byName.has(connection)) await this.kick(connection, lane);
        await this.resumeNeedsMapping();
      } catch (err) {
        this.deps.log.warn({ err: (err as Error).message }, 'engine tick failed');
      } finally {
        ticking = false;
      }
    };
    this.timer = setInterval(() => void tick(), tickMs);
    this.timer.unref();
    await tick();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Registers each connection's poll and sweep schedules (with `onlyMissing`, those Redis no longer has). */
  async ensureSchedules(onlyMissing = false): Promise<void> {
    const sweeps = this.deps.queues.queue('sweeps');
    const ensure = async (id: string, every: number, name: 'poll' | 'sweep', connection: string) => {
      if (onlyMissing && (await sweeps.getJobScheduler(id))) return;
      if (onlyMissing) this.deps.log.warn({ schedule: id }, 'schedule missing from the queue (Redis lost its data?); registered again');
      await sweeps.upsertJobScheduler(id, { every }, { name, data: { connection } });
    };
    for (const c of this.byName.values()) {
      const pollable = c.def.poll || c.def.capabilities.orders?.read || c.def.capabilities.inquiries?.read;
      if (pollable) await ensure(`poll/${c.name}`, c.pollEveryMs, 'poll', c.name);
      if (c.def.capabilities.catalog?.read) await ensure(`sweep/${c.name}`, c.sweepEveryMs, 'sweep', c.name);
    }
  }

  private mappingsSeen = '';

  /**
   * Orders stored as `needs_mapping` are ingested again (idempotently) once new variants or links appear, so their
   * stock moves as soon as the mapping exists — the order was never lost, only waiting.
   */
  async resumeNeedsMapping(): Promise<number> {
    // Most ticks have no order waiting (a partial index answers that at once): the mark below reads the newest link
    // of every binding, which on a large catalogue is not free.
    const waiting = await this.deps.db.query("SELECT 1 FROM orders WHERE state = 'needs_mapping' LIMIT 1");
    if (waiting.rowCount === 0) return 0;
    const { rows: marks } = await this.deps.db.query<{ mark: string }>(
      "SELECT concat((SELECT max(created_at) FROM variants), '/', (SELECT max(updated_at) FROM bindings WHERE link_state = 'linked')) AS mark",
    );
    const mark = marks[0]?.mark ?? '';
    if (mark === this.mappingsSeen) return 0;
    const { rows } = await this.deps.db.query<{ connection: string; raw: unknown }>("SELECT connection, raw FROM orders WHERE state = 'needs_mapping' ORDER BY updated_at LIMIT 200");
    let resumed = 0;
    for (const o of rows) {
      const conn = this.byName.get(o.connection);
      if (!conn) continue;
      const changed = await this.ingestOrder(conn, o.raw);
      if (changed.size > 0) resumed++;
      await this.requestReconcile(changed);
    }
    this.mappingsSeen = mark;
    return resumed;
  }

  private async connectionPaused(name: string): Promise<string | undefined> {
    const { rows } = await this.deps.db.query<{ status: string; status_reason: string | null }>('SELECT status, status_reason FROM connection_state WHERE connection = $1', [name]);
    return rows[0]?.status === 'needs_reauth' || rows[0]?.status === 'paused' ? `${rows[0].status}: ${rows[0].status_reason ?? ''}` : undefined;
  }

  async setConnectionState(name: string, status: 'ok' | 'needs_reauth' | 'paused' | 'failing', reason: string | null): Promise<void> {
    await this.deps.db.query(
      `INSERT INTO connection_state (connection, status, status_reason) VALUES ($1, $2, $3)
       ON CONFLICT (connection) DO UPDATE SET status = EXCLUDED.status, status_reason = EXCLUDED.status_reason, updated_at = now()`,
      [name, status, reason],
    );
  }

  /**
   * Processes a connection's pending requests of one lane until none are left. Failures are per request: a
   * retryable one stays pending (with its attempt count) and the job is retried with backoff; a business one,
   * or one that failed too often, goes to dead letters; an auth failure pauses the connection.
   */
  async drain(name: string, lane: RequestLane): Promise<{ processed: number }> {
    const conn = this.byName.get(name);
    if (!conn) throw new ConnectorError('business', `connection "${name}" is not configured (removed from omnihub.yaml?)`);
    const paused = await this.connectionPaused(name);
    if (paused) {
      this.deps.log.warn({ connection: name, lane }, `connection paused (${paused}); requests wait`);
      return { processed: 0 };
    }
    let processed = 0;
    let retryAfter: number | undefined;
    let retryMessage: string | undefined;
    // A kick while this drain runs is a no-op in the queue (the job exists): work requested after its last look
    // would wait for the engine's tick. Kicks from this process are seen here and make the drain look again.
    const key = `${lane}/${name}`;
    const watch = { kicked: false };
    this.draining.set(key, watch);
    try {
      for (;;) {
        watch.kicked = false;
        const batch = await pendingBatch(this.deps.db, name, lane, lane === 'inbound' ? INBOUND_BATCH : outboundBatchOf(conn));
        const fresh = batch.filter((r) => retryMessage === undefined || r.attempts === 0);
        if (fresh.length === 0) {
          if (watch.kicked && retryMessage === undefined) continue;
          break;
        }
        const failed = lane === 'inbound' ? await this.processInbound(conn, fresh) : await this.processOutbound(conn, fresh);
        await recordActivity(this.deps.db, fresh.map((r) => requestActivity(name, lane, r, failed.find((f) => f.req === r)?.error, MAX_REQUEST_ATTEMPTS)));
        const failedKeys = new Set(failed.map((f) => `${f.req.kind}\u0000${f.req.id}`));
        await completeRequests(this.deps.db, name, lane, fresh.filter((r) => !failedKeys.has(`${r.kind}\u0000${r.id}`)));
        processed += fresh.length - failed.length;
        // A whole batch failing retryably is the channel being down (or throttling), not these requests being bad:
        // they wait for it however long the outage lasts, and only count towards dead letters while it answers.
        const outage = failed.length === fresh.length && failed.every((x) => x.error.kind === 'retryable');
        for (const f of failed) {
          if (f.error.kind === 'auth') {
            await this.setConnectionState(name, 'needs_reauth', f.error.message);
            this.deps.log.error({ connection: name, err: f.error.message }, 'connection needs re-authorisation; its work is paused');
            return { processed };
          }
          if (f.error.kind === 'business' || (!outage && f.req.attempts + 1 >= MAX_REQUEST_ATTEMPTS)) {
            await this.deadLetter(name, lane, f.req, f.error.message);
            continue;
          }
          if (!outage || f.req.attempts + 2 < MAX_REQUEST_ATTEMPTS) await failRequest(this.deps.db, name, lane, f.req, f.error.message);
          retryMessage = f.error.message;
          if (f.error instanceof RetryableError && f.error.retryAfterMs !== undefined) retryAfter = Math.max(retryAfter ?? 0, f.error.retryAfterMs);
        }
      }
    } finally {
      if (this.draining.get(key) === watch) this.draining.delete(key);
    }
    if (retryMessage !== undefined) {
      throw new RetryableError(`some ${lane} work for ${name} failed and will be retried: ${retryMessage}`, retryAfter !== undefined ? { retryAfterMs: retryAfter } : {});
    }
    return { processed };
  }

  /**
   * A drain as a queue job: its retries wait as the channel says, or back off exponentially up to the cap. A retry
   * of an outbound drain (its channel was failing) first reads the channel's orders: sales made there during the
   * outage reach the ledger before the backlog's stock writes (orders before catalogue), and a channel still down
   * fails that one read instead of a whole batch of writes.
   */
  private async drainJob(job: Job<{ connection: string }>, lane: RequestLane): Promise<{ processed: number }> {
    const name = job.data.connection;
    try {
      if (lane === 'outbound' && job.attemptsMade > 0 && this.byName.get(name)?.def.capabilities.orders?.read) await this.poll(name);
      return await this.drain(name, lane);
    } catch (err) {
      if (!(err instanceof ConnectorError) || err.kind !== 'retryable') throw err;
      if (err instanceof RetryableError && err.retryAfterMs !== undefined) throw err;
      const backoff = Math.min(1000 * 2 ** Math.min(job.attemptsMade, 20), DRAIN_BACKOFF_CAP_MS);
      throw new RetryableError(err.message, { retryAfterMs: Math.round(backoff * (0.8 + Math.random() * 0.4)) });
    }
  }

  /** Starts a connection's drains that wait in their backoff (its channel answered again): the backlog goes now. */
  async resumeDrains(connection: string): Promise<void> {
    for (const lane of ['inbound', 'outbound'] as const) {
      const job = await this.deps.queues.queue(lane).getJob(`drain/${lane}/${connection}`);
      if (job && job.attemptsMade > 0 && (await job.isDelayed())) await job.promote().catch(() => undefined);
    }
  }

  private readonly pollPause = new Map<string, { until: number; failures: number }>();

  /**
   * A scheduled poll. Polls of every connection share the sweeps lane, so a channel that is down must not hold
   * it: after a retryable failure its polls pause (1 s, doubling, up to 30 s; the next poll is the retry and the
   * checkpoint did not move, so nothing is missed), and are not retried by the queue. Other failures throw.
   */
  private async scheduledPoll(name: string): Promise<{ orders: number; conversations: number; paused?: true }> {
    const pause = this.pollPause.get(name);
    if (pause && Date.now() < pause.until) return { orders: 0, conversations: 0, paused: true };
    try {
      const result = await this.poll(name);
      this.pollPause.delete(name);
      await this.resumeDrains(name).catch((err: Error) => this.deps.log.warn({ connection: name, err: err.message }, 'could not resume drains'));
      return result;
    } catch (err) {
      if (!(err instanceof ConnectorError) || err.kind !== 'retryable') throw err;
      const failures = (pause?.failures ?? 0) + 1;
      this.pollPause.set(name, { failures, until: Date.now() + Math.min(1000 * 2 ** (failures - 1), POLL_BACKOFF_CAP_MS) });
      this.deps.log.warn({ connection: name, failures, err: err.message }, 'poll failed; the channel is polled again shortly');
      return { orders: 0, conversations: 0 };
    }
  }

  /**
   * A sweep job: retried by the queue while it has tries left, but a channel that is still down on the last try is
   * no dead letter — sweeps are periodic, and the next one is the retry.
   */
  private async scheduledSweep(job: Job<{ connection: string }>): Promise<{ seen: number; deleted: number }> {
    try {
      return await this.sweep(job.data.connection);
    } catch (err) {
      const e = this.byName.get(job.data.connection)?.classify(err);
      if (e?.kind !== 'retryable' || job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw err;
      this.deps.log.warn({ connection: job.data.connection, err: e.message }, 'sweep failed on every try; the next scheduled sweep tries again');
      return { seen: 0, deleted: 0 };
    }
  }

  private async deadLetter(connection: string, lane: RequestLane, req: ClaimedRequest, error: string): Promise<void> {
    await transaction(this.deps.db, async (client) => {
      await client.query('INSERT INTO dead_letters (queue, job_name, job_id, data, error, attempts) VALUES ($1, $2, $3, $4, $5, $6)', [
        lane, `request:${req.kind}`, `${connection}/${req.id}`, JSON.stringify({ connection, lane, kind: req.kind, id: req.id, payload: req.payload }), error, req.attempts + 1,
      ]);
      await client.query('DELETE FROM sync_requests WHERE connection = $1 AND lane = $2 AND entity_kind = $3 AND entity_id = $4', [connection, lane, req.kind, req.id]);
    });
    this.deps.log.error({ connection, lane, kind: req.kind, id: req.id, err: error }, 'request moved to dead letters');
  }

  private async processInbound(conn: RuntimeConnection, batch: ClaimedRequest[]): Promise<Array<{ req: ClaimedRequest; error: ConnectorError }>> {
    const failed: Array<{ req: ClaimedRequest; error: ConnectorError }> = [];
    const changed = new Set<string>();
    // Hints about one product (a stock change on each of its variants, say) are answered by one read of it: the
    // read happens after all of them were requested, so it shows what each of them hinted at.
    const readFor = new Map<string, Promise<Awaited<ReturnType<Engine['applyHint']>>>>();
    // Products the batch's hints name, read together beforehand where the connector can (catalog.read.getMany).
    let read = new Map<string, unknown>();
    const apply = async (req: ClaimedRequest) => {
      try {
        const hint = req.payload as Hint;
        const product = hint.kind === 'product' ? hint.externalId : hint.kind === 'variant' || hint.kind === 'stock' ? hint.productExternalId : undefined;
        const shared = product !== undefined ? readFor.get(product) : undefined;
        if (shared) {
          await shared;
          return;
        }
        const pending = this.applyHint(conn, hint, read);
        if (product !== undefined) readFor.set(product, pending);
        const result = await pending;
        for (const id of result.changed) changed.add(id);
        if (result.heal.size > 0) await this.requestReconcile(result.heal, conn.name);
        if (result.pollOrders) await this.pollSoon(conn.name);
      } catch (err) {
        failed.push({ req, error: conn.classify(err) });
      }
    };
    // Orders are independent of each other (the ledger is safe under concurrent sales, as it is across channels):
    // reading several at once keeps a webhook burst from queueing behind one channel round trip per order. The rest
    // keeps its order (a delivery receipt after its message).
    await forEachLimit(batch.filter((r) => r.kind === 'order'), ORDER_CONCURRENCY, apply);
    read = await this.readHinted(conn, batch.filter((r) => r.kind !== 'order'));
    for (const req of batch) if (req.kind !== 'order') await apply(req);
    await this.requestReconcile(changed);
    await this.deps.db.query(
      `INSERT INTO connection_state (connection, last_hint_at) VALUES ($1, now()) ON CONFLICT (connection) DO UPDATE SET last_hint_at = now()`,
      [conn.name],
    );
    return failed;
  }

  /** Asks for an orders poll of a connection now (coalesced with one already waiting). */
  async pollSoon(connection: string): Promise<void> {
    if (!this.byName.get(connection)?.def.capabilities.orders?.read) return;
    await this.deps.queues.add('sweeps', 'poll', { connection }, { jobId: `poll-now/${connection}`, removeOnComplete: true, removeOnFail: true });
  }

  /**
   * The products an inbound batch's hints name, read with `catalog.read.getMany` in chunks when the connector has it
   * and the batch names more than one (stock hints that are the hub's own echo are left out: applyHint drops them).
   * Ids whose chunk failed are absent, so applyHint reads them one by one.
   */
  private async readHinted(conn: RuntimeConnection, batch: ClaimedRequest[]): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    const getMany = conn.def.capabilities.catalog?.read?.getMany;
    if (!getMany) return out;
    const ids = new Set<string>();
    for (const req of batch) {
      const hint = req.payload as Hint;
      if (hint.kind === 'product') ids.add(hint.externalId);
      else if ((hint.kind === 'variant' || hint.kind === 'stock') && hint.productExternalId) {
        if (hint.kind === 'stock' && hint.observed !== undefined && (await this.isEcho(conn.name, hint.externalId, hint.observed))) continue;
        ids.add(hint.productExternalId);
      }
    }
    if (ids.size < 2) return out;
    const all = [...ids];
    for (let i = 0; i < all.length; i += GET_MANY_CHUNK) {
      const chunk = all.slice(i, i + GET_MANY_CHUNK);
      try {
        const snaps = await recordCall(this.deps.db, conn, 'catalog.read.getMany', 'product', chunk.map((externalId) => ({ externalId })), () => getMany(conn.ctx, chunk));
        if (snaps.length !== chunk.length) throw new Error(`answered ${snaps.length} products for ${chunk.length} ids`);
        chunk.forEach((id, n) => out.set(id, snaps[n]));
      } catch (err) {
        this.deps.log.warn({ connection: conn.name, err: (err as Error).message }, 'catalog.read.getMany failed; those products are read one by one');
      }
    }
    return out;
  }

  /** Hydrates one hint from the channel (or takes the product `read` already holds) and applies it. */
  async applyHint(conn: RuntimeConnection, hint: Hint, read?: Map<string, unknown>): Promise<{ changed: Set<string>; heal: Set<string>; pollOrders?: boolean }> {
    const none = { changed: new Set<string>(), heal: new Set<string>() };
    const caps = conn.def.capabilities;
    switch (hint.kind) {
      case 'product':
      case 'variant':
      case 'stock': {
        if (hint.kind === 'stock' && hint.observed !== undefined && (await this.isEcho(conn.name, hint.externalId, hint.observed))) return none;
        let productId = hint.kind === 'product' ? hint.externalId : (hint.productExternalId ?? (await this.bindings.byExternal(conn.name, 'variant', hint.externalId))?.productExternalId);
        if (!productId && hint.kind === 'stock' && caps.stock?.read?.resolve) {
          // The event named another object (Shopify: an inventory item); ask the channel whose variant it is.
          const [owner] = await caps.stock.read.resolve(conn.ctx, [hint.externalId]);
          productId = owner?.productExternalId;
        }
        if (!productId || !caps.catalog?.read) return none;
        const id = productId;
        const snap = read?.has(id) ? read.get(id) : await recordCall(this.deps.db, conn, 'catalog.read.get', 'product', [{ externalId: id }], () => caps.catalog!.read!.get(conn.ctx, id));
        if (!snap) {
          await this.markDeleted(conn, productId);
          return none;
        }
        const parsed = productSnapshot.safeParse(snap);
        if (!parsed.success) throw new ConnectorError('business', `${conn.name} returned a product the hub cannot read: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        return applySnapshot(this.deps.db, this.bindings, conn, parsed.data);
      }
      case 'order': {
        const read = caps.orders?.read;
        if (!read) return none;
        const order = await recordCall(this.deps.db, conn, 'orders.read.get', 'order', [{ externalId: hint.externalId }], () => read.get(conn.ctx, hint.externalId));
        if (!order) return none;
        return { changed: await this.ingestOrder(conn, order), heal: new Set() };
      }
      case 'conversation': {
        if (hint.snapshot) {
          const parsed = conversationSnapshot.safeParse(hint.snapshot);
          if (!parsed.success) throw new ConnectorError('business', `malformed conversation from ${conn.name}: ${parsed.error.issues[0]?.message}`);
          await ingestConversation(this.deps.db, conn.name, parsed.data);
        }
        return none;
      }
      case 'delivery':
        await applyDelivery(this.deps.db, conn.name, hint);
        return none;
    }
  }

  /**
   * A channel item read before the hub knew its SKU stays unlinked until it is read again: at the first sync, a
   * channel's sweep can run beside the owner's. When the content owner brings new SKUs, the other channels' unlinked
   * items carrying them are hinted, so they link now rather than at their next sweep.
   */
  private async relinkWaiting(owner: string, skus: string[]): Promise<void> {
    const others = this.connections.filter((c) => c.name !== owner && c.def.capabilities.catalog?.read).map((c) => c.name);
    if (skus.length === 0 || others.length === 0) return;
    const { rows } = await this.deps.db.query<{ connection: string; product: string }>(
      `SELECT DISTINCT connection, coalesce(product_external_id, external_id) AS product FROM bindings
        WHERE connection = ANY($1) AND kind = 'variant' AND sku = ANY($2) AND link_state = 'unlinked'`,
      [others, skus],
    );
    for (const connection of new Set(rows.map((r) => r.connection))) {
      await this.hint(connection, rows.filter((r) => r.connection === connection).map((r) => ({ kind: 'product', externalId: r.product })));
      await this.kick(connection, 'inbound');
    }
  }

  /** The channel reports the quantity the hub last wrote or saw on this variant: its own write coming back. */
  private async isEcho(connection: string, variantExternalId: string, observed: number): Promise<boolean> {
    const b = await this.bindings.byExternal(connection, 'variant', variantExternalId);
    if (b?.linkState !== 'linked') return false;
    return b.seen.stock?.value === observed || b.pushed.stock?.value === observed;
  }

  /** Stores an order, moves stock, and has every order-recording connection (the ERP) record it. */
  async ingestOrder(conn: RuntimeConnection, raw: unknown): Promise<Set<string>> {
    const parsed = orderSnapshot.safeParse(raw);
    if (!parsed.success) throw new ConnectorError('business', `${conn.name} returned an order the hub cannot read: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const result = await ingestOrder(this.deps.db, this.bindings, conn, parsed.data);
    if (result.final) {
      // A changed order is recorded again; an unchanged one only where it is not recorded yet (a crash between
      // storing the order and requesting its recording must not leave the ERP without it).
      const candidates = this.connections.filter((c) => c.name !== conn.name && c.def.capabilities.orders?.write);
      const recorded = result.recordable || candidates.length === 0
        ? new Set<string>()
        : new Set((await this.deps.db.query<{ connection: string }>("SELECT connection FROM bindings WHERE kind = 'order' AND internal_id = $1 AND link_state = 'linked'", [result.orderId])).rows.map((r) => r.connection));
      const recorders = candidates.filter((c) => !recorded.has(c.name));
      await requestWork(this.deps.db, recorders.map((c) => ({ connection: c.name, lane: 'outbound' as const, kind: 'order', id: result.orderId, priority: 1 })));
      for (const c of recorders) await this.kick(c.name, 'outbound');
    }
    // Every product the order touches is reconciled (a no-op where nothing moved): see IngestResult.touched.
    return new Set([...result.changed, ...result.touched]);
  }

  private async processOutbound(conn: RuntimeConnection, batch: ClaimedRequest[]): Promise<Array<{ req: ClaimedRequest; error: ConnectorError }>> {
    const failed: Array<{ req: ClaimedRequest; error: ConnectorError }> = [];
    const products = batch.filter((r) => r.kind === 'product');
    if (products.length > 0) {
      try {
        const outcome = await reconcileProducts(this.deps.db, this.bindings, conn, products.map((r) => r.id));
        for (const r of outcome.retry) {
          const req = products.find((p) => p.id === r.productId);
          if (req) failed.push({ req, error: new RetryableError(r.message, r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}) });
        }
        for (const p of outcome.parked) this.deps.log.warn({ connection: conn.name, sku: p.sku, reason: p.message }, 'write refused by the channel; parked');
      } catch (err) {
        const error = conn.classify(err);
        for (const req of products) failed.push({ req, error });
      }
    }
    await forEachLimit(batch.filter((r) => r.kind === 'order'), ORDER_CONCURRENCY, async (req) => {
      try {
        await this.recordOrder(conn, req.id);
      } catch (err) {
        failed.push({ req, error: conn.classify(err) });
      }
    });
    return failed;
  }

  /** Records a hub order on a connection that keeps every sale (the ERP), once: the binding is the proof. */
  private async recordOrder(conn: RuntimeConnection, orderId: string): Promise<void> {
    const write = conn.def.capabilities.orders?.write;
    if (!write) return;
    const existing = await this.deps.db.query('SELECT 1 FROM bindings WHERE connection = $1 AND kind = $2 AND internal_id = $3', [conn.name, 'order', orderId]);
    if (existing.rowCount) return;
    const { rows } = await this.deps.db.query<{ connection: string; external_id: string; raw: unknown }>('SELECT connection, external_id, raw FROM orders WHERE id = $1', [orderId]);
    const order = rows[0];
    if (!order) return;
    const snapshot = orderSnapshot.parse(order.raw);
    const { externalId } = await recordCall(this.deps.db, conn, 'orders.write.record', 'order', [{ internalId: orderId }], () => write.record(conn.ctx, { ...snapshot, reference: `${order.connection}-${order.external_id}`, channel: order.connection }));
    await this.bindings.upsert({ connection: conn.name, kind: 'order', externalId, internalId: orderId, linkState: 'linked', origin: 'created' });
  }

  private async markDeleted(conn: RuntimeConnection, productExternalId: string): Promise<void> {
    const b = await this.bindings.byExternal(conn.name, 'product', productExternalId);
    if (!b) return;
    if (b.internalId) {
      await this.deps.db.query(
        'INSERT INTO channel_deletions (connection, product_id, external_id) VALUES ($1, $2, $3) ON CONFLICT (connection, product_id) DO UPDATE SET external_id = EXCLUDED.external_id, deleted_at = now()',
        [conn.name, b.internalId, productExternalId],
      );
    }
    await this.bindings.upsert({ connection: conn.name, kind: 'product', externalId: productExternalId, internalId: null, linkState: 'unlinked', linkReason: 'deleted on the channel (confirmed by a direct read)', origin: b.origin });
    await this.deps.db.query(
      `UPDATE bindings SET link_state = 'unlinked', internal_id = NULL, link_reason = 'deleted on the channel (confirmed by a direct read)', updated_at = now()
        WHERE connection = $1 AND kind = 'variant' AND product_external_id = $2`,
      [conn.name, productExternalId],
    );
    this.deps.log.warn({ connection: conn.name, product: productExternalId }, 'product deleted on the channel');
  }

  /** Polls orders, conversations and the connector's own changes since their checkpoints. */
  async poll(name: string): Promise<{ orders: number; conversations: number }> {
    const conn = this.byName.get(name);
    if (!conn || (await this.connectionPaused(name))) return { orders: 0, conversations: 0 };
    const caps = conn.def.capabilities;
    let orders = 0;
    let conversations = 0;
    try {
      if (caps.orders?.read) {
        const checkpoint = await conn.ctx.checkpoints.get('orders');
        const res = await caps.orders.read.changes(conn.ctx, checkpoint);
        const changed = new Set<string>();
        for (const o of res.orders) for (const id of await this.ingestOrder(conn, o)) changed.add(id);
        await this.requestReconcile(changed);
        await conn.ctx.checkpoints.set('orders', res.checkpoint);
        orders = res.orders.length;
      }
      if (caps.inquiries?.read) {
        const checkpoint = await conn.ctx.checkpoints.get('inquiries');
        const res = await caps.inquiries.read.changes(conn.ctx, checkpoint);
        for (const c of res.conversations) await ingestConversation(this.deps.db, conn.name, conversationSnapshot.parse(c));
        await conn.ctx.checkpoints.set('inquiries', res.checkpoint);
        conversations = res.conversations.length;
      }
      if (conn.def.poll) await conn.def.poll(conn.ctx);
    } catch (err) {
      const e = conn.classify(err);
      await recordActivity(this.deps.db, { connection: name, step: 'job', entityKind: 'poll', outcome: e.kind, summary: `poll failed (${e.kind}): ${e.message}` }).catch(() => undefined);
      if (e instanceof AuthError || e.kind === 'auth') await this.setConnectionState(name, 'needs_reauth', e.message);
      throw e;
    }
    return { orders, conversations };
  }

  /**
   * Compares the channel's whole catalogue with the desired state: links new items, records drift and heals it,
   * and detects deletions by walking our own bindings (absence from a listing is never proof: each missing
   * product is confirmed by a direct read).
   */
  async sweep(name: string): Promise<{ seen: number; deleted: number }> {
    const conn = this.byName.get(name);
    const read = conn?.def.capabilities.catalog?.read;
    if (!conn || !read || (await this.connectionPaused(name))) return { seen: 0, deleted: 0 };
    const seen = new Set<string>();
    const changed = new Set<string>();
    // Healed at the end, all at once: requested page by page, each page's few products would leave in a drain of
    // their own, and a channel with a budget of calls (Meta: 200 catalogue batches an hour) would spend it on them.
    const heal = new Set<string>();
    let cursor: string | undefined;
    try {
      do {
        const page = await read.list(conn.ctx, cursor);
        const snaps: ProductSnapshot[] = [];
        for (const snap of page.items) {
          const parsed = productSnapshot.safeParse(snap);
          if (!parsed.success) {
            this.deps.log.warn({ connection: name, product: (snap as { externalId?: string }).externalId, issue: parsed.error.issues[0]?.message }, 'sweep: unreadable product skipped');
            continue;
          }
          snaps.push(parsed.data);
        }
        // What the page's already linked items need is read in a few queries for the whole page, not per product.
        const prefetch = await prefetchSnapshots(this.deps.db, this.bindings, conn, snaps);
        // The content owner's products new to the hub are created for the whole page at once.
        const created = await createNewProducts(this.deps.db, this.bindings, conn, snaps, prefetch);
        if (created.size > 0) await this.relinkWaiting(name, snaps.filter((x) => created.has(x.externalId)).flatMap((x) => x.variants.flatMap((v) => (v.sku ? [v.sku] : []))));
        for (const snap of snaps) {
          seen.add(snap.externalId);
          const r = created.get(snap.externalId) ?? (await applySnapshot(this.deps.db, this.bindings, conn, snap, prefetch));
          for (const id of r.changed) changed.add(id);
          for (const id of r.heal) heal.add(id);
          if (r.pollOrders) await this.pollSoon(name);
        }
        cursor = page.next;
      } while (cursor);
    } catch (err) {
      // What the pages read so far found to heal is not lost with the sweep.
      if (heal.size > 0) await this.requestReconcile(heal, name).catch(() => undefined);
      throw err;
    }
    let deleted = 0;
    for (const b of await this.bindings.all(name, 'product')) {
      if (b.linkState !== 'linked' || seen.has(b.externalId)) continue;
      if ((await read.get(conn.ctx, b.externalId)) === null) {
        await this.markDeleted(conn, b.externalId);
        deleted++;
      }
    }
    // Once the channel's catalogue is linked, the hub may list what is missing there: reconcile everything once.
    const firstLink = (await conn.ctx.checkpoints.get<boolean>('catalog.linked')) !== true;
    await conn.ctx.checkpoints.set('catalog.linked', true);
    await this.requestReconcile(changed);
    if (heal.size > 0 && !firstLink) await this.requestReconcile(heal, name);
    if (firstLink) {
      const { rows } = await this.deps.db.query<{ id: string }>('SELECT id FROM products');
      await this.requestReconcile(rows.map((r) => r.id), name);
    }
    return { seen: seen.size, deleted };
  }
}
