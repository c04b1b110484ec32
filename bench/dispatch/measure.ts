// One measured run: a figure's loop against one target, through that target's client connection.
import { withCpu } from "./cpu.ts";
import type { Figure } from "./figures.ts";
import { IN_FLIGHT } from "./figures.ts";
import { addJob, type Job, spinJob } from "./jobs.ts";
import { type Call, inFlight, sequential } from "./loop.ts";
import type { Sample } from "./results.ts";
import type { DispatchTarget } from "./targets.ts";

/** What every run of a figure is given; the NATS bench's too. */
export interface RunSettings {
  /** Timed sequential calls. */
  readonly calls: number;
  /** Measured seconds of a run that counts completions. */
  readonly seconds: number;
  /** Iterations of the CPU-bound call (calibrated to SPIN_MS). */
  readonly spinIterations: number;
  readonly signal?: AbortSignal;
}

export interface MeasureSettings extends RunSettings {
  readonly warmupCalls?: number;
  readonly warmupSeconds?: number;
}

export function jobOf(figure: Figure, target: DispatchTarget, spinIterations: number): Job {
  return figure.job === "add" ? addJob(target.echoes) : spinJob(spinIterations);
}

/**
 * One run of `figure` against `target`, through `call`; `pgid` is the target's process group, whose CPU
 * time the run reads before and after.
 */
export async function measure(
  figure: Figure,
  target: DispatchTarget,
  { call, pgid }: { readonly call: Call; readonly pgid: number },
  round: number,
  settings: MeasureSettings,
): Promise<Sample> {
  const job = jobOf(figure, target, settings.spinIterations);
  const base = { figure: figure.id, target: target.id, round };
  if (figure.mode === "sequential") {
    const warmup = settings.warmupCalls ?? 500;
    const result = await withCpu(pgid, () => sequential(call, job, settings.calls, warmup, settings.signal));
    return { ...base, ...result.latency, cpu: result.cpu };
  }
  const warmup = settings.warmupSeconds ?? 0.5;
  const result = await withCpu(pgid, () =>
    inFlight(call, job, IN_FLIGHT, settings.seconds, warmup, settings.signal),
  );
  return { ...base, ...result.latency, callsPerSecond: result.callsPerSecond, cpu: result.cpu };
}
