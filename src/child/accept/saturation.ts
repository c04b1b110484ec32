// Whether a child with every worker slot taken keeps accepting. A slot held by a connection that has
// waited long enough without a request can be made free (see WorkerSlots), so the child pauses only
// when none can; it accepts again once two slots can be had, or one that stayed free a moment: at the
// edge of saturation it does not close and reopen its listeners for every connection, yet never
// refuses for long a slot it has.
const RESUME_AT = 2;
const RESUME_ONE_AFTER_MS = 10;

/** What the slots tell about their capacity at a moment. */
export interface SlotCapacity {
  /** Slots free now. */
  free(): number;
  /** Whether some connection has waited long enough without a request to be closed for a new one. */
  evictable(now: number): boolean;
  /** When the connection that has waited longest without a request becomes evictable, if any does. */
  nextEvictable(): number | undefined;
}

export interface SaturationEvents {
  /** No slot can be had: stop accepting. */
  readonly saturated?: () => void;
  /** Slots can be had again after saturation: accept again. */
  readonly available?: () => void;
}

type SaturationState = "accepting" | "saturated" | "draining";

export class Saturation {
  #state: SaturationState = "accepting";
  #recheck: NodeJS.Timeout | undefined;
  readonly #slots: SlotCapacity;
  readonly #workers: number;
  readonly #events: SaturationEvents;

  constructor(slots: SlotCapacity, workers: number, events: SaturationEvents) {
    this.#slots = slots;
    this.#workers = workers;
    this.#events = events;
  }

  /** The last free slot was taken: keep accepting if one can be made free, else pause until one can. */
  full(now: number): void {
    if (this.#state !== "accepting") return;
    if (this.#slots.free() > 0 || this.#slots.evictable(now)) return;
    this.#state = "saturated";
    this.#events.saturated?.();
    this.#scheduleRecheck(now);
  }

  /** A slot came free. */
  freed(): void {
    if (this.#state === "saturated") this.#maybeAvailable();
  }

  /** The child drains: it accepts nothing more, so nothing is rechecked. */
  drain(): void {
    this.#state = "draining";
    clearTimeout(this.#recheck);
  }

  // While saturated, look again when the longest-waiting idle connection becomes evictable.
  #scheduleRecheck(now: number): void {
    clearTimeout(this.#recheck);
    const at = this.#slots.nextEvictable();
    if (at === undefined) return;
    this.#recheck = setTimeout(() => this.#maybeAvailable(), Math.max(1, at - now));
    this.#recheck.unref();
  }

  #maybeAvailable(settled = false): void {
    if (this.#state !== "saturated") return;
    const now = Date.now();
    const capacity = this.#slots.free() + (this.#slots.evictable(now) ? RESUME_AT : 0);
    clearTimeout(this.#recheck);
    if (capacity >= Math.min(RESUME_AT, this.#workers) || (settled && capacity > 0)) {
      this.#state = "accepting";
      this.#events.available?.();
    } else if (capacity > 0) {
      this.#recheck = setTimeout(() => this.#maybeAvailable(true), RESUME_ONE_AFTER_MS);
      this.#recheck.unref();
    } else {
      this.#scheduleRecheck(now);
    }
  }
}
