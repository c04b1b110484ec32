// How a drone leaves. quiesce: its records show G, it takes no new call (DROVER_ERR_STOPPING), lets
// the running ones finish (or aborts their signals at the deadline), ends its sessions with "drain",
// runs childExit and exits 0. exit: the same without waiting. A master gone: it exits on its own. An
// uncaught exception: its answers cannot be trusted; it sends none and exits EXIT_CHILD_CRASHED.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { deserialize } from "node:v8";
import { Kind } from "../../src/dispatch/wire/messages.ts";
import { EXIT_CHILD_CRASHED } from "../../src/protocol/exit-codes.ts";
import { ProcessState, WorkerState } from "../../src/scoreboard/index.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { errorOf, readyDrone, resultOf } from "./test-drone.ts";

const MODULE = new URL("./fixtures/exit-module.ts", import.meta.url).pathname;

describe("a drone's stop", () => {
  it("quiesce waits for the running call, refuses new ones, ends sessions, runs childExit, exits 0", async (t) => {
    const dir = makeTempDir("drover-test-drone-");
    t.after(() => dir.remove());
    const drone = await readyDrone(t, {
      fixture: "echo-service.ts",
      spec: { concurrency: 2, modules: [{ use: MODULE }] },
    });
    await drone.connect("s1");
    const file = join(dir.path, "release");
    const id = drone.run("hold", { file });
    await waitFor("the call running", () => drone.worker(1).state === WorkerState.Writing);
    drone.child.send({ drover: "quiesce", deadlineMs: 60_000 });
    await waitFor("G on every record", () =>
      drone.record().workers.every((worker) => worker.state === WorkerState.Graceful),
    );
    assert.equal(drone.record().state, ProcessState.Stopping);
    assert.equal(drone.record().quiescing, true);
    const refused = errorOf(await drone.call("echo", 1));
    assert.equal(refused.code, "DROVER_ERR_STOPPING");
    assert.match(refused.message, /is stopping and takes no new call: send it to another drone/);
    assert.equal(drone.child.exitCode, null, "it waits for the running call");
    assert.doesNotMatch(drone.output(), /childExit ran/);

    writeFileSync(file, "");
    assert.deepEqual(resultOf(await drone.done(id)), { released: true });
    assert.deepEqual(await drone.exited, { code: 0, signal: null });
    const output = drone.output();
    assert.match(output, /"session":"s1","reason":"drain","msg":"onDisconnect ran"/);
    const serviceExit = output.indexOf("service childExit ran");
    const moduleExit = output.indexOf("module childExit ran");
    assert.ok(
      serviceExit !== -1 && moduleExit > serviceExit,
      `the service's childExit, then the modules':\n${output}`,
    );
  });

  it("quiesce aborts the signals of calls still running at its deadline", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    const id = drone.run("waitForAbort", undefined, { timeoutMs: 600_000 });
    await waitFor("the call running", () => drone.worker(0).state === WorkerState.Writing);
    drone.child.send({ drover: "quiesce", deadlineMs: 100 });
    const seen = resultOf(await drone.done(id)) as { code: string; message: string };
    assert.equal(seen.code, "DROVER_ERR_STOPPING");
    assert.match(seen.message, /its quiesce deadline of 100 ms passed/);
    assert.deepEqual(await drone.exited, { code: 0, signal: null });
  });

  it("exit: aborts the running calls without waiting for them, runs childExit, exits 0", async (t) => {
    const dir = makeTempDir("drover-test-drone-");
    t.after(() => dir.remove());
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    const id = drone.run("hold", { file: join(dir.path, "never") });
    await waitFor("the call running", () => drone.worker(0).state === WorkerState.Writing);
    drone.child.send({ drover: "exit" });
    assert.deepEqual(await drone.exited, { code: 0, signal: null });
    assert.match(drone.output(), /service childExit ran/);
    // Its signal was aborted: if its DONE went out before the channel closed, it says so.
    const done = drone.frames.find((f) => f.kind === Kind.DONE && f.header.id === id);
    if (done)
      assert.equal(
        (deserialize(done.body) as { aborted?: { code?: string } }).aborted?.code,
        "DROVER_ERR_STOPPING",
      );
  });

  it("a master gone (its IPC channel closed): the drone exits", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    drone.child.disconnect();
    assert.deepEqual(await drone.exited, { code: 0, signal: null });
    assert.match(drone.output(), /the master is gone: the drone exits/);
  });

  it("an uncaught exception: no answer for the running calls, exit EXIT_CHILD_CRASHED", async (t) => {
    const dir = makeTempDir("drover-test-drone-");
    t.after(() => dir.remove());
    const drone = await readyDrone(t, { fixture: "echo-service.ts", spec: { concurrency: 2 } });
    const held = drone.run("hold", { file: join(dir.path, "never") });
    await waitFor("the call running", () => drone.worker(0).state === WorkerState.Writing);
    drone.run("crash");
    assert.deepEqual(await drone.exited, { code: EXIT_CHILD_CRASHED, signal: null });
    assert.equal(
      drone.frames.some((f) => f.header.id === held),
      false,
      "the call running beside the crash is not answered",
    );
    assert.match(
      drone.output(),
      /"msg":"an uncaught exception in the service: this drone answers no more calls and exits/,
    );
    assert.match(drone.output(), /"stack":"Error: uncaught on purpose\\n/);
  });
});
