// The parts of a figure bench's section that both benches lay out alike: the table of the targets
// measured, and each figure's title, table (a row per target, its measure of each round last) and goals.
import { markdownTable } from "../report/markdown.ts";
import { fixed, verdict } from "./format.ts";
import type { GoalResult, RowBase, SampleBase } from "./results.ts";

type Sampled = Pick<SampleBase, "figure" | "target">;

interface Described {
  readonly id: string;
  readonly label: string;
  readonly description: string;
}

/** The figures that have a sample, in their order. */
export const measuredFigures = <F extends { readonly id: string }>(
  figures: readonly F[],
  samples: readonly Sampled[],
) => figures.filter((figure) => samples.some((sample) => sample.figure === figure.id));

/** The targets that have a sample, in the order of `targets`. */
export function targetsTable(targets: readonly Described[], samples: readonly Sampled[]): string {
  const measured = new Set(samples.map((sample) => sample.target));
  return markdownTable(
    ["target", "how it runs"],
    targets.filter((target) => measured.has(target.id)).map((target) => [target.label, target.description]),
  );
}

/** A column between the target and its rounds: the header, and the cell of a row. */
export type Column<R> = readonly [string, (row: R) => string];

export interface FigurePart<R extends RowBase> {
  readonly figure: { readonly title: string; readonly what: string; readonly measure: string };
  readonly rows: readonly R[];
  readonly columns: readonly Column<R>[];
  /** The measure in the goal lines ("p50") and, with `unit` (" µs"), over the rounds' column. */
  readonly measureName: string;
  readonly unit: string;
  readonly roundCell: (value: number) => string;
  readonly goals: readonly GoalResult[];
  readonly labelOf: (id: string) => string;
  /** Lines after the goals'. */
  readonly notes?: readonly string[];
}

export function figureLines<R extends RowBase>(part: FigurePart<R>): string[] {
  const { figure, columns, labelOf } = part;
  const table = markdownTable(
    ["target", ...columns.map(([header]) => header), `${part.measureName}${part.unit} of each round`],
    part.rows.map((row) => [
      labelOf(row.target),
      ...columns.map(([, cell]) => cell(row)),
      row.rounds.map(part.roundCell).join(", "),
    ]),
    ["left", ...columns.map(() => "right" as const), "left"],
  );
  const better = figure.measure === "callsPerSecond" ? "≥" : "≤";
  const goalLines = part.goals.map(
    (goal) =>
      `- ${labelOf(goal.of ?? "drover")}: ${part.measureName} **${fixed(goal.value, 2)}×** ${labelOf(goal.against)}'s ` +
      `(goal ${better} ${goal.ratio}×: **${verdict(goal)}**); each round: ${goal.perRound.map((r) => fixed(r, 2)).join(", ")}`,
  );
  const what = figure.what.charAt(0).toUpperCase() + figure.what.slice(1);
  return [`#### ${figure.title}`, "", `${what}.`, "", table, "", ...goalLines, ...(part.notes ?? [])];
}
