// Markdown tables of the summary: one per workload.
import { type Errors, totalErrors } from "../load/result.ts";
import { markdownTable } from "./markdown.ts";
import type { Row } from "./summary.ts";

const number = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const ms = (value: number) => number(value, value >= 100 ? 0 : 2);
const times = (value: number | undefined) => (value === undefined ? "–" : `${value.toFixed(2)}×`);

/** "0", or the total with its classes: "12 (read 10, timeout 2)". */
export function formatErrors(errors: Errors): string {
  const total = totalErrors(errors);
  if (total === 0) return "0";
  const parts = (Object.entries(errors) as [keyof Errors, number][])
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind === "status" ? "non-2xx" : kind} ${count}`);
  return `${total} (${parts.join(", ")})`;
}

/** The table for one workload; `labels` maps target ids to their display names. */
export function workloadTable(
  rows: readonly Row[],
  labels: ReadonlyMap<string, string>,
  mixed: boolean,
): string {
  const header = mixed
    ? [
        "target",
        "req/s",
        "req/s vs baseline",
        "fast p50 ms",
        "fast p99 ms",
        "fast p99.9 ms",
        "fast p99 vs baseline",
        "heavy p50 ms",
        "heavy p99 ms",
        "errors",
      ]
    : ["target", "req/s", "req/s vs baseline", "p50 ms", "p99 ms", "p99.9 ms", "p99 vs baseline", "errors"];
  const cells = rows.map((row) => {
    const failed = row.failedRounds > 0 ? ` (${row.failedRounds} run(s) failed)` : "";
    return [
      `${labels.get(row.target) ?? row.target}${failed}`,
      number(row.requestsPerSecond, 0),
      times(row.throughputRatio),
      ms(row.latency.p50),
      ms(row.latency.p99),
      ms(row.latency.p999),
      times(row.p99Ratio),
      ...(mixed ? [ms(row.heavy?.p50 ?? Number.NaN), ms(row.heavy?.p99 ?? Number.NaN)] : []),
      formatErrors(row.errors),
    ];
  });
  return markdownTable(header, cells, ["left", ...header.slice(1).map(() => "right" as const)]);
}
