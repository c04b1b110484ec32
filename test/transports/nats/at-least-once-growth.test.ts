// delivery: "at-least-once" grows the pool for calls waiting in the stream: a master pulls only as
// many calls as it has idle drones, so its backlog stays empty, and the calls that wait in JetStream
// are what starts drones, up to maxDrones.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitFor } from "../../harness/wait.ts";
import { startNats } from "../../support/nats-server.ts";
import { atLeastOnceClient, startAtLeastOnceHost } from "./support.ts";

it("starts drones for the calls waiting in the stream, up to maxDrones", { timeout: 90_000 }, async (t) => {
  const nats = await startNats({ jetstream: true });
  t.after(() => nats.stop());
  const host = await startAtLeastOnceHost(nats, { minDrones: 1, maxDrones: 3 });
  t.after(() => host.stop());
  const client = await atLeastOnceClient(nats);
  t.after(() => client.close());

  const release = join(host.marks, "release");
  const calls = Array.from({ length: 4 }, () =>
    client.service("math").call("waitFor", { file: release }, { timeout: "60s" }),
  );
  await waitFor("three drones, each running a call", async () => {
    const service = (await host.status()).services[0];
    return service?.drones === 3 && service.startingDrones === 0 && service.idleDrones === 0;
  });
  assert.equal(
    (await host.status()).services[0]?.nats,
    "pulling",
    "drover status says where its calls come from",
  );
  writeFileSync(release, "");
  const pids = (await Promise.all(calls)) as number[];
  assert.equal(new Set(pids).size, 3, `the calls ran on three drones: ${pids.join(", ")}`);
});
