// One sample per figure, target and round; the rows of a figure's table (medians over the rounds) and
// its goals' ratios (the median of each round's own ratio: targets a few seconds apart share the
// machine's mood, rounds a minute apart may not).
import { median } from "../report/summary.ts";
import type { CpuPerCall } from "./cpu.ts";
import type { Figure, Goal } from "./figures.ts";

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

export interface GoalResult extends Goal {
  /** The target's measure over the other's, median of the rounds'; NaN when a round lacks either. */
  readonly value: number;
  readonly met: boolean;
  readonly perRound: readonly number[];
}

const measureOf = (figure: Figure, sample: Sample) =>
  figure.measure === "p50" ? sample.p50 : (sample.callsPerSecond ?? Number.NaN);

export function rows(figure: Figure, samples: readonly Sample[]): Row[] {
  return figure.targets.map((target) => {
    const own = samples.filter((s) => s.figure === figure.id && s.target === target);
    return {
      target,
      p50: median(own.map((s) => s.p50)),
      p99: median(own.map((s) => s.p99)),
      callsPerSecond: median(own.map((s) => s.callsPerSecond ?? Number.NaN)),
      serverCpuUs: median(own.map((s) => s.cpu.serverUs)),
      clientCpuUs: median(own.map((s) => s.cpu.clientUs)),
      rounds: own.map((s) => measureOf(figure, s)),
    };
  });
}

export function goals(figure: Figure, samples: readonly Sample[]): GoalResult[] {
  const inFigure = samples.filter((s) => s.figure === figure.id);
  const rounds = [...new Set(inFigure.map((s) => s.round))].sort((a, b) => a - b);
  const at = (target: string, round: number) => {
    const sample = inFigure.find((s) => s.target === target && s.round === round);
    return sample ? measureOf(figure, sample) : Number.NaN;
  };
  return figure.goals.map((goal) => {
    const perRound = rounds.map((round) => at(goal.of ?? "drover", round) / at(goal.against, round));
    const value = perRound.some(Number.isNaN) || perRound.length === 0 ? Number.NaN : median(perRound);
    const met = figure.measure === "p50" ? value <= goal.ratio : value >= goal.ratio;
    return { ...goal, value, met, perRound };
  });
}
