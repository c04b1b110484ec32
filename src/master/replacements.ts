// Children that take the place of others: a retiring child's replacement starts first (beside it when
// a slot is free, in its slot once it has given it up otherwise) and the retiring child drains once
// it is up; a crashed child of the serving generation is replaced at once, within a budget past which
// the once-a-second maintenance restores the pool.
import type { Logger } from "../log/logger.ts";
import type { RetireReasonName } from "../protocol/messages.ts";
import { type ChildHandle, where } from "./child-handle.ts";
import type { Generation, GenerationLookup } from "./generation.ts";
import type { SlotClaims } from "./slots.ts";
import { CrashBudget } from "./spawn-state.ts";
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
  readonly #crashBudget = new CrashBudget();

  constructor(parts: ReplacementParts) {
    this.#parts = parts;
  }

  /** A child asks to retire: a recycling limit, or an uncaught exception (it drains at once then). */
  retire(child: ChildHandle, reason: RetireReasonName): void {
    const { generations, slots, spawner, log } = this.#parts;
    const generation = generations().find(child.generation);
    const drainMs = generation?.config.drainTimeout ?? 30_000;
    log.debug({ ...where(child), reason }, "a child asks to retire");
    if (reason === "crash") {
      child.quiesce("crash", drainMs);
      this.replaceCrashed(child);
      return;
    }
    if (this.#parts.stopping() || !generation || generation !== generations().serving) {
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
    const drainMs = this.#parts.generations().find(retiring.generation)?.config.drainTimeout ?? 30_000;
    retiring.quiesce("recycle", drainMs);
  }

  /** A child of the serving generation crashed: another takes its place now, within the budget. */
  replaceCrashed(child: ChildHandle): void {
    const serving = this.#parts.generations().serving;
    if (this.#parts.stopping() || !serving || child.generation !== serving.number) return;
    if (!this.#crashBudget.take()) return;
    const free = this.#parts.slots.free(serving.config.daemonsLimit);
    const slot = free.includes(child.slot) ? child.slot : free[0];
    if (slot !== undefined) this.#parts.spawner.spawn(slot, serving);
  }
}
