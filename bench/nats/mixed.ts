// The mixed load: `callers` closed-loop lanes (each sends its next call when its last settled), one
// call in HEAVY_EVERY the CPU-bound job and the rest the trivial one; `warmupSeconds` uncounted,
// then `seconds` in which each settled call is timed by its kind. What it shows is whether a fast
// call waits behind a heavy one: a dispatcher that knows which worker is idle sends it there.
import type { Job } from "../dispatch/jobs.ts";
import { type Call, type Latencies, percentiles } from "../dispatch/loop.ts";
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
  const measureFrom = performance.now() + warmupSeconds * 1000;
  const measureTo = measureFrom + seconds * 1000;
  const fast: number[] = [];
  const heavy: number[] = [];
  let next = 0;
  // The first failure stops every lane; it is thrown once all have returned.
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure) {
      try {
        signal?.throwIfAborted();
        const index = next++;
        const job = index % HEAVY_EVERY === 0 ? jobs.heavy : jobs.fast;
        const started = performance.now();
        const result = await call(job.method, job.params(index));
        const ended = performance.now();
        job.check(result, index);
        if (ended > measureTo) return;
        if (ended >= measureFrom) (job === jobs.heavy ? heavy : fast).push((ended - started) * 1000);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: callers }, lane));
  if (failure) throw failure.error;
  return {
    latency: percentiles(Float64Array.from(fast)),
    heavy: percentiles(Float64Array.from(heavy)),
    fastCalls: fast.length,
    heavyCalls: heavy.length,
    callsPerSecond: (fast.length + heavy.length) / seconds,
    total: next,
  };
}
