// What the figure benches (bench:dispatch, bench:nats) make of their samples, one per figure, target
// and round: a figure's table rows (medians over the rounds) and its goals' ratios (the median of each
// round's own ratio: targets a few seconds apart share the machine's mood, rounds a minute apart may not).
import { median } from "../report/summary.ts";

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

export interface SampleKey {
  readonly figure: string;
  readonly target: string;
  readonly round: number;
}

export interface FigureKey {
  readonly id: string;
  readonly targets: readonly string[];
  /** What its goals compare: calls/s (higher is better) or a latency (lower is better). */
  readonly measure: string;
  readonly goals: readonly Goal[];
}

/** The median over a target's samples of one value; a sample without it counts as NaN. */
export type MedianOf<S> = (value: (sample: S) => number | undefined) => number;

/**
 * One row per target of `figure`, in its order: the `cells` a target's samples give, with its target
 * and the figure's measure of each round.
 */
export function figureRows<S extends SampleKey, R>(
  figure: FigureKey,
  samples: readonly S[],
  measureOf: (sample: S) => number,
  cells: (of: MedianOf<S>) => R,
): (R & { readonly target: string; readonly rounds: readonly number[] })[] {
  return figure.targets.map((target) => {
    const own = samples.filter((s) => s.figure === figure.id && s.target === target);
    const of: MedianOf<S> = (value) => median(own.map((s) => value(s) ?? Number.NaN));
    return { target, ...cells(of), rounds: own.map(measureOf) };
  });
}

export function figureGoals<S extends SampleKey>(
  figure: FigureKey,
  samples: readonly S[],
  measureOf: (sample: S) => number,
): GoalResult[] {
  const inFigure = samples.filter((s) => s.figure === figure.id);
  const rounds = [...new Set(inFigure.map((s) => s.round))].sort((a, b) => a - b);
  const at = (target: string, round: number) => {
    const sample = inFigure.find((s) => s.target === target && s.round === round);
    return sample ? measureOf(sample) : Number.NaN;
  };
  const higherIsBetter = figure.measure === "callsPerSecond";
  return figure.goals.map((goal) => {
    const perRound = rounds.map((round) => at(goal.of ?? "drover", round) / at(goal.against, round));
    const value = perRound.some(Number.isNaN) || perRound.length === 0 ? Number.NaN : median(perRound);
    const met = higherIsBetter ? value >= goal.ratio : value <= goal.ratio;
    return { ...goal, value, met, perRound };
  });
}
