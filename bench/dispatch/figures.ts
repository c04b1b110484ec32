// The figures the issue asks for: which targets each compares, how it calls them, and its goals.
import type { Goal, Measure } from "../shared/results.ts";

export type FigureId = "round-trip" | "throughput" | "cpu";

export interface Figure {
  readonly id: FigureId;
  readonly title: string;
  readonly what: string;
  readonly targets: readonly string[];
  readonly mode: "sequential" | "in-flight";
  readonly job: "add" | "spin";
  /** Sequential p50 latency (lower is better) or calls/s in flight (higher). */
  readonly measure: Extract<Measure, "p50" | "callsPerSecond">;
  readonly goals: readonly Goal[];
}

export const IN_FLIGHT = 64;
/** CPU time of one CPU-bound call, calibrated at start. */
export const SPIN_MS = 10;

export const figures: readonly Figure[] = [
  {
    id: "round-trip",
    title: "Round trip of a trivial call, sequential",
    what: "`add {a, b}` from the bench's process, one call at a time, each timed from the call to its settled promise",
    targets: ["drover", "piscina", "workerpool", "relay", "echo"],
    mode: "sequential",
    job: "add",
    measure: "p50",
    goals: [
      { against: "piscina", ratio: 0.6 },
      { against: "echo", ratio: 2 },
    ],
  },
  {
    id: "throughput",
    title: `Throughput of a trivial call, ${IN_FLIGHT} in flight`,
    what: `\`add {a, b}\`, ${IN_FLIGHT} calls kept in flight on one connection; completions counted`,
    targets: ["drover", "drover-concurrent", "piscina", "workerpool"],
    mode: "in-flight",
    job: "add",
    measure: "callsPerSecond",
    goals: [
      { against: "piscina", ratio: 1 },
      { against: "workerpool", ratio: 1 },
      { of: "drover-concurrent", against: "piscina", ratio: 1 },
      { of: "drover-concurrent", against: "workerpool", ratio: 1 },
    ],
  },
  {
    id: "cpu",
    title: `CPU-bound calls of ${SPIN_MS} ms, ${IN_FLIGHT} in flight`,
    what:
      `a fixed loop calibrated to ${SPIN_MS} ms of CPU, ${IN_FLIGHT} calls in flight; the ideal is ` +
      `workers × ${1000 / SPIN_MS} calls/s`,
    targets: ["drover", "piscina", "workerpool"],
    mode: "in-flight",
    job: "spin",
    measure: "callsPerSecond",
    // "Scales to the cores like piscina's threads": within a tenth of piscina (the issue gives no figure).
    goals: [{ against: "piscina", ratio: 0.9 }],
  },
];
