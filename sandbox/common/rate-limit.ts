/**
 * Rate limits as the real channels enforce them, with a `scale` factor so benchmarks can run the same shape of
 * limit faster than real time (scale 10 = ten times the real allowance per second). The clock is injectable so
 * tests do not sleep.
 */
export type Clock = () => number;

/** A leaky bucket measured in cost points (Shopify's GraphQL model): `capacity` points, refilled at `restorePerSecond`. */
export class LeakyBucket {
  private available: number;
  private last: number;

  constructor(
    readonly capacity: number,
    readonly restorePerSecond: number,
    private readonly clock: Clock = Date.now,
  ) {
    this.available = capacity;
    this.last = clock();
  }

  private refill(): void {
    const now = this.clock();
    this.available = Math.min(this.capacity, this.available + ((now - this.last) / 1000) * this.restorePerSecond);
    this.last = now;
  }

  /** Points available right now. */
  current(): number {
    this.refill();
    return this.available;
  }

  /** Takes `cost` points if available; returns false (taking nothing) if not. */
  tryTake(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  /** Gives back points (Shopify refunds the difference between requested and actual query cost). */
  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.capacity, this.available + points);
  }
}

/**
 * A sliding one-minute (or any window) request counter with an optional block after the limit is hit
 * (Allegro blocks a client for a minute after a 429).
 */
export class WindowLimiter {
  private hits: number[] = [];
  private blockedUntil = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly blockMs = 0,
    private readonly clock: Clock = Date.now,
  ) {}

  /** Returns 0 when the request may proceed (and counts it), else the milliseconds until it may be retried. */
  take(): number {
    const now = this.clock();
    if (now < this.blockedUntil) return this.blockedUntil - now;
    this.hits = this.hits.filter((t) => t > now - this.windowMs);
    if (this.hits.length >= this.limit) {
      if (this.blockMs > 0) {
        this.blockedUntil = now + this.blockMs;
        return this.blockMs;
      }
      return this.hits[0]! + this.windowMs - now;
    }
    this.hits.push(now);
    return 0;
  }
}
