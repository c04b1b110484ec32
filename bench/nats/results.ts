// One sample per figure, target and round, and what a figure's table and goals take from them
// (../shared/results.ts: medians over the rounds, the median of each round's own ratio).
import { figureGoals, figureRows, type GoalResult } from "../shared/results.ts";
import type { NatsFigure } from "./figures.ts";

export interface NatsSample {
  readonly figure: string;
  readonly target: string;
  readonly round: number;
  /** Microseconds; in a mixed run, the fast calls'. */
  readonly p50: number;
  readonly p99: number;
  /** In flight and mixed (both kinds of call) only. */
  readonly callsPerSecond?: number;
  /** Mixed only: the CPU-bound calls' p50 (µs) and how many were timed. */
  readonly heavyP50?: number;
  readonly heavyCalls?: number;
  /** CPU µs per call (untimed calls included): the target's processes, the nats-server, the bench. */
  readonly cpu: { readonly targetUs: number; readonly natsUs: number; readonly clientUs: number };
}

export interface NatsRow {
  readonly target: string;
  readonly p50: number;
  readonly p99: number;
  readonly callsPerSecond: number;
  readonly heavyP50: number;
  readonly targetCpuUs: number;
  readonly natsCpuUs: number;
  readonly clientCpuUs: number;
  /** The figure's measure in each round, in order. */
  readonly rounds: readonly number[];
}

const measureOf = (figure: NatsFigure) => (sample: NatsSample) =>
  figure.measure === "callsPerSecond" ? (sample.callsPerSecond ?? Number.NaN) : sample[figure.measure];

export function natsRows(figure: NatsFigure, samples: readonly NatsSample[]): NatsRow[] {
  return figureRows(figure, samples, measureOf(figure), (of) => ({
    p50: of((s) => s.p50),
    p99: of((s) => s.p99),
    callsPerSecond: of((s) => s.callsPerSecond),
    heavyP50: of((s) => s.heavyP50),
    targetCpuUs: of((s) => s.cpu.targetUs),
    natsCpuUs: of((s) => s.cpu.natsUs),
    clientCpuUs: of((s) => s.cpu.clientUs),
  }));
}

export const natsGoals = (figure: NatsFigure, samples: readonly NatsSample[]): GoalResult[] =>
  figureGoals(figure, samples, measureOf(figure));
