// The "dispatch pool" section of docs/benchmarks.md: how the figures were made, one table per figure,
// and each goal with its ratio (met or not). Written between markers, so a rerun with --write
// replaces it and leaves the hand-written reading around it alone.
import { type BenchFacts, headLines, spinLine } from "../shared/facts.ts";
import { fixed, ms, perSecond, us } from "../shared/format.ts";
import { figureGoals } from "../shared/results.ts";
import { type Column, figureLines, measuredFigures, targetsTable } from "../shared/section.ts";
import { type Figure, figures, SPIN_MS } from "./figures.ts";
import { type Row, rows, type Sample } from "./results.ts";
import { dispatchTarget, dispatchTargets } from "./targets.ts";

export const DISPATCH_START = "<!-- bench:dispatch:start -->";
export const DISPATCH_END = "<!-- bench:dispatch:end -->";

export interface DispatchFacts extends BenchFacts {
  readonly workers: number;
}

const cpu = (value: number) => (value >= 1000 ? perSecond(value) : fixed(value, 1));
const labelOf = (id: string) => dispatchTarget(id).label;

export function dispatchSection(facts: DispatchFacts, samples: readonly Sample[]): string {
  const lines = [
    ...headLines("bench:dispatch", facts),
    `- ${facts.rounds} round(s); in each, every figure runs its targets in turn (A B A B over the rounds), ` +
      "each target started once and kept up. Figures are medians over the rounds; a goal's ratio is the " +
      "median of each round's own ratio",
    `- ${facts.workers} workers (drones, threads or worker processes) in every pool; one client connection ` +
      "per target (drover/client's `connect({ socket })`), in the bench's own process; every answer checked",
    `- Round trip: ${facts.calls.toLocaleString("en-US")} timed calls a run after 500 untimed; in flight: ` +
      `${facts.seconds} s counted a run after 0.5 s uncounted`,
    spinLine(facts, SPIN_MS),
    "",
    targetsTable(dispatchTargets, samples),
  ];
  for (const figure of measuredFigures(figures, samples))
    lines.push("", ...figurePart(figure, samples, facts));
  return lines.join("\n");
}

function figurePart(figure: Figure, samples: readonly Sample[], facts: DispatchFacts): string[] {
  const ideal = (facts.workers * 1000) / facts.spin.measuredMs;
  const spin = figure.job === "spin";
  const ofIdeal: Column<Row> = ["of ideal", (row) => `${fixed((row.callsPerSecond / ideal) * 100, 0)}%`];
  const columns: Column<Row>[] =
    figure.mode === "sequential"
      ? [
          ["p50 µs", (row) => us(row.p50)],
          ["p99 µs", (row) => us(row.p99)],
        ]
      : [
          ["calls/s", (row) => perSecond(row.callsPerSecond)],
          ...(spin ? [ofIdeal] : []),
          ["p50 ms", (row) => ms(row.p50)],
          ["p99 ms", (row) => ms(row.p99)],
        ];
  columns.push(
    ["server CPU µs/call", (row) => cpu(row.serverCpuUs)],
    ["client CPU µs/call", (row) => cpu(row.clientCpuUs)],
  );
  const latency = figure.measure === "p50";
  return figureLines({
    figure,
    rows: rows(figure, samples),
    columns,
    measureName: latency ? "p50" : "calls/s",
    unit: latency ? " µs" : "",
    roundCell: latency ? us : perSecond,
    goals: figureGoals(figure, samples),
    labelOf,
    notes: spin
      ? [
          `- The ideal: ${facts.workers} workers × 1000 / ${facts.spin.measuredMs.toFixed(1)} ms = ${perSecond(ideal)} calls/s.`,
        ]
      : [],
  });
}
