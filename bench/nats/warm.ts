// Before the first round: every worker of a target answers (all its drones or responders are up and
// subscribed), and every drone has its own NATS connection up, so that results travel the measured
// path (the drone publishes them) and not the fallback through the master.
import { waitFor } from "../../test/harness/wait.ts";
import type { RunningNats } from "../../test/support/nats-server.ts";
import { waitForWorkers } from "../dispatch/caller.ts";
import type { Call } from "../dispatch/loop.ts";
import { DRONE_CONCURRENCY } from "./targets.ts";

/**
 * waitForWorkers with bursts more than one drone of droneConcurrency 8 takes at once (the idle stack
 * fills the warmest first), and enough that NATS's random choice in a queue group reaches every member.
 * Smaller than the dispatch bench's: these hold a core for 5 ms each, and the bench's test runs this too.
 */
export const waitForNatsWorkers = (call: Call, workers: number): Promise<string[]> =>
  waitForWorkers(call, workers, 30_000, {
    burst: workers === 1 ? 1 : DRONE_CONCURRENCY * (workers - 1) + 9,
    holdMs: 5,
  });

export async function waitForDronesOnNats(nats: RunningNats, drones: number): Promise<void> {
  await waitFor(
    `${drones} drones connected to NATS`,
    async () => (await nats.connections()).filter((c) => /^drover drone/.test(c.name ?? "")).length >= drones,
    30_000,
  );
}
