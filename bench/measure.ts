// One measured run: start a target serving the workload's app, wait until every worker answers, warm up
// with un-measured load, measure, and stop the target in `finally`, whatever happened.

import { freePort } from "../test/harness/ports.ts";
import type { Calibration } from "./calibrate.ts";
import type { Generator } from "./load/generator.ts";
import type { LoadResult } from "./load/result.ts";
import { waitForWorkers } from "./process/ready.ts";
import type { Target } from "./targets/target.ts";
import type { Workload } from "./workloads/workload.ts";

export interface RunSettings {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly timeoutSeconds: number;
  readonly workers: number;
  readonly generator: Generator;
  readonly calibration: Calibration;
  /** Environment entries every process the bench starts carries (the leftover marker). */
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
}

export interface RunRecord {
  readonly round: number;
  readonly target: string;
  readonly workload: string;
  /** Distinct server pids that answered before the run started. */
  readonly workersSeen: number;
  readonly result?: LoadResult;
  /** Why the run produced no result. */
  readonly failure?: string;
}

const READY_TIMEOUT_MS = 20_000;

/** Runs `workload` against `target` once; a failure is recorded, not thrown (except an abort). */
export async function measure(
  target: Target,
  workload: Workload,
  round: number,
  settings: RunSettings,
): Promise<RunRecord> {
  const base = { round, target: target.id, workload: workload.id };
  const port = await freePort();
  const env = {
    ...process.env,
    ...settings.env,
    BENCH_APP: workload.app,
    BENCH_PORT: String(port),
    BENCH_WORKERS: String(settings.workers),
    BENCH_HEAVY_ITERATIONS: String(settings.calibration.iterations),
  };
  let running: Awaited<ReturnType<Target["start"]>> | undefined;
  try {
    running = await target.start({ app: workload.app, port, workers: settings.workers, env });
    const alive = running;
    const pids = await waitForWorkers(port, alive.workers, READY_TIMEOUT_MS, () => alive.isDead());
    if (pids.length < alive.workers) {
      console.warn(
        `  ${target.id}: only ${pids.length} of ${alive.workers} workers answered; measuring anyway`,
      );
    }
    const load = (durationSeconds: number) =>
      workload.run({
        port,
        connections: settings.connections,
        durationSeconds,
        timeoutSeconds: settings.timeoutSeconds,
        generator: settings.generator,
        signal: settings.signal,
        ...(alive.reload ? { reload: () => alive.reload?.() ?? Promise.resolve() } : {}),
      });
    if (settings.warmupSeconds > 0) await load(settings.warmupSeconds);
    const result = await load(settings.durationSeconds);
    if (alive.isDead()) throw new Error("the target died during the run");
    return { ...base, workersSeen: pids.length, result };
  } catch (error) {
    if (settings.signal.aborted) throw error;
    const output = running?.output().trim();
    const failure = `${(error as Error).message}${output ? `\n${output.slice(-2_000)}` : ""}`;
    return { ...base, workersSeen: 0, failure };
  } finally {
    await running?.stop();
  }
}
