// The `burn` service of the offload targets: the `mixed` app's heavy work, run in a drone of the
// dispatch pool instead of the HTTP child. The iteration count comes from BENCH_HEAVY_ITERATIONS, as
// for the other bench apps (drones inherit the master's environment).
import { defineService } from "../../src/service/define.ts";
import { burn } from "./burn.ts";

/** The service's name in the offload targets' config. */
export const BURN_SERVICE = "burn";

const iterations = heavyIterations(process.env.BENCH_HEAVY_ITERATIONS);

export default defineService({
  methods: {
    /** The same fixed work as `/heavy` of the `mixed` app; `seed` varies it so nothing is cached. */
    burn: ({ seed }: { seed: number }) => burn(iterations, seed),
  },
});

function heavyIterations(value: string | undefined): number {
  const count = Number(value ?? "0");
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new Error(
      `burn service: BENCH_HEAVY_ITERATIONS must be a whole number of loop rounds, got "${value}"`,
    );
  }
  return count;
}
