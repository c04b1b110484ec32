// The mixed load: `callers` closed-loop lanes (each sends its next call when its last settled), one
// call in HEAVY_EVERY the CPU-bound job and the rest the trivial one; `warmupSeconds` uncounted,
// then `seconds` in which each settled call is timed by its kind. What it shows is whether a fast
// call waits behind a heavy one: a dispatcher that knows which worker is idle sends it there.
import type { Job } from "../dispatch/jobs.ts";
import { type Call, closedLoops, type Latencies, percentiles } from "../dispatch/loop.ts";
import { HEAVY_EVERY } from "./figures.ts";

export interface MixedResult {
  /** The fast calls' latencies, microseconds. */
  readonly latency: Latencies;
  readonly heavy: Latencies;
  readonly fastCalls: number;
  readonly heavyCalls: number;
  /** Calls of both kinds settled in the window, per second of it. */
  readonly callsPerSecond: number;
  /** Every call made, uncounted ones included. */
  readonly total: number;
}

export async function mixedLoad(
  call: Call,
  jobs: { readonly fast: Job; readonly heavy: Job },
  callers: number,
  seconds: number,
  warmupSeconds: number,
  signal?: AbortSignal,
): Promise<MixedResult> {
  const fast: number[] = [];
  const heavy: number[] = [];
  const jobOf = (index: number) => (index % HEAVY_EVERY === 0 ? jobs.heavy : jobs.fast);
  const total = await closedLoops(call, jobOf, callers, { seconds, warmupSeconds, signal }, (job, micros) =>
    (job === jobs.heavy ? heavy : fast).push(micros),
  );
  return {
    latency: percentiles(Float64Array.from(fast)),
    heavy: percentiles(Float64Array.from(heavy)),
    fastCalls: fast.length,
    heavyCalls: heavy.length,
    callsPerSecond: (fast.length + heavy.length) / seconds,
    total,
  };
}
