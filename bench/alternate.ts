// The run order: every round runs every workload against every target in turn (A B C ..., then again
// next round), so slow drift on a shared machine (other jobs, heat, page cache) falls on all targets
// alike instead of on whichever ran last.
import { measure, type RunRecord, type RunSettings } from "./measure.ts";
import type { Target } from "./targets/target.ts";
import type { Workload } from "./workloads/workload.ts";

/** Runs rounds x workloads x targets, reporting progress on stderr; returns every run's record. */
export async function alternate(
  targets: readonly Target[],
  workloads: readonly Workload[],
  rounds: number,
  settings: RunSettings,
): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const total = rounds * workloads.length * targets.length;
  for (let round = 1; round <= rounds; round++) {
    for (const workload of workloads) {
      for (const target of targets) {
        if (workload.needsReload && !target.reloadable) continue;
        settings.signal.throwIfAborted();
        const record = await measure(target, workload, round, settings);
        records.push(record);
        console.error(
          `[${records.length}/${total}] round ${round} ${workload.id} ${target.id}: ${describe(record)}`,
        );
      }
    }
  }
  return records;
}

function describe(record: RunRecord): string {
  const result = record.result;
  if (!result) return `FAILED: ${record.failure ?? "unknown"}`;
  const errors = Object.values(result.errors).reduce((sum, n) => sum + n, 0);
  return `${Math.round(result.requestsPerSecond)} req/s, p99 ${result.latency.p99.toFixed(2)} ms, ${errors} errors`;
}
