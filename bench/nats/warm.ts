// Before the first round: every worker of a target answers (all its drones or responders are up and
// subscribed), and every drone has its own NATS connection up, so that results travel the measured
// path (the drone publishes them) and not the fallback through the master.
import { setTimeout as delay } from "node:timers/promises";
import { waitFor } from "../../test/harness/wait.ts";
import type { RunningNats } from "../../test/support/nats-server.ts";
import type { Call } from "../dispatch/loop.ts";
import { DRONE_CONCURRENCY } from "./targets.ts";

/**
 * Bursts of calls that each hold their worker a little, until `workers` distinct ones answered: more
 * than one drone of droneConcurrency 8 takes at once (the idle stack fills the warmest first), and
 * enough that NATS's random choice in a queue group reaches every member. Smaller than the dispatch
 * bench's waitForWorkers: these hold a core for 5 ms each, and the bench's test runs this too.
 */
export async function waitForNatsWorkers(call: Call, workers: number, timeoutMs = 30_000): Promise<string[]> {
  const seen = new Set<string>();
  const deadline = performance.now() + timeoutMs;
  const burst = workers === 1 ? 1 : DRONE_CONCURRENCY * (workers - 1) + 9;
  while (seen.size < workers) {
    if (performance.now() > deadline) {
      throw new Error(`only ${seen.size} of ${workers} workers answered within ${timeoutMs} ms`);
    }
    const answers = await Promise.all(Array.from({ length: burst }, () => call("who", { holdMs: 5 })));
    for (const id of answers) seen.add(String(id));
    if (seen.size < workers) await delay(50);
  }
  return [...seen];
}

export async function waitForDronesOnNats(nats: RunningNats, drones: number): Promise<void> {
  await waitFor(
    `${drones} drones connected to NATS`,
    async () => (await nats.connections()).filter((c) => /^drover drone/.test(c.name ?? "")).length >= drones,
    30_000,
  );
}
