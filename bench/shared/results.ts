// What the figure benches (bench:dispatch, bench:nats) make of their samples, one per figure, target
// and round: a figure's table rows (medians over the rounds) and its goals' ratios (the median of each
// round's own ratio: targets a few seconds apart share the machine's mood, rounds a minute apart may not).
import { median } from "../report/summary.ts";

/** What a goal compares: a latency percentile (lower is better) or calls/s (higher is better). */
export type Measure = "p50" | "p99" | "callsPerSecond";

export interface Goal {
  /** This target's measure (drover by default) divided by ... */
  readonly of?: string;
  /** ... this target's ... */
  readonly against: string;
  /** ... must be at most (a latency) or at least (calls/s) this. */
  readonly ratio: number;
}

export interface GoalResult extends Goal {
  /** The target's measure over the other's, median of the rounds'; NaN when a round lacks either. */
  readonly value: number;
  readonly met: boolean;
  readonly perRound: readonly number[];
}

export interface FigureKey {
  readonly id: string;
  readonly targets: readonly string[];
  readonly measure: Measure;
  readonly goals: readonly Goal[];
}

/** What every sample has; each bench adds its CPU readings. */
export interface SampleBase {
  readonly figure: string;
  readonly target: string;
  readonly round: number;
  /** Microseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Runs that count completions only. */
  readonly callsPerSecond?: number;
}

/** What every row has: medians over the rounds (NaN where the samples lack it). */
export interface RowBase {
  readonly target: string;
  readonly p50: number;
  readonly p99: number;
  readonly callsPerSecond: number;
  /** The figure's measure in each round, in order. */
  readonly rounds: readonly number[];
}

/** The median over a target's samples of one value; a sample without it counts as NaN. */
export type MedianOf<S> = (value: (sample: S) => number | undefined) => number;

const measureOf = (measure: Measure, sample: SampleBase) =>
  measure === "callsPerSecond" ? (sample.callsPerSecond ?? Number.NaN) : sample[measure];

/** One row per target of `figure`, in its order, with the bench's own `cells` of its samples. */
export function figureRows<S extends SampleBase, R>(
  figure: FigureKey,
  samples: readonly S[],
  cells: (of: MedianOf<S>) => R,
): (RowBase & R)[] {
  return figure.targets.map((target) => {
    const own = samples.filter((s) => s.figure === figure.id && s.target === target);
    const of: MedianOf<S> = (value) => median(own.map((s) => value(s) ?? Number.NaN));
    return {
      target,
      p50: of((s) => s.p50),
      p99: of((s) => s.p99),
      callsPerSecond: of((s) => s.callsPerSecond),
      ...cells(of),
      rounds: own.map((s) => measureOf(figure.measure, s)),
    };
  });
}

export function figureGoals(figure: FigureKey, samples: readonly SampleBase[]): GoalResult[] {
  const inFigure = samples.filter((s) => s.figure === figure.id);
  const rounds = [...new Set(inFigure.map((s) => s.round))].sort((a, b) => a - b);
  const at = (target: string, round: number) => {
    const sample = inFigure.find((s) => s.target === target && s.round === round);
    return sample ? measureOf(figure.measure, sample) : Number.NaN;
  };
  const higherIsBetter = figure.measure === "callsPerSecond";
  return figure.goals.map((goal) => {
    const perRound = rounds.map((round) => at(goal.of ?? "drover", round) / at(goal.against, round));
    const value = perRound.some(Number.isNaN) || perRound.length === 0 ? Number.NaN : median(perRound);
    const met = higherIsBetter ? value >= goal.ratio : value <= goal.ratio;
    return { ...goal, value, met, perRound };
  });
}
