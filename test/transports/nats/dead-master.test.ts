// A host's master SIGKILLed under calls from NATS: its drones publish to their callers themselves, so a
// call that ends within their grace is answered with its result, and one still running when they stop
// is answered with DRONE_EXITED at once, whether or not it heeds its signal, instead of leaving its
// caller to its own deadline. Then the drones exit. A call that came through JetStream is left to it:
// it is delivered again, so the drones publish no failure for it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { rejection } from "../../dispatch/support.ts";
import { waitForPidsGone } from "../../harness/process.ts";
import { waitFor } from "../../harness/wait.ts";
import { startNats } from "../../support/nats-server.ts";
import { atLeastOnceClient, natsClient, startAtLeastOnceHost, startNatsHost } from "./support.ts";

it("answers a dead master's NATS calls from its drones: results that came in time, DRONE_EXITED for the rest", {
  timeout: 90_000,
}, async (t) => {
  const nats = await startNats();
  t.after(() => nats.stop());
  const host = await startNatsHost(nats, { minDrones: 3, maxDrones: 3 });
  t.after(() => host.stop());
  const cleanups: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  const client = await natsClient(nats, (fn) => cleanups.push(fn));
  const drones = (await host.status()).services.flatMap((s) => s.droneProcesses.map((d) => d.pid));
  assert.equal(drones.length, 3);

  const math = client.service("math");
  const { marks } = host;
  const timeout = "60s";
  const quick = math.call("sleep", { ms: 600, dir: marks, tag: "quick" }, { timeout });
  const deaf = rejection(math.call("deaf", { ms: 30_000, dir: marks, tag: "deaf" }, { timeout }));
  const heeding = rejection(math.call("sleep", { ms: 30_000, dir: marks, tag: "heeding" }, { timeout }));
  const started = () => {
    try {
      return readFileSync(join(marks, "started"), "utf8").trim().split("\n");
    } catch {
      return [];
    }
  };
  await waitFor("the three calls running", () => started().length === 3);
  const killedAt = Date.now();
  process.kill(host.proc.pid, "SIGKILL");

  assert.ok(drones.includes((await quick) as number), "the call that ended within the grace has its result");
  for (const failure of [await deaf, await heeding]) {
    assert.equal(failure.code, "DROVER_ERR_DRONE_EXITED", failure.message);
    assert.match(failure.message, /the master of the host running "(deaf|sleep)" died/);
  }
  assert.ok(Date.now() - killedAt < 30_000, "answered by the drones, not left to the callers' 60 s deadline");
  await waitForPidsGone(drones, 10_000);
});

it("leaves a dead master's at-least-once calls to JetStream: its drones publish no failure for them", {
  timeout: 90_000,
}, async (t) => {
  const nats = await startNats({ jetstream: true });
  t.after(() => nats.stop());
  const host = await startAtLeastOnceHost(nats, { minDrones: 1, maxDrones: 1 });
  t.after(() => host.stop());
  const client = await atLeastOnceClient(nats);
  t.after(() => client.close());
  const drones = (await host.status()).services.flatMap((s) => s.droneProcesses.map((d) => d.pid));
  const deaf = rejection(
    client.service("math").call("deaf", { ms: 30_000, dir: host.marks, tag: "deaf" }, { timeout: "4s" }),
  );
  await waitFor("the call running", () => {
    try {
      return readFileSync(join(host.marks, "started"), "utf8").includes("deaf");
    } catch {
      return false;
    }
  });
  process.kill(host.proc.pid, "SIGKILL");
  await waitForPidsGone(drones, 10_000);
  // Unacked, it waits in the stream to be delivered again; no host is left, so its caller's budget ends.
  const failure = await deaf;
  assert.equal(failure.code, "DROVER_ERR_DISPATCH_TIMEOUT", failure.message);
});
