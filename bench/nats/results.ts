// One sample per figure, target and round; a figure's table rows (medians over the rounds) and its
// goals' ratios (the median of each round's own ratio: runs seconds apart share the machine's mood).
import { median } from "../report/summary.ts";
import type { NatsFigure, NatsGoal } from "./figures.ts";

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

export interface NatsGoalResult extends NatsGoal {
  /** The target's measure over the other's, median of the rounds'; NaN when a round lacks either. */
  readonly value: number;
  readonly met: boolean;
  readonly perRound: readonly number[];
}

export const measureOf = (figure: NatsFigure, sample: NatsSample): number =>
  figure.measure === "callsPerSecond" ? (sample.callsPerSecond ?? Number.NaN) : sample[figure.measure];

export function natsRows(figure: NatsFigure, samples: readonly NatsSample[]): NatsRow[] {
  return figure.targets.map((target) => {
    const own = samples.filter((s) => s.figure === figure.id && s.target === target);
    const of = (value: (s: NatsSample) => number | undefined) =>
      median(own.map((s) => value(s) ?? Number.NaN));
    return {
      target,
      p50: of((s) => s.p50),
      p99: of((s) => s.p99),
      callsPerSecond: of((s) => s.callsPerSecond),
      heavyP50: of((s) => s.heavyP50),
      targetCpuUs: of((s) => s.cpu.targetUs),
      natsCpuUs: of((s) => s.cpu.natsUs),
      clientCpuUs: of((s) => s.cpu.clientUs),
      rounds: own.map((s) => measureOf(figure, s)),
    };
  });
}

export function natsGoals(figure: NatsFigure, samples: readonly NatsSample[]): NatsGoalResult[] {
  const inFigure = samples.filter((s) => s.figure === figure.id);
  const rounds = [...new Set(inFigure.map((s) => s.round))].sort((a, b) => a - b);
  const at = (target: string, round: number) => {
    const sample = inFigure.find((s) => s.target === target && s.round === round);
    return sample ? measureOf(figure, sample) : Number.NaN;
  };
  const higherIsBetter = figure.measure === "callsPerSecond";
  return figure.goals.map((goal) => {
    const perRound = rounds.map((round) => at(goal.of ?? "drover", round) / at(goal.against, round));
    const value = perRound.some(Number.isNaN) || perRound.length === 0 ? Number.NaN : median(perRound);
    const met = higherIsBetter ? value >= goal.ratio : value <= goal.ratio;
    return { ...goal, value, met, perRound };
  });
}
