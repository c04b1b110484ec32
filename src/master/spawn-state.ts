// What the spawning side of maintenance remembers between passes (Apache keeps it in its retained
// data), and the budget for replacing crashed children at once.

export interface SpawnState {
  idleSpawnRate: number;
  holdOffOnExponentialSpawning: number;
  maxRequestWorkersReported: boolean;
  nearMaxRequestWorkersReported: boolean;
  scoreboardFullReported: boolean;
}

export function freshSpawnState(): SpawnState {
  return {
    idleSpawnRate: 1,
    holdOffOnExponentialSpawning: 0,
    maxRequestWorkersReported: false,
    nearMaxRequestWorkersReported: false,
    scoreboardFullReported: false,
  };
}

// A crashed child is replaced at once this many times per window; beyond that the once-a-second
// maintenance pass restores the pool, so a child that crashes on every request cannot make the master
// fork in a tight loop.
const IMMEDIATE_REPLACEMENTS = 4;
const WINDOW_MS = 10_000;

export class CrashBudget {
  readonly #recent: number[] = [];

  /** Whether one more crashed child may be replaced now; counts it if so. */
  take(now = Date.now()): boolean {
    while (this.#recent.length > 0 && now - (this.#recent[0] as number) > WINDOW_MS) this.#recent.shift();
    if (this.#recent.length >= IMMEDIATE_REPLACEMENTS) return false;
    this.#recent.push(now);
    return true;
  }
}
