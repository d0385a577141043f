import type { PromotionCombine, PromotionConfig } from '../../mappings/promotions.ts';
import type { Logger } from '../log/logger.ts';
import type { Database } from '../store/database.ts';
import type { Engine } from './engine.ts';
import { productsOf, type PromotionState, stateAt, syncPromotionsFromConfig } from './promotions.ts';

/** Longest sleep between checks, so a clock jump or a missed timer is caught anyway. */
const BACKSTOP_MS = 30_000;
/** Wake this long after a boundary, so "now" is surely past it when the reconcile computes prices. */
const AFTER_BOUNDARY_MS = 25;

type Row = { key: string; starts_at: Date; ends_at: Date; status: string; target: never };

/**
 * Starts and ends promotions on time. It does not write prices itself: at each start and end it requests a
 * reconcile (durable sync_requests) of the products concerned, and the outbound path computes what each channel
 * should show at that moment. The state it last acted on is kept per promotion (`promotions.status`), so after
 * downtime every promotion whose state changed meanwhile (started, or ended) is reconciled at boot.
 */
export class PromotionScheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: { db: Database; engine: Pick<Engine, 'requestReconcile'>; log: Logger; now?: () => Date; backstopMs?: number },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Promotions as code: the config's list becomes the store's (by key), and what changed is reconciled. */
  async syncConfig(promotions: PromotionConfig[], combine: PromotionCombine): Promise<{ added: string[]; changed: string[]; cancelled: string[] }> {
    const result = await syncPromotionsFromConfig(this.deps.db, promotions, combine);
    await this.deps.engine.requestReconcile(result.products);
    if (result.added.length || result.changed.length || result.cancelled.length) {
      this.deps.log.info({ added: result.added, changed: result.changed, cancelled: result.cancelled, products: result.products.size }, 'promotions updated from config');
    }
    return { added: result.added, changed: result.changed, cancelled: result.cancelled };
  }

  /**
   * Reconciles the products of every promotion whose state (scheduled → active → ended) differs at this moment
   * from the one last acted on, then records the new state. The request is stored before the state, so a crash in
   * between repeats the (idempotent) reconcile rather than losing it.
   */
  async check(): Promise<Array<{ key: string; from: string; to: PromotionState }>> {
    const now = this.now();
    const { rows } = await this.deps.db.query<Row>("SELECT key, starts_at, ends_at, status, target FROM promotions WHERE key IS NOT NULL AND status IN ('scheduled', 'active')");
    const moved = rows
      .map((r) => ({ row: r, to: stateAt({ startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at) }, now) }))
      .filter((m) => m.to !== m.row.status);
    if (moved.length === 0) return [];
    const products = await productsOf(this.deps.db, moved.map((m) => ({ key: m.row.key, target: m.row.target })));
    await this.deps.engine.requestReconcile(products);
    for (const m of moved) {
      await this.deps.db.query('UPDATE promotions SET status = $2, status_changed_at = now(), updated_at = now() WHERE key = $1 AND status = $3', [m.row.key, m.to, m.row.status]);
    }
    const changes = moved.map((m) => ({ key: m.row.key, from: m.row.status, to: m.to }));
    this.deps.log.info({ changes, products: products.size }, 'promotions started or ended: channels reconciled');
    return changes;
  }

  /** The next start or end still to act on, if any. */
  async nextBoundary(): Promise<Date | undefined> {
    const { rows } = await this.deps.db.query<{ next: Date | null }>(
      `SELECT min(CASE WHEN starts_at > $1 THEN starts_at ELSE ends_at END) AS next
         FROM promotions WHERE key IS NOT NULL AND status IN ('scheduled', 'active') AND ends_at > $1`,
      [this.now()],
    );
    return rows[0]?.next ? new Date(rows[0].next) : undefined;
  }

  /** Acts on what changed while the hub was down, then keeps a timer on the next boundary. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.check();
    await this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Waits for a check in progress (for a clean shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async arm(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const next = await this.nextBoundary().catch(() => undefined);
    const backstop = this.deps.backstopMs ?? BACKSTOP_MS;
    const wait = next ? Math.min(backstop, Math.max(0, next.getTime() - this.now().getTime()) + AFTER_BOUNDARY_MS) : backstop;
    this.timer = setTimeout(() => {
      this.running = (async () => {
        try {
          await this.check();
        } catch (err) {
          this.deps.log.warn({ err: (err as Error).message }, 'promotion check failed; retried at the next wake-up');
        }
        await this.arm();
      })();
    }, wait);
    this.timer.unref();
  }
}
