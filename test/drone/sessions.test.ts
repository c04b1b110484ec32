// Sessions: CONNECT opens one (onConnect runs, its store is made) and holds a worker record, `K`
// between its calls; its calls share the store; DISCONNECT runs onDisconnect with the reason and frees
// the record. A call of a session the drone does not hold is DROVER_ERR_SESSION_EXPIRED.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { WorkerState } from "../../src/scoreboard/index.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { errorOf, readyDrone, resultOf } from "./test-drone.ts";

/** The drone's JSON log lines whose message is `msg`. */
function logged(output: string, msg: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg);
}

describe("a drone's sessions", () => {
  it("keeps a session's store across its calls, shows K between them, runs onConnect and onDisconnect", async (t) => {
    const dir = makeTempDir("drover-test-drone-");
    t.after(() => dir.remove());
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    assert.equal((await drone.connect("s1")).header.ok, true);
    assert.deepEqual(
      logged(drone.output(), "onConnect ran").map((l) => l.session),
      ["s1"],
    );
    assert.equal(drone.worker(0).letter, "K");

    assert.deepEqual(resultOf(await drone.call("count", undefined, { session: "s1" })), {
      n: 1,
      connected: true,
    });
    const file = join(dir.path, "release");
    const id = drone.run("hold", { file }, { session: "s1" });
    await waitFor("the session's call running", () => drone.worker(0).state === WorkerState.Writing);
    writeFileSync(file, "");
    await drone.done(id);
    assert.equal(drone.worker(0).letter, "K", "back to K after the session's call");
    assert.deepEqual(resultOf(await drone.call("count", undefined, { session: "s1" })), {
      n: 2,
      connected: true,
    });
    const context = resultOf(await drone.call("context", undefined, { session: "s1" })) as {
      session: string;
    };
    assert.equal(context.session, "s1");

    // Held by the session, the only record takes no other call: that is the master's bug.
    assert.equal(errorOf(await drone.call("echo", 1)).code, "DROVER_ERR_DISPATCH_BAD_MESSAGE");

    assert.equal((await drone.disconnect("s1", "idle")).header.ok, true);
    const [ended] = logged(drone.output(), "onDisconnect ran");
    assert.deepEqual([ended?.session, ended?.reason, ended?.n], ["s1", "idle", 2]);
    assert.equal(drone.worker(0).letter, "_");
    assert.equal(resultOf(await drone.call("echo", 1)), 1);

    const expired = errorOf(await drone.call("count", undefined, { session: "s1" }));
    assert.equal(expired.code, "DROVER_ERR_SESSION_EXPIRED");
    assert.match(expired.message, /session s1 is not open on drone \d+ .*: open a new session/);
    assert.equal(errorOf(await drone.disconnect("s1")).code, "DROVER_ERR_SESSION_EXPIRED");
  });

  it("a fresh store per session; an onConnect that throws fails the CONNECT and frees the record", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts", spec: { concurrency: 2 } });
    await drone.connect("a");
    await drone.connect("b");
    assert.deepEqual(
      drone.record().workers.map((w) => w.letter),
      ["K", "K"],
    );
    await drone.call("count", undefined, { session: "a" });
    assert.deepEqual(resultOf(await drone.call("count", undefined, { session: "a" })), {
      n: 2,
      connected: true,
    });
    assert.deepEqual(resultOf(await drone.call("count", undefined, { session: "b" })), {
      n: 1,
      connected: true,
    });
    assert.equal(errorOf(await drone.connect("c")).code, "DROVER_ERR_DISPATCH_BAD_MESSAGE", "no record left");
    assert.equal(errorOf(await drone.connect("a")).code, "DROVER_ERR_DISPATCH_BAD_MESSAGE", "already open");
    await drone.disconnect("b");

    const refused = errorOf(await drone.connect("refused"));
    assert.deepEqual([refused.name, refused.message], ["Error", "onConnect refuses this session"]);
    assert.deepEqual(
      drone.record().workers.map((w) => w.letter),
      ["K", "_"],
      "the refused session holds nothing",
    );
    assert.equal(
      errorOf(await drone.call("count", undefined, { session: "refused" })).code,
      "DROVER_ERR_SESSION_EXPIRED",
    );
  });

  it("a DISCONNECT while the session's call runs waits for the call, then ends it", async (t) => {
    const dir = makeTempDir("drover-test-drone-");
    t.after(() => dir.remove());
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    await drone.connect("s1");
    const file = join(dir.path, "release");
    const call = drone.run("hold", { file }, { session: "s1" });
    await waitFor("the session's call running", () => drone.worker(0).state === WorkerState.Writing);
    const disconnect = drone.disconnect("s1", "gone");
    assert.equal(
      errorOf(await drone.call("count", undefined, { session: "s1" })).code,
      "DROVER_ERR_SESSION_EXPIRED",
      "an ending session takes no new call",
    );
    assert.equal(logged(drone.output(), "onDisconnect ran").length, 0, "not before its call ends");
    writeFileSync(file, "");
    assert.deepEqual(resultOf(await drone.done(call)), { released: true });
    assert.equal((await disconnect).header.ok, true);
    assert.equal(logged(drone.output(), "onDisconnect ran")[0]?.reason, "gone");
    assert.equal(drone.worker(0).letter, "_");
  });
});
