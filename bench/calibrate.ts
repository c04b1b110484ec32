// Calibrates the `mixed` app's heavy request once per bench run: finds the iteration count of burn()
// that takes about `targetMs` of CPU on this machine, here and now. The servers then run that fixed count, so
// a heavy request is a fixed amount of work that a loaded server finishes late, not early.
import { burn } from "./apps/burn.ts";

export interface Calibration {
  readonly targetMs: number;
  readonly iterations: number;
  /** Median CPU time of `iterations` at the end of calibration. */
  readonly measuredMs: number;
}

// CPU time, not wall time: other work on a shared machine delays the loop but does not make it cost more.
function medianMs(iterations: number, trials: number): number {
  const times: number[] = [];
  let sink = 0;
  for (let i = 0; i < trials; i++) {
    const before = process.cpuUsage();
    sink ^= burn(iterations, i + 1);
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / 1000);
  }
  // Keep the result alive so the loop cannot be optimised away.
  if (sink === 0.5) console.log(sink);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/** Measures burn() and returns the iteration count for about `targetMs` of CPU. */
export function calibrateHeavy(targetMs: number): Calibration {
  medianMs(1_000_000, 5); // warm up: let the JIT optimise burn() before timing it
  const probe = 2_000_000;
  let iterations = Math.max(1, Math.round((targetMs / medianMs(probe, 7)) * probe));
  // One correction pass at full size, where the loop's fixed costs no longer matter.
  iterations = Math.max(1, Math.round((targetMs / medianMs(iterations, 7)) * iterations));
  return { targetMs, iterations, measuredMs: medianMs(iterations, 7) };
}
