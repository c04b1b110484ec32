// The client loops: sequential calls (one at a time, each timed) and a fixed number of calls in flight
// for a fixed time (completions counted), on closed loops that the NATS bench's mixed load shares. All
// check every answer (jobs.ts) and stop early, throwing, when `signal` aborts.
import type { Job } from "./jobs.ts";

/** Sends one call of the job's method; settles with its result. */
export type Call = (method: string, params: unknown) => Promise<unknown>;

export interface Latencies {
  /** Microseconds. */
  readonly p50: number;
  readonly p99: number;
}

export interface SequentialResult {
  /** Timed calls. */
  readonly calls: number;
  /** Every call made, untimed ones included. */
  readonly total: number;
  readonly latency: Latencies;
}

export interface InFlightResult {
  /** Calls completed inside the measured window, per second of it. */
  readonly callsPerSecond: number;
  /** Calls counted. */
  readonly calls: number;
  /** Every call made, uncounted ones included. */
  readonly total: number;
  readonly latency: Latencies;
}

/** The p50 and p99 (nearest rank) of `samples`, which it sorts. */
export function percentiles(samples: Float64Array): Latencies {
  samples.sort();
  const rank = (p: number) => samples[Math.min(samples.length - 1, Math.ceil(p * samples.length) - 1)] ?? NaN;
  return { p50: rank(0.5), p99: rank(0.99) };
}

/** `warmup` untimed calls, then `calls` timed ones, one at a time. */
export async function sequential(
  call: Call,
  job: Job,
  calls: number,
  warmup: number,
  signal?: AbortSignal,
): Promise<SequentialResult> {
  const samples = new Float64Array(calls);
  for (let index = 0; index < warmup + calls; index++) {
    signal?.throwIfAborted();
    const started = performance.now();
    const result = await call(job.method, job.params(index));
    const took = performance.now() - started;
    job.check(result, index);
    if (index >= warmup) samples[index - warmup] = took * 1000;
  }
  return { calls, total: warmup + calls, latency: percentiles(samples) };
}

/**
 * Keeps `concurrency` calls in flight: `warmupSeconds` uncounted, then `seconds` in which completions
 * are counted, with their latencies. Calls still out at the end are awaited (and checked), not counted.
 */
export async function inFlight(
  call: Call,
  job: Job,
  concurrency: number,
  seconds: number,
  warmupSeconds: number,
  signal?: AbortSignal,
): Promise<InFlightResult> {
  const samples: number[] = [];
  const total = await closedLoops(
    call,
    () => job,
    concurrency,
    { seconds, warmupSeconds, signal },
    (_, us) => samples.push(us),
  );
  return {
    callsPerSecond: samples.length / seconds,
    calls: samples.length,
    total,
    latency: percentiles(Float64Array.from(samples)),
  };
}

/**
 * `lanes` closed loops (each sends its next call when its last settled) of call `index` of
 * `jobOf(index)`, `warmupSeconds` uncounted and then `seconds`; `record` gets each call settled in the
 * counted part, with its latency in µs. Resolves with the number of calls made, once all are answered.
 */
export async function closedLoops(
  call: Call,
  jobOf: (index: number) => Job,
  lanes: number,
  { seconds, warmupSeconds, signal }: { seconds: number; warmupSeconds: number; signal?: AbortSignal },
  record: (job: Job, micros: number) => void,
): Promise<number> {
  const measureFrom = performance.now() + warmupSeconds * 1000;
  const measureTo = measureFrom + seconds * 1000;
  let next = 0;
  // The first failure stops every lane; it is thrown once all have returned.
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure) {
      try {
        signal?.throwIfAborted();
        const index = next++;
        const job = jobOf(index);
        const started = performance.now();
        const result = await call(job.method, job.params(index));
        const ended = performance.now();
        job.check(result, index);
        if (ended > measureTo) return;
        // The warm-up ran at the same concurrency, so a call begun in it has a steady-state latency too.
        if (ended >= measureFrom) record(job, (ended - started) * 1000);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure) throw failure.error;
  return next;
}

/** Makes `total` calls, `concurrency` of them in flight at a time; resolves once all are answered. */
export async function countedInFlight(
  call: Call,
  job: Job,
  concurrency: number,
  total: number,
  signal?: AbortSignal,
): Promise<{ readonly total: number }> {
  let next = 0;
  const lane = async () => {
    while (next < total) {
      signal?.throwIfAborted();
      const index = next++;
      job.check(await call(job.method, job.params(index)), index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { total };
}
