// Turns the runs into one row per target and workload: the median of each measure over the rounds,
// every error of every round added up, and the ratios to the baseline target.
import type { Errors, Latency } from "../load/result.ts";
import type { RunRecord } from "../measure.ts";

export interface Row {
  readonly target: string;
  readonly workload: string;
  /** Rounds that produced a result, and rounds that failed. */
  readonly rounds: number;
  readonly failedRounds: number;
  readonly requestsPerSecond: number;
  readonly latency: Latency;
  readonly heavy?: Latency;
  /** Summed over all rounds. */
  readonly errors: Errors;
  /** requests/s divided by the baseline's; undefined when either is missing. */
  readonly throughputRatio?: number;
  /** p99 latency divided by the baseline's (fast requests in `mixed`). */
  readonly p99Ratio?: number;
}

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const high = sorted[middle] as number;
  return sorted.length % 2 === 1 ? high : ((sorted[middle - 1] as number) + high) / 2;
}

function medianLatency(latencies: readonly Latency[]): Latency {
  return {
    p50: median(latencies.map((l) => l.p50)),
    p99: median(latencies.map((l) => l.p99)),
    p999: median(latencies.map((l) => l.p999)),
    max: median(latencies.map((l) => l.max)),
  };
}

function sumErrors(all: readonly Errors[]): Errors {
  const total = { connect: 0, read: 0, write: 0, timeout: 0, status: 0 };
  for (const errors of all) {
    for (const key of Object.keys(total) as (keyof Errors)[]) total[key] += errors[key];
  }
  return total;
}

/** One row per (workload, target) in the order given, with ratios against `baseline`. */
export function summarize(
  records: readonly RunRecord[],
  workloads: readonly string[],
  targets: readonly string[],
  baseline: string,
): Row[] {
  const rows: Row[] = [];
  for (const workload of workloads) {
    const unrated = targets.map((target) => {
      const runs = records.filter((r) => r.workload === workload && r.target === target);
      const results = runs.flatMap((r) => (r.result ? [r.result] : []));
      const heavies = results.flatMap((r) => (r.heavy ? [r.heavy.latency] : []));
      return {
        target,
        workload,
        rounds: results.length,
        failedRounds: runs.length - results.length,
        requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
        latency: medianLatency(results.map((r) => r.latency)),
        ...(heavies.length > 0 ? { heavy: medianLatency(heavies) } : {}),
        errors: sumErrors(results.map((r) => r.errors)),
      };
    });
    const base = unrated.find((row) => row.target === baseline);
    for (const row of unrated) {
      rows.push({
        ...row,
        throughputRatio: ratio(row.requestsPerSecond, base?.requestsPerSecond),
        p99Ratio: ratio(row.latency.p99, base?.latency.p99),
      });
    }
  }
  return rows;
}

function ratio(value: number, base: number | undefined): number | undefined {
  if (base === undefined || !Number.isFinite(value) || !Number.isFinite(base) || base <= 0) return undefined;
  return value / base;
}
