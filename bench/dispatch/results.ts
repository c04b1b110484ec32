// One sample per figure, target and round, and what a figure's table and goals take from them
// (../shared/results.ts: medians over the rounds, the median of each round's own ratio).
import { figureGoals, figureRows, type GoalResult } from "../shared/results.ts";
import type { CpuPerCall } from "./cpu.ts";
import type { Figure } from "./figures.ts";

export interface Sample {
  readonly figure: string;
  readonly target: string;
  readonly round: number;
  /** Microseconds. */
  readonly p50: number;
  readonly p99: number;
  /** In flight only. */
  readonly callsPerSecond?: number;
  /** CPU per call over the whole run (untimed calls included). */
  readonly cpu: CpuPerCall;
}

export interface Row {
  readonly target: string;
  readonly p50: number;
  readonly p99: number;
  readonly callsPerSecond: number;
  readonly serverCpuUs: number;
  readonly clientCpuUs: number;
  /** The figure's measure in each round, in order. */
  readonly rounds: readonly number[];
}

const measureOf = (figure: Figure) => (sample: Sample) =>
  figure.measure === "p50" ? sample.p50 : (sample.callsPerSecond ?? Number.NaN);

export function rows(figure: Figure, samples: readonly Sample[]): Row[] {
  return figureRows(figure, samples, measureOf(figure), (of) => ({
    p50: of((s) => s.p50),
    p99: of((s) => s.p99),
    callsPerSecond: of((s) => s.callsPerSecond),
    serverCpuUs: of((s) => s.cpu.serverUs),
    clientCpuUs: of((s) => s.cpu.clientUs),
  }));
}

export const goals = (figure: Figure, samples: readonly Sample[]): GoalResult[] =>
  figureGoals(figure, samples, measureOf(figure));
