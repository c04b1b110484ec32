// One measured run: a figure's loop against one target, through that target's caller, with the CPU
// time per call of the target's processes, of the nats-server and of the bench's own process.
import { withCpu } from "../dispatch/cpu.ts";
import { addJob, pauseJob, spinJob } from "../dispatch/jobs.ts";
import { inFlight, sequential } from "../dispatch/loop.ts";
import type { RunSettings } from "../dispatch/measure.ts";
import { type NatsFigure, SPIN_MS, WAIT_MS } from "./figures.ts";
import { mixedLoad } from "./mixed.ts";
import type { NatsSample } from "./results.ts";
import type { RunningNatsTarget } from "./targets.ts";

/** Untimed calls before a sequential run: a tenth of the timed ones, at most 500. */
export const warmupCalls = (calls: number) => Math.min(500, Math.ceil(calls / 10));
/** Uncounted seconds before a mixed or in-flight run: a quarter of the counted ones, at most 0.5. */
export const warmupSeconds = (seconds: number) => Math.min(0.5, seconds / 4);

export async function measureNats(
  figure: NatsFigure,
  targetId: string,
  running: RunningNatsTarget,
  natsPid: number,
  round: number,
  settings: RunSettings,
): Promise<NatsSample> {
  const { call } = running.caller;
  const { signal } = settings;
  const fast = addJob(false);
  const mode = figure.mode;
  const run = async () => {
    if (mode.kind === "sequential")
      return sequential(call, fast, settings.calls, warmupCalls(settings.calls), signal);
    const warmup = warmupSeconds(settings.seconds);
    if (mode.kind === "in-flight") {
      const job = mode.workMs
        ? spinJob(Math.max(1, Math.round((settings.spinIterations * mode.workMs) / SPIN_MS)))
        : fast;
      return inFlight(call, job, mode.concurrency, settings.seconds, warmup, signal);
    }
    const heavy = mode.slow === "wait" ? pauseJob(WAIT_MS) : spinJob(settings.spinIterations);
    return mixedLoad(call, { fast, heavy }, mode.callers, settings.seconds, warmup, signal);
  };
  // The nats-server is a process group of its own: the outer reading is its CPU, the inner the target's.
  const result = await withCpu(natsPid, async () => {
    const inner = await withCpu(running.pid, run);
    return { ...inner, targetCpu: inner.cpu };
  });
  return {
    figure: figure.id,
    target: targetId,
    round,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ...("callsPerSecond" in result ? { callsPerSecond: result.callsPerSecond } : {}),
    ...("heavy" in result ? { heavyP50: result.heavy.p50, heavyCalls: result.heavyCalls } : {}),
    cpu: { targetUs: result.targetCpu.serverUs, natsUs: result.cpu.serverUs, clientUs: result.cpu.clientUs },
  };
}
