// A child's life as the master sees it: one phase at a time, moved only along these edges.
//
//   starting ──> ready ──> draining ──> detaching ──> detached ──> exited
//       │          │          │             │            │
//       └──────────┴──────────┴─────────────┴────────────┴──> killing ──> exited
//
// "draining": told to stop accepting and finish (the pipe of death); "detaching": draining, and asked
// to give its scoreboard slot to a new child; "detached": it gave the slot up and drains on without
// one (the seed's lost slot); "killing": the master ends it (a hard stop or restart, hung, not ready
// in time, past its drain deadline, or no answer to the detach).

export type ChildPhase = "starting" | "ready" | "draining" | "detaching" | "detached" | "killing" | "exited";

const NEXT: Readonly<Record<ChildPhase, readonly ChildPhase[]>> = {
  starting: ["ready", "draining", "killing", "exited"],
  ready: ["draining", "killing", "exited"],
  draining: ["detaching", "killing", "exited"],
  detaching: ["detached", "killing", "exited"],
  detached: ["killing", "exited"],
  killing: ["exited"],
  exited: [],
};

export function canMove(from: ChildPhase, to: ChildPhase): boolean {
  return NEXT[from].includes(to);
}

/** Why the master drains or kills a child: what its exit will be judged against. */
export type ExitPlan =
  /** Its generation was replaced by a reload, or a failed reload is undone. */
  | "generation"
  /** Too many idle workers: maintenance retires it. */
  | "idle"
  /** It asked to retire (connections, requests, memory or age) and its replacement is up. */
  | "recycle"
  /** It caught an uncaught exception and drains itself. */
  | "crash"
  /** A graceful stop. */
  | "stop"
  /** A hard stop or a hard restart. */
  | "hard-stop"
  /** Its event loop is stuck. */
  | "hung"
  /** It was not ready within childStartTimeout. */
  | "start-timeout"
  /** Draining took longer than drainTimeout. */
  | "drain-timeout"
  /** Asked to give its slot up, it did not answer within its heartbeat limit: its loop was stuck. */
  | "detach-timeout";

/** What a child says when it asks to retire (see protocol/messages.ts). */
export type RetireReason = "connections" | "requests" | "memory" | "age" | "crash";
