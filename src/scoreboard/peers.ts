// What a child reads of its peers on every accepted connection (see child/accept/accept-balance.ts): the
// fewest connections another child that accepts holds. It reads single words with Atomics and one
// heartbeat (an aligned f64, single-copy atomic), takes no seqlock round and allocates nothing.
import { HEADER_BYTES, Header, PROCESS_RECORD_BYTES, Proc, ProcF64 } from "./layout.ts";
import { ProcessState } from "./states.ts";
import type { ScoreboardView } from "./view.ts";

/**
 * How old a peer's heartbeat may be, by default, before the peer counts as not accepting: twice the
 * longest interval a child stamps at (one second, see master/children/child-spec.ts).
 */
export const STALE_PEER_MS = 2_000;

const PROCESS_WORDS = PROCESS_RECORD_BYTES / 4;
const FIRST_PROCESS = HEADER_BYTES / 4;

/**
 * The fewest connections any other child of `generation` that accepts holds (ready, not quiescing,
 * heartbeat at most `staleAfterMs` older than `now`), or undefined when there is none. A peer whose
 * loop is blocked or hung, or that died and is not reaped yet, stops stamping its heartbeat: it neither
 * accepts nor updates its count, so it must not hold the others back. The scan stops at the master's
 * slot bound, and at the drones' slots: no child lives past either (a drone accepts no connection and
 * holds none, so counting one would make every child with a few connections pause).
 */
export function fewestOpenConnections(
  view: ScoreboardView,
  generation: number,
  exceptSlot: number,
  now: number,
  staleAfterMs: number,
): number | undefined {
  const { i32, f64 } = view;
  const bound = Math.min(Atomics.load(i32, Header.slotBound), view.droneBase);
  const freshSince = now - staleAfterMs;
  let fewest: number | undefined;
  for (let slot = 0; slot < bound; slot++) {
    if (slot === exceptSlot) continue;
    const base = FIRST_PROCESS + slot * PROCESS_WORDS;
    if (
      Atomics.load(i32, base + Proc.state) !== ProcessState.Ready ||
      Atomics.load(i32, base + Proc.generation) !== generation ||
      Atomics.load(i32, base + Proc.quiescing) !== 0 ||
      !((f64[base / 2 + ProcF64.heartbeat] ?? 0) >= freshSince)
    ) {
      continue;
    }
    const open = Atomics.load(i32, base + Proc.open);
    if (fewest === undefined || open < fewest) fewest = open;
  }
  return fewest;
}
