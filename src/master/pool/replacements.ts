// Children that take the place of others: a retiring child's replacement starts first (beside it when
// a slot is free, in its slot once it has given it up otherwise) and the retiring child drains once
// it is up; a crashed child of the serving generation is replaced at once, unless its generation is in
// a crash loop (crash-backoff.ts): then the once-a-second maintenance restores the pool when it ends.
import { DEFAULTS, parseDuration } from "../../config/index.ts";
import type { Logger } from "../../log/logger.ts";
import type { RetireReasonName } from "../../protocol/messages.ts";
import { type ChildHandle, where } from "../children/child-handle.ts";
import type { Generation, GenerationLookup } from "../generations/generation.ts";
import { CrashBackoff } from "./crash-backoff.ts";
import type { SlotClaims } from "./slots.ts";
import type { Spawner } from "./spawner.ts";

export interface ReplacementParts {
  readonly spawner: Spawner;
  readonly slots: SlotClaims;
  readonly generations: () => GenerationLookup;
  readonly stopping: () => boolean;
  readonly log: Logger;
  /** Spawns into `slot`, asking the draining child there to hand it over first. */
  readonly spawnInto: (slot: number, generation: Generation) => void;
}

export class Replacements {
  readonly #parts: ReplacementParts;
  // A child spawned to replace one that asked to retire, and that one.
  readonly #replacing = new Map<ChildHandle, ChildHandle>();
  readonly #crashBackoff = new CrashBackoff();
  // Failed children already counted towards a crash loop, and crashed ones already replaced.
  readonly #counted = new WeakSet<ChildHandle>();
  readonly #replaced = new WeakSet<ChildHandle>();

  constructor(parts: ReplacementParts) {
    this.#parts = parts;
  }

  /** A child asks to retire: a recycling limit, or an uncaught exception (it drains at once then). */
  retire(child: ChildHandle, reason: RetireReasonName): void {
    const { generations, slots, spawner, log } = this.#parts;
    const generation = generations().find(child.generation);
    const drainMs = this.#drainMs(child);
    log.debug({ ...where(child), reason }, "a child asks to retire");
    if (reason === "crash") {
      child.quiesce("crash", drainMs);
      if (generation !== undefined && generation === generations().supervised) this.failed(child);
      this.replaceCrashed(child);
      return;
    }
    if (this.#parts.stopping() || !generation || generation !== generations().supervised) {
      child.quiesce("recycle", drainMs);
      return;
    }
    const slot = slots.free(generation.config.daemonsLimit)[0];
    const replacement = slot === undefined ? undefined : spawner.spawn(slot, generation);
    if (replacement) {
      this.#replacing.set(replacement, child);
      return;
    }
    child.quiesce("recycle", drainMs);
    if (slot === undefined) this.#parts.spawnInto(child.slot, generation);
  }

  /** A child is ready, or exited: if it replaced a retiring child, that one drains now. */
  up(replacement: ChildHandle): void {
    const retiring = this.#replacing.get(replacement);
    if (!retiring) return;
    this.#replacing.delete(replacement);
    retiring.quiesce("recycle", this.#drainMs(retiring));
  }

  // A child's generation is known while it lives; the default covers one forgotten meanwhile.
  #drainMs(child: ChildHandle): number {
    return (
      this.#parts.generations().find(child.generation)?.config.drainTimeout ??
      parseDuration(DEFAULTS.drainTimeout)
    );
  }

  /** Whether spawns for the serving generation wait out a crash loop now. */
  get crashLoop(): boolean {
    const serving = this.#parts.generations().supervised;
    return serving !== undefined && this.#crashBackoff.waiting(serving.number);
  }

  /**
   * A child of the serving generation failed: counted towards a crash loop, once (when it says it
   * crashed, or at its exit, whichever the master hears first). Not while the master stops.
   */
  failed(child: ChildHandle): void {
    if (this.#parts.stopping() || this.#counted.has(child)) return;
    this.#counted.add(child);
    const delay = this.#crashBackoff.failed(child.generation, Date.now() - child.startedAt);
    if (delay === 0) return;
    this.#parts.log.warn(
      { generation: child.generation, failures: this.#crashBackoff.streak, delayMs: delay },
      `children keep failing soon after they start (${this.#crashBackoff.streak} in a row): ` +
        `the next is forked in ${delay / 1000} s; fix the app and reload`,
    );
  }

  /** A child of the serving generation crashed: another takes its place now, unless in a crash loop. */
  replaceCrashed(child: ChildHandle): void {
    const serving = this.#parts.generations().supervised;
    if (this.#parts.stopping() || !serving || child.generation !== serving.number) return;
    if (this.#replaced.has(child) || this.crashLoop) return;
    const free = this.#parts.slots.free(serving.config.daemonsLimit);
    const slot = free.includes(child.slot) ? child.slot : free[0];
    if (slot !== undefined && this.#parts.spawner.spawn(slot, serving)) this.#replaced.add(child);
  }
}
