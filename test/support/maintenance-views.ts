// Building what idle maintenance sees, for the pure-function tests: a child slot written as its
// mod_status grid ("_K" is one idle and one keep-alive worker).
import type { MaintenanceLimits, SlotView } from "../../src/master/pool/maintenance.ts";
import { WORKER_STATE_LETTERS } from "../../src/scoreboard/index.ts";

export const GENERATION = 3;

/** Eight child slots of two workers each (maxRequestWorkers 16), a spare band of 2 to 6. */
export const LIMITS: MaintenanceLimits = {
  generation: GENERATION,
  daemonsLimit: 8,
  workersPerChild: 2,
  minSpareWorkers: 2,
  maxSpareWorkers: 6,
  minChildren: 1,
};

export function states(grid: string): number[] {
  return [...grid].map((letter) => {
    const state = WORKER_STATE_LETTERS.indexOf(letter);
    if (state < 0) throw new Error(`no worker state "${letter}"`);
    return state;
  });
}

/** A live child of the current generation (unless told otherwise) in `slot`. */
export function child(
  slot: number,
  grid: string,
  options: { generation?: number; quiescing?: boolean } = {},
): SlotView {
  return {
    slot,
    occupied: true,
    quiescing: options.quiescing ?? false,
    generation: options.generation ?? GENERATION,
    workers: states(grid),
  };
}

/** A draining child: quiescing, of the previous generation unless told otherwise. */
export function draining(slot: number, grid: string, generation = GENERATION - 1): SlotView {
  return child(slot, grid, { generation, quiescing: true });
}

/** A slot no child owns, as the master shows it. */
export function empty(slot: number): SlotView {
  return { slot, occupied: false, quiescing: true, generation: -1, workers: [] };
}

/** `count` slots from `first`, each made by `make`. */
export function slots(first: number, count: number, make: (slot: number) => SlotView): SlotView[] {
  return Array.from({ length: count }, (_, index) => make(first + index));
}
