// How many drones a service has: minDrones at all times (restored at once after a death, waiting out
// a crash loop), more up to maxDrones while calls wait, and the spare band (minSpareDrones idle at
// least, maxSpareDrones at most) kept by the once-a-second maintenance, which retires the coldest
// idle drone (the bottom of the LIFO stack) when there are too many.
import type { Generation } from "../master/generations/generation.ts";
import { CrashBackoff } from "../master/pool/crash-backoff.ts";
import type { Drone } from "./drone.ts";
import type { ServicePool } from "./service-pool.ts";

// How often a restore held by a crash loop looks again.
const BACKOFF_POLL_MS = 250;

export interface SizingParts {
  readonly pool: ServicePool;
  readonly drones: () => Iterable<Drone>;
  /** The generation whose drones take calls, while one does and the service is not draining. */
  readonly supervised: () => Generation | undefined;
  readonly spawn: (generation: Generation) => boolean;
  /** Retires a surplus idle drone. */
  readonly retire: (drone: Drone) => void;
}

export class ServiceSizing {
  readonly #parts: SizingParts;
  #backoff = new CrashBackoff();
  #restoreTimer: NodeJS.Timeout | undefined;

  constructor(parts: SizingParts) {
    this.#parts = parts;
  }

  /** A new generation serves: a crash loop of the old one holds it no longer. */
  newGeneration(): void {
    this.#backoff = new CrashBackoff();
  }

  /** A drone of `generation` died unasked, `livedMs` after it was forked. */
  failed(generation: number, livedMs: number): void {
    this.#backoff.failed(generation, livedMs);
  }

  /** Calls wait: start drones for those no starting drone will take, up to maxDrones. */
  grow(waitingElsewhere = 0): void {
    const serving = this.#parts.supervised();
    if (!serving) return;
    const { pool } = this.#parts;
    const { live, starting } = this.#census(serving.number);
    const waiting = pool.backlog.length + waitingElsewhere;
    const wanted = Math.min(waiting - starting, pool.config.maxDrones - live);
    for (let i = 0; i < wanted; i++) if (!this.#parts.spawn(serving)) return;
  }

  /** Once a second: minDrones, and the spare band. */
  maintain(): void {
    const serving = this.#parts.supervised();
    if (!serving) return;
    const { config } = this.#parts.pool;
    const { live } = this.#census(serving.number);
    const idle = this.#idle();
    if (live < config.minDrones || (idle.length < config.minSpareDrones && live < config.maxDrones)) {
      this.restore();
    } else if (idle.length > config.maxSpareDrones && live > config.minDrones) {
      const coldest = idle[0];
      if (coldest) this.#parts.retire(coldest);
    }
  }

  /** Brings the pool back to minDrones and minSpareDrones (after a death: at once, or after the backoff). */
  restore(): void {
    const serving = this.#parts.supervised();
    if (!serving) return;
    clearTimeout(this.#restoreTimer);
    if (this.#backoff.waiting(serving.number)) {
      this.#restoreTimer = setTimeout(() => this.restore(), BACKOFF_POLL_MS);
      this.#restoreTimer.unref();
      return;
    }
    const { config } = this.#parts.pool;
    const { live } = this.#census(serving.number);
    const idle = this.#idle().length;
    const wanted = Math.max(
      config.minDrones - live,
      Math.min(config.minSpareDrones - idle, config.maxDrones - live),
    );
    for (let i = 0; i < wanted; i++) if (!this.#parts.spawn(serving)) break;
    this.grow();
  }

  stop(): void {
    clearTimeout(this.#restoreTimer);
  }

  // Idle drones, coldest first.
  #idle(): Drone[] {
    return this.#parts.pool.idle.drones.filter((drone) => drone.state === "idle");
  }

  // Drones of `generation` that count towards its size: neither leaving nor retiring.
  #census(generation: number): { live: number; starting: number } {
    let live = 0;
    let starting = 0;
    for (const drone of this.#parts.drones()) {
      if (drone.generation !== generation || drone.state === "leaving" || drone.retiring) continue;
      live++;
      if (drone.state === "starting") starting++;
    }
    return { live, starting };
  }
}
