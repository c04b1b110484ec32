// The methods every target runs, the same code in a drover drone, a piscina thread and a workerpool
// process: a trivial one, a fixed amount of CPU work, a wait (as for a database or another service),
// and one that says which worker answered.
import { threadId } from "node:worker_threads";
import { burn } from "../apps/burn.ts";

export interface AddParams {
  readonly a: number;
  readonly b: number;
}

export interface BurnParams {
  /** Rounds of the xorshift loop of bench/apps/burn.ts: calibrated by the runner to about 10 ms. */
  readonly iterations: number;
  readonly seed: number;
}

export interface WhoParams {
  /** Holds the worker this long (wall clock), so that calls sent together reach different workers. */
  readonly holdMs: number;
}

export const add = ({ a, b }: AddParams): number => a + b;

/** The loop's last value: the caller checks it against its own run of burn(). */
export const spin = ({ iterations, seed }: BurnParams): number => burn(iterations, seed);

/** Waits `ms` without using the CPU, and answers it. */
export const pause = ({ ms }: { readonly ms: number }): Promise<number> =>
  new Promise((resolve) => setTimeout(() => resolve(ms), ms));

/** "pid" in a process, "pid/thread" in a worker thread: the worker that answered. */
export const who = ({ holdMs }: WhoParams): string => {
  const end = performance.now() + holdMs;
  while (performance.now() < end) {}
  return threadId === 0 ? String(process.pid) : `${process.pid}/${threadId}`;
};

export const methods = { add, spin, pause, who };
export type MethodName = keyof typeof methods;
