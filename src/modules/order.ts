// The run order of one phase's hooks, sorted the way Apache sorts its hooks: first by position
// (first, middle, last; registration order within each), then by before/after constraints. The
// constraints are applied as a stable topological sort, by Apache's rule: at each step the earliest
// hook, in that first order, whose predecessors have all run goes next. A hook waits for its
// predecessors rather than pulling them forward, so a "first" hook that must follow a "last" one runs
// after it, and hooks without constraints keep their relative order. A constraint naming a module that
// has no hook in the phase is ignored.
import type { Position, ResolvedOrder } from "./define.ts";
import { ModuleOrderError } from "./errors.ts";
import type { Phase } from "./phases.ts";

/** One hook to place: its module's name (unique) and the order it asked for. */
export interface OrderEntry {
  readonly name: string;
  readonly order: ResolvedOrder;
}

const RANK: Readonly<Record<Position, number>> = { first: 0, middle: 1, last: 2 };

/** The names of `entries` (given in registration order) in run order; throws DROVER_ERR_MODULE_ORDER on a cycle. */
export function sortHooks(phase: Phase, entries: readonly OrderEntry[]): string[] {
  // Array.prototype.sort is stable, so registration order holds within a position.
  const base = [...entries]
    .sort((a, b) => RANK[a.order.position] - RANK[b.order.position])
    .map((e) => e.name);

  // The hooks that must run before each hook, among those of this phase.
  const predecessors = new Map(base.map((name) => [name, new Set<string>()]));
  for (const { name, order } of entries) {
    for (const later of order.before) predecessors.get(later)?.add(name);
    for (const earlier of order.after) if (predecessors.has(earlier)) predecessors.get(name)?.add(earlier);
  }
  const ready = (name: string, placed: ReadonlySet<string>) =>
    !placed.has(name) && [...(predecessors.get(name) ?? [])].every((earlier) => placed.has(earlier));

  const placed = new Set<string>();
  while (placed.size < base.length) {
    const next = base.find((name) => ready(name, placed));
    if (next === undefined) throw new ModuleOrderError(phase, findCycle(base, predecessors, placed));
    placed.add(next);
  }
  return [...placed];
}

// Every hook left unplaced waits for another unplaced one, so walking back along predecessors must
// come round to a hook already seen: the hooks from there on form a cycle.
function findCycle(
  base: readonly string[],
  predecessors: ReadonlyMap<string, ReadonlySet<string>>,
  placed: ReadonlySet<string>,
): string[] {
  const path: string[] = [];
  let at = base.find((name) => !placed.has(name));
  while (at !== undefined && !path.includes(at)) {
    path.push(at);
    at = [...(predecessors.get(at) ?? [])].find((earlier) => !placed.has(earlier));
  }
  // The walk went from each hook to one that must precede it: reversed, the cycle reads in run order.
  // Named from its hook that comes earliest in the first order, so the message does not depend on
  // where the walk began.
  const cycle = path.slice(at === undefined ? 0 : path.indexOf(at)).reverse();
  const first = base.find((name) => cycle.includes(name)) ?? "";
  const start = Math.max(0, cycle.indexOf(first));
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}
