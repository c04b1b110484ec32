// The figures of issue 11's "Speed": which targets each compares, how it calls them, and its goals.
import { IN_FLIGHT, SPIN_MS } from "../dispatch/figures.ts";
import type { Goal, Measure } from "../shared/results.ts";

export type NatsFigureMode =
  | { readonly kind: "sequential" }
  /**
   * Closed-loop callers; one call in HEAVY_EVERY is the slow one, only the others are timed. The slow
   * call is CPU-bound, or with `slow: "wait"` a wait of WAIT_MS that uses no CPU. `hosts`: drover runs
   * as that many masters of one drone each.
   */
  | {
      readonly kind: "mixed";
      readonly callers: number;
      readonly slow?: "wait";
      readonly hosts?: number;
    }
  /** `workMs`: each call runs that much CPU work (the spin loop) instead of `add`. */
  | { readonly kind: "in-flight"; readonly concurrency: number; readonly workMs?: number };

export interface NatsFigure {
  readonly id: string;
  readonly title: string;
  readonly what: string;
  readonly targets: readonly string[];
  readonly mode: NatsFigureMode;
  readonly measure: Measure;
  readonly goals: readonly Goal[];
}

/** The CPU work of each call in the throughput figure with work. */
export const WORK_MS = 1;
/** One call in this many is the slow one: 5%. */
export const HEAVY_EVERY = 20;
/** The slow call that waits (on a database, another service) rather than computes. */
export const WAIT_MS = 50;
export { IN_FLIGHT, SPIN_MS };

const mixed = (callers: number): NatsFigure => ({
  id: `mixed-${callers}`,
  title: `Mixed load over two drones, ${callers} callers`,
  what:
    `${callers} closed-loop callers (each sends its next call when the last settled); one call in ${HEAVY_EVERY} runs ` +
    `a fixed loop calibrated to ${SPIN_MS} ms of CPU, the rest are \`add\`; the latencies are the fast calls'`,
  targets: ["drover", "queue-group"],
  mode: { kind: "mixed", callers },
  measure: "p99",
  goals: [{ against: "queue-group", ratio: 0.5 }],
});

// Not a goal of the issue's: two hosts of one drone, where NATS picks the host, with the hand-off
// and without. The slow call waits rather than spins: the two "hosts" share this machine's cores,
// and a CPU-bound call would measure that, not where the calls went. A fast call behind it waits up
// to WAIT_MS, which the hand-off is there to spare it.
const mixedHosts = (callers: number): NatsFigure => ({
  id: `hosts-mixed-${callers}`,
  title: `Mixed load over two hosts of one drone each, ${callers} callers`,
  what:
    `${callers} closed-loop callers; one call in ${HEAVY_EVERY} waits ${WAIT_MS} ms in its drone (as for a database), ` +
    "using no CPU, the rest are `add`; the latencies are the fast calls'. drover's two drones are on two masters of " +
    "one queue group (two hosts, on one machine), and NATS hands each call to either master at random",
  targets: ["drover-hosts", "drover-hosts-random"],
  mode: { kind: "mixed", callers, slow: "wait", hosts: 2 },
  measure: "p99",
  goals: [{ of: "drover-hosts", against: "drover-hosts-random", ratio: 0.5 }],
});

export const natsFigures: readonly NatsFigure[] = [
  {
    id: "round-trip",
    title: "Round trip of a trivial call over NATS, sequential",
    what: "`add {a, b}` from the bench's process, one call at a time, each timed from the call to its settled promise",
    targets: ["drover", "bare", "relay"],
    mode: { kind: "sequential" },
    measure: "p50",
    goals: [{ against: "bare", ratio: 1.2 }],
  },
  mixed(2),
  mixed(4),
  mixedHosts(2),
  mixedHosts(4),
  {
    id: "throughput",
    title: `Throughput of a trivial call over NATS, ${IN_FLIGHT} in flight`,
    what: `\`add {a, b}\`, ${IN_FLIGHT} calls kept in flight on one connection; completions counted`,
    targets: ["drover", "drover-concurrent", "queue-group"],
    mode: { kind: "in-flight", concurrency: IN_FLIGHT },
    measure: "callsPerSecond",
    goals: [
      { against: "queue-group", ratio: 0.9 },
      { of: "drover-concurrent", against: "queue-group", ratio: 0.9 },
    ],
  },
  {
    // Not a goal of the issue's: the same 0.9x, where each call does some work, as calls do.
    id: "throughput-work",
    title: `Throughput of a call with ${WORK_MS} ms of CPU work over NATS, ${IN_FLIGHT} in flight`,
    what:
      `\`spin\`, a fixed loop calibrated to ${WORK_MS} ms of CPU, ${IN_FLIGHT} calls kept in flight on one connection; ` +
      "completions counted: the same work in every target, so what differs is what each adds to a call",
    targets: ["drover", "queue-group"],
    mode: { kind: "in-flight", concurrency: IN_FLIGHT, workMs: WORK_MS },
    measure: "callsPerSecond",
    goals: [{ against: "queue-group", ratio: 0.9 }],
  },
];
