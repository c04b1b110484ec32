// Before the first round: every drone has its own NATS connection up, so that results travel the
// measured path (the drone publishes them) and not the fallback through the master.
import { waitFor } from "../../test/harness/wait.ts";
import type { RunningNats } from "../../test/support/nats-server.ts";

export async function waitForDronesOnNats(nats: RunningNats, drones: number): Promise<void> {
  await waitFor(
    `${drones} drones connected to NATS`,
    async () => (await nats.connections()).filter((c) => /^drover drone/.test(c.name ?? "")).length >= drones,
    30_000,
  );
}
