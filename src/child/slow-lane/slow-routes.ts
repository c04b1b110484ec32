// Which routes hold the event loop: a running average of the time their handler runs before it
// returns. A route's first slow sample is not counted, since the first call of a route is often slow
// for reasons that do not last (lazy compilation, a cold cache); from its second slow sample on it is
// slow, until its average falls under half the threshold. Only routes seen slow at least once are
// held, so an app with none pays nothing here.

/** Routes held (slow ones and those seen slow once); beyond this the least recently used goes. */
export const SLOW_ROUTES_KEPT = 256;
// The weight of the newest sample in a route's average.
const NEWEST_WEIGHT = 0.25;

interface RouteTiming {
  /** Meaningful while slow: the running average in ms. */
  average: number;
  slow: boolean;
  /** When a request last went to it, on the table's own clock (a count of uses). */
  used: number;
}

export class SlowRoutes {
  readonly #thresholdMs: number;
  readonly #routes = new Map<string, RouteTiming>();
  #slow = 0;
  #clock = 0;

  constructor(thresholdMs: number) {
    this.#thresholdMs = thresholdMs;
  }

  /** Slow routes now: while 0, a request's route need not be worked out at all. */
  get slowCount(): number {
    return this.#slow;
  }

  /** True when `key` is slow. A lookup is a use, which keeps the route from being forgotten. */
  isSlow(key: string): boolean {
    const timing = this.#routes.get(key);
    if (timing === undefined) return false;
    timing.used = ++this.#clock;
    return timing.slow;
  }

  /** Counts a request to `key` that held the loop `ms`. True when that made the route slow. */
  record(key: string, ms: number): boolean {
    const timing = this.#routes.get(key);
    if (timing === undefined) {
      // Its first slow sample: remembered, not counted.
      if (ms >= this.#thresholdMs) this.#add(key);
      return false;
    }
    timing.used = ++this.#clock;
    if (!timing.slow) {
      if (ms < this.#thresholdMs) return false;
      timing.slow = true;
      timing.average = ms;
      this.#slow++;
      return true;
    }
    timing.average += (ms - timing.average) * NEWEST_WEIGHT;
    // Half the threshold to leave, so that a route near it does not go in and out on every request.
    if (timing.average < this.#thresholdMs / 2) {
      timing.slow = false;
      this.#slow--;
    }
    return false;
  }

  /** The average of `key` in ms while it is slow. */
  averageOf(key: string): number | undefined {
    const timing = this.#routes.get(key);
    return timing?.slow ? timing.average : undefined;
  }

  /** The slow routes with their averages in ms (a copy). */
  averages(): Map<string, number> {
    const slow = new Map<string, number>();
    for (const [key, timing] of this.#routes) if (timing.slow) slow.set(key, timing.average);
    return slow;
  }

  /** True when `key` is held: slow, or seen slow once. */
  holds(key: string): boolean {
    return this.#routes.has(key);
  }

  #add(key: string): void {
    if (this.#routes.size >= SLOW_ROUTES_KEPT) this.#forgetLeastUsed();
    this.#routes.set(key, { average: 0, slow: false, used: ++this.#clock });
  }

  // A scan, but only when a new route is seen slow while the table is full: never per request.
  #forgetLeastUsed(): void {
    let oldest: string | undefined;
    let oldestUse = Number.POSITIVE_INFINITY;
    for (const [key, timing] of this.#routes) {
      if (timing.used < oldestUse) {
        oldest = key;
        oldestUse = timing.used;
      }
    }
    if (oldest === undefined) return;
    if (this.#routes.get(oldest)?.slow) this.#slow--;
    this.#routes.delete(oldest);
  }
}
