/**
 * A per-connection request budget. The engine gives each connection one, shared through Redis when Redis is
 * configured (so several worker processes respect one channel limit together), in memory otherwise.
 * The HTTP client takes one unit per request; connectors with cost-based limits (Shopify GraphQL) take the cost.
 */
export interface RateLimiter {
  /** Waits until `cost` units are available and takes them. */
  acquire(cost?: number): Promise<void>;
  /** Nobody may send for `ms` (a channel answered 429 and asked us to wait, or blocks us for a minute). */
  block(ms: number): Promise<void>;
}

export interface RateLimit {
  /** Sustained requests (or cost units) per second. */
  perSecond: number;
  /** How many may be spent at once. Default: one second's worth. */
  burst?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A token bucket in this process. */
export function memoryRateLimiter(limit: RateLimit, clock: () => number = Date.now): RateLimiter {
  const capacity = limit.burst ?? Math.max(1, limit.perSecond);
  let tokens = capacity;
  let last = clock();
  let blockedUntil = 0;
  let chain: Promise<void> = Promise.resolve();
  const refill = () => {
    const now = clock();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * limit.perSecond);
    last = now;
  };
  return {
    acquire(cost = 1) {
      // Requests queue in arrival order, so a large cost cannot be starved by small ones.
      const turn = chain.then(async () => {
        const need = Math.min(cost, capacity);
        for (;;) {
          const wait = blockedUntil - clock();
          if (wait > 0) {
            await sleep(wait);
            continue;
          }
          refill();
          if (tokens >= need) {
            tokens -= need;
            return;
          }
          await sleep(Math.ceil(((need - tokens) / limit.perSecond) * 1000));
        }
      });
      chain = turn.catch(() => undefined);
      return turn;
    },
    async block(ms) {
      blockedUntil = Math.max(blockedUntil, clock() + ms);
    },
  };
}

/** No limit (tests, or channels without one). */
export const unlimited: RateLimiter = { acquire: async () => undefined, block: async () => undefined };
