// A drone's start: it claims its slot, runs childInit (the modules', then the service's), says HELLO
// on its data channel and then `ready` over IPC, with its worker records `S` until then and `_` after.
// A drone that cannot start says why (`fatal`) and exits EXIT_CHILD_FATAL, whatever the reason.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Kind } from "../../src/dispatch/wire/messages.ts";
import { EXIT_CHILD_FATAL } from "../../src/protocol/exit-codes.ts";
import { ProcessState, WorkerState } from "../../src/scoreboard/index.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { readyDrone, resultOf, startDrone } from "./test-drone.ts";

const MODULE = new URL("./fixtures/exit-module.ts", import.meta.url).pathname;
const GATE = new URL("./fixtures/gate-module.ts", import.meta.url).pathname;

describe("a drone's start", () => {
  it("claims its slot, runs childInit, says HELLO with its methods, then ready; its records go S to _", async (t) => {
    const drone = await startDrone(t, {
      fixture: "echo-service.ts",
      spec: { concurrency: 2, modules: [{ use: MODULE }] },
    });
    await drone.waitForMessage("ready");
    // Written before ready, but on another channel: this process may read the IPC message first (the
    // master takes them in either order).
    const hello = await waitFor("the HELLO frame", () => drone.frames[0]);
    assert.equal(hello.kind, Kind.HELLO, "HELLO is the first frame");
    assert.ok((hello.header.methods as string[]).includes("echo"));
    assert.ok((hello.header.methods as string[]).includes("hold"));
    assert.deepEqual(hello.header.idempotent, ["echo", "add"]);
    const output = drone.output();
    const moduleInit = output.indexOf("module childInit ran");
    const serviceInit = output.indexOf("service childInit ran");
    assert.ok(
      moduleInit !== -1 && serviceInit > moduleInit,
      `modules' childInit, then the service's:\n${output}`,
    );
    assert.match(output, /"role":"drone"/);
    assert.match(output, /"service":"test"/);

    const record = drone.record();
    assert.equal(record.pid, drone.pid);
    assert.equal(record.state, ProcessState.Ready);
    assert.deepEqual(
      record.workers.map((worker) => worker.state),
      [WorkerState.Ready, WorkerState.Ready],
    );
    const stamped = record.heartbeat;
    await waitFor("a newer heartbeat", () => drone.record().heartbeat > stamped);
    assert.ok(drone.record().rss > 0, "the heartbeat carries the drone's rss");

    assert.deepEqual(resultOf(await drone.call("context")), {
      service: "test",
      slot: 1,
      pid: drone.pid,
      generation: 0,
      session: null,
      aborted: false,
    });
  });

  it("shows its worker records S while it initialises, and takes a quiesce then as a stop", async (t) => {
    const dir = makeTempDir("drover-test-drone-");
    t.after(() => dir.remove());
    const file = join(dir.path, "open");
    const drone = await startDrone(t, {
      fixture: "echo-service.ts",
      spec: { concurrency: 2, modules: [{ use: GATE, file }] },
    });
    await waitFor("the drone's claim", () => drone.record().pid === drone.pid);
    assert.deepEqual(
      drone.record().workers.map((worker) => worker.state),
      [WorkerState.Starting, WorkerState.Starting],
    );
    drone.child.send({ drover: "quiesce", deadlineMs: 5_000 });
    // Only once it took the quiesce does its childInit finish (else it could say HELLO first).
    await waitFor("it took the quiesce", () =>
      drone.record().workers.every((worker) => worker.state === WorkerState.Graceful),
    );
    writeFileSync(file, "");
    assert.deepEqual(await drone.exited, { code: 0, signal: null });
    assert.equal(drone.frames.length, 0, "no HELLO from a drone told to stop before it was ready");
    assert.match(drone.output(), /service childExit ran/, "its childInit ran, so its childExit does");
  });

  it("raises the niceness of each of its threads to spec.nice", async (t) => {
    const drone = await readyDrone(t, {
      fixture: "echo-service.ts",
      spec: { nice: 7, hungChildStack: true },
    });
    const threads = readdirSync(`/proc/${drone.pid}/task`);
    assert.ok(threads.length > 1, "V8 and libuv run threads beside the main one");
    for (const thread of threads) {
      // Field 19 of stat, counted after the parenthesised command name.
      const stat = readFileSync(`/proc/${drone.pid}/task/${thread}/stat`, "utf8");
      const nice = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
      assert.equal(nice, 7, `thread ${thread}: ${stat}`);
    }
  });

  it("a childInit that throws: fatal with the reason, exit EXIT_CHILD_FATAL, no HELLO", async (t) => {
    const drone = await startDrone(t, { fixture: "failing-init-service.ts" });
    const fatal = await drone.waitForMessage("fatal");
    assert.match(String(fatal.reason), /childInit fails on purpose/);
    assert.deepEqual(await drone.exited, { code: EXIT_CHILD_FATAL, signal: null });
    assert.equal(drone.frames.length, 0, "no frame from a drone that did not start");
    assert.equal(
      drone.messages.some((m) => (m as { drover?: string }).drover === "ready"),
      false,
    );
  });

  it("a module that is not a service: fatal naming the module and what to export", async (t) => {
    const drone = await startDrone(t, { fixture: "not-a-service.ts" });
    const fatal = await drone.waitForMessage("fatal");
    assert.match(String(fatal.reason), /not-a-service\.ts.* must default-export `defineService/);
    assert.deepEqual(await drone.exited, { code: EXIT_CHILD_FATAL, signal: null });
  });

  it("a service module that does not exist: fatal, saying it could not be loaded", async (t) => {
    const drone = await startDrone(t, { fixture: "no-such-file.ts" });
    const fatal = await drone.waitForMessage("fatal");
    assert.match(String(fatal.reason), /no-such-file\.ts\) could not be loaded/);
    assert.deepEqual(await drone.exited, { code: EXIT_CHILD_FATAL, signal: null });
  });

  it("a malformed drone spec: fatal naming the field, exit EXIT_CHILD_FATAL", async (t) => {
    const drone = await startDrone(t, {
      fixture: "echo-service.ts",
      rawSpec: JSON.stringify({ role: "drone", slot: 1, generation: 0 }),
    });
    const fatal = await drone.waitForMessage("fatal");
    assert.match(String(fatal.reason), /DROVER_CHILD\.scoreboardFd is not a whole number/);
    assert.deepEqual(await drone.exited, { code: EXIT_CHILD_FATAL, signal: null });
  });
});
