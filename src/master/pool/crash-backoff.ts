// Children of the serving generation that keep failing soon after they were forked are a crash loop.
// The first few are replaced at once (one bad request can take a child or two down); past those, each
// early failure doubles the wait before the next spawn, up to MAX_DELAY_MS, and a child that lived
// STABLE_MS starts the count again. Crash replacement and maintenance both wait it out, so an app that
// dies on start or on every request cannot make the master fork in a tight loop. A new generation
// (a reload with the fix) starts the count afresh, and its own start never waits.
const STABLE_MS = 30_000;
const FREE_FAILURES = 3;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

export class CrashBackoff {
  #generation = -1;
  #streak = 0;
  #until = 0;

  /** Failures in a row, each soon after its child was forked. */
  get streak(): number {
    return this.#streak;
  }

  /** A child of `generation` failed `livedMs` after it was forked: the wait before the next spawn (0: none). */
  failed(generation: number, livedMs: number, now = Date.now()): number {
    const sameGeneration = generation === this.#generation;
    // A new generation starts afresh; a long-lived child's failure restarts the count but does not
    // cut short a wait its younger peers armed.
    if (!sameGeneration) this.#until = 0;
    this.#generation = generation;
    this.#streak = sameGeneration && livedMs < STABLE_MS ? this.#streak + 1 : 1;
    const steps = this.#streak - FREE_FAILURES;
    const delay = steps <= 0 ? 0 : Math.min(FIRST_DELAY_MS * 2 ** (steps - 1), MAX_DELAY_MS);
    this.#until = Math.max(this.#until, now + delay);
    return delay;
  }

  /** Whether spawns for `generation` wait now (a wait armed by an older generation holds no other). */
  waiting(generation: number, now = Date.now()): boolean {
    return generation === this.#generation && now < this.#until;
  }
}
