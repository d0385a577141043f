/**
 * A rolling-window call counter that also reports how full it is, because Graph tells clients their usage as a
 * percentage (`X-App-Usage`, `X-Business-Use-Case-Usage`) on every response, not only when they are refused.
 */
export class UsageWindow {
  private hits: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  private prune(): number {
    const t = this.now();
    this.hits = this.hits.filter((h) => h > t - this.windowMs);
    return t;
  }

  /** Counts the call and returns true, or returns false (counting nothing) when the window is full. */
  take(): boolean {
    const t = this.prune();
    if (this.hits.length >= this.limit) return false;
    this.hits.push(t);
    return true;
  }

  /** 0–100, as Meta reports it. */
  percent(): number {
    this.prune();
    return Math.min(100, Math.round((this.hits.length / this.limit) * 100));
  }

  /** Minutes until the oldest counted call leaves the window (Meta's `estimated_time_to_regain_access`). */
  minutesToRegain(): number {
    const t = this.prune();
    if (this.hits.length < this.limit) return 0;
    return Math.ceil((this.hits[0]! + this.windowMs - t) / 60_000);
  }
}
