/**
 * The simulator's clock: an injectable base (tests pass their own) plus an offset the admin endpoint can move, so
 * an HTTP-only client (the demo, an integration test in another process) can also jump 8 days ahead.
 */
export class SimClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }

  /** Bound form for APIs that take a `() => number`. */
  readonly fn = (): number => this.now();
}
