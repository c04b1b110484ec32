// shutdownDelay: on a graceful stop the children keep accepting that long first, so that a load
// balancer can take the server out of its list before connections are refused (the Kubernetes
// pattern); then they drain as usual.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { httpGet, startDrover } from "../support/drover.ts";
import { connectionRefused, SLEEPY_APP } from "../support/lifecycle.ts";

it("a graceful stop keeps accepting for shutdownDelay, then refuses and exits 0", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({
    app: SLEEPY_APP,
    config: { startServers: 1, workersPerChild: 4, minSpareWorkers: 1, shutdownDelay: "2s" },
  });
  t.after(() => drover.stop());
  process.kill(drover.proc.pid, "SIGTERM");
  await waitFor("the master to say it keeps accepting", () =>
    drover.proc.output().includes("graceful stop: still accepting for shutdownDelay"),
  );
  const stopAsked = Date.now();
  // Inside the delay a new connection is served as usual.
  assert.equal((await httpGet(drover.port, "/")).status, 200);
  assert.ok(Date.now() - stopAsked < 2_000, "that request was answered within the delay");
  await waitFor("connections refused once the delay is over", () => connectionRefused(drover.port), 10_000);
  assert.ok(Date.now() - stopAsked >= 1_500, "not before the delay");
  assert.deepEqual(await drover.proc.waitForExit(20_000), { code: 0, signal: null });
});
