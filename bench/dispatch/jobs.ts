// What a measured run calls, and the answer each call must get back: a wrong answer fails the run,
// so a target that is fast because it is broken never makes it into a table.
import { isDeepStrictEqual } from "node:util";
import { burn } from "../apps/burn.ts";
import type { MethodName } from "./work.ts";

export interface Job {
  readonly method: MethodName;
  params(index: number): unknown;
  /** Throws, naming the call, unless `result` is what call `index` should return. */
  check(result: unknown, index: number): void;
}

function job(method: MethodName, params: (index: number) => unknown, expected: (index: number) => unknown) {
  return {
    method,
    params,
    check(result: unknown, index: number) {
      const want = expected(index);
      if (result !== want && !isDeepStrictEqual(result, want)) {
        throw new Error(
          `call ${index} of ${method} answered ${JSON.stringify(result)}, not ${JSON.stringify(want)}`,
        );
      }
    },
  } satisfies Job;
}

/** `add {a, b}` with different numbers each call (an echo target answers with the params themselves). */
export function addJob(echoes: boolean): Job {
  const params = (index: number) => ({ a: index, b: index % 1000 });
  return job("add", params, echoes ? params : (index) => index + (index % 1000));
}

/** A wait of `ms` in the worker, using no CPU. */
export function pauseJob(ms: number): Job {
  return job(
    "pause",
    () => ({ ms }),
    () => ms,
  );
}

/** The fixed CPU work of `iterations` rounds; its answer is worked out once, here. */
export function spinJob(iterations: number): Job {
  const seed = 0x2545f491;
  const answer = burn(iterations, seed);
  return job(
    "spin",
    () => ({ iterations, seed }),
    () => answer,
  );
}
