// The "dispatch pool over NATS" section of docs/benchmarks.md: how the figures were made, one table
// per figure, each goal with its ratio (met or not), and what the figures mean: for a goal missed,
// where drover's CPU per call went against its peer's. Written between markers of its own, so a rerun
// with --write replaces it and leaves the hand-written reading around it alone.
import { type BenchFacts, headLines, spinLine } from "../shared/facts.ts";
import { fixed, ms, perSecond, us } from "../shared/format.ts";
import { figureGoals, type GoalResult } from "../shared/results.ts";
import { type Column, figureLines, measuredFigures, targetsTable } from "../shared/section.ts";
import { type NatsFigure, natsFigures, SPIN_MS } from "./figures.ts";
import { warmupCalls, warmupSeconds } from "./measure.ts";
import { type NatsRow, type NatsSample, natsRows } from "./results.ts";
import { labelOf, natsTargets } from "./targets.ts";
import { whatItMeans } from "./verdicts.ts";

export const NATS_START = "<!-- bench:nats:start -->";
export const NATS_END = "<!-- bench:nats:end -->";

export interface NatsFacts extends BenchFacts {
  readonly natsServerVersion: string;
}

export function natsSection(facts: NatsFacts, samples: readonly NatsSample[]): string {
  const lines = [
    ...headLines("bench:nats", facts, [facts.natsServerVersion]),
    `- ${facts.rounds} round(s) after one untimed; in each, every figure runs its targets in turn (A B A B over ` +
      "the rounds), each target started once and kept up, all on one nats-server on 127.0.0.1 that the bench " +
      "started. Figures are medians over the rounds; a goal's ratio is the median of each round's own ratio",
    `- Round trip: ${facts.calls.toLocaleString("en-US")} timed calls a run after ${warmupCalls(facts.calls)} untimed; ` +
      `mixed and in flight: ${facts.seconds} s counted a run after ${warmupSeconds(facts.seconds)} s uncounted; every answer checked`,
    spinLine(facts, SPIN_MS),
    "- CPU µs/call: from `/proc/<pid>/task/*/schedstat`, over the whole run (untimed calls included): the " +
      "target's process group, the nats-server, and the bench's own process (the client)",
    "",
    targetsTable(natsTargets, samples),
  ];
  const results: { figure: NatsFigure; rows: NatsRow[]; goals: GoalResult[] }[] = [];
  for (const figure of measuredFigures(natsFigures, samples)) {
    const rows = natsRows(figure, samples);
    const goals = figureGoals(figure, samples);
    results.push({ figure, rows, goals });
    lines.push("", ...figurePart(figure, rows, goals));
  }
  lines.push("", "#### What the figures mean", "", ...whatItMeans(results));
  return lines.join("\n");
}

function figurePart(figure: NatsFigure, rows: readonly NatsRow[], goals: readonly GoalResult[]): string[] {
  const kind = figure.mode.kind;
  const columns: Column<NatsRow>[] =
    kind === "sequential"
      ? [
          ["p50 µs", (row) => us(row.p50)],
          ["p99 µs", (row) => us(row.p99)],
        ]
      : kind === "mixed"
        ? [
            ["fast p50 ms", (row) => ms(row.p50)],
            ["fast p99 ms", (row) => ms(row.p99)],
            ["heavy p50 ms", (row) => ms(row.heavyP50)],
            ["calls/s", (row) => perSecond(row.callsPerSecond)],
          ]
        : [
            ["calls/s", (row) => perSecond(row.callsPerSecond)],
            ["p50 ms", (row) => ms(row.p50)],
            ["p99 ms", (row) => ms(row.p99)],
          ];
  const cpu = (value: number) => fixed(value, value >= 1000 ? 0 : 1);
  columns.push(
    ["target CPU µs/call", (row) => cpu(row.targetCpuUs)],
    ["nats-server CPU µs/call", (row) => cpu(row.natsCpuUs)],
    ["client CPU µs/call", (row) => cpu(row.clientCpuUs)],
  );
  const rate = figure.measure === "callsPerSecond";
  return figureLines({
    figure,
    rows,
    columns,
    measureName: { p50: "p50", p99: "fast p99", callsPerSecond: "calls/s" }[figure.measure],
    unit: rate ? "" : kind === "mixed" ? " ms" : " µs",
    roundCell: rate ? perSecond : kind === "mixed" ? ms : us,
    goals,
    labelOf,
  });
}
