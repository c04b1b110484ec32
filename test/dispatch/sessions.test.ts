// Sessions (OpenSRF's CONNECT/keepalive): one drone pinned to a caller, its store kept between calls,
// ended by close, by silence, by its lifetime, by its drone's death or its caller's (while it opens
// too); a later call fails with SESSION_EXPIRED, or reopens.
import assert from "node:assert/strict";
import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { startServices } from "../support/services.ts";
import { type CallError, rejection } from "./support.ts";

const lines = (marks: string, name: string) => {
  const file = join(marks, name);
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
};
const hooks = (marks: string) => lines(marks, "sessions");

describe("sessions", { timeout: 120_000 }, () => {
  it("pin one drone, keep their store, take the drone from other calls, and end on close", async (t) => {
    const drover = await startServices({ math: { minDrones: 2, maxDrones: 2 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const session = await math.session();
    const one = (await session.call("count", undefined)) as { count: number; pid: number; opened: boolean };
    const two = (await session.call("count", undefined)) as { count: number; pid: number };
    assert.deepEqual([one.count, two.count], [1, 2]);
    assert.equal(one.opened, true, "onConnect ran first, in the same drone");
    assert.equal(two.pid, one.pid);
    const pinned = (await drover.status()).services[0]?.droneProcesses.find((d) => d.pid === one.pid);
    assert.equal(pinned?.grid, "K", "a pinned drone shows K between its session's calls");
    // The pinned drone takes no other call: plain calls go to the other drone.
    for (let i = 0; i < 5; i++) assert.notEqual(await math.call("pid", undefined), one.pid);
    const outOfSession = await rejection(math.call("count", undefined));
    assert.equal(outOfSession.code, "DROVER_ERR_METHOD_FAILED");

    await session.close();
    assert.deepEqual(hooks(drover.marks), [`connect ${session.id}`, `disconnect ${session.id} closed`]);
    const late = await rejection(session.call("count", undefined));
    assert.equal(late.code, "DROVER_ERR_SESSION_EXPIRED");
    assert.match(late.message, /was closed/);
    // The opening counts as a call received, as it counts as one completed.
    await waitFor("the counters add up", async () => {
      const counters = (await drover.status()).services[0]?.counters;
      return counters && counters.calls === counters.completed + counters.failed;
    });
  });

  it("end after sessionIdleTimeout of silence and at sessionMaxLifetime; reconnect: true opens a new one", async (t) => {
    const drover = await startServices({
      // An idle timeout far above the 100 ms between the busy session's calls, even on a loaded machine.
      math: { minDrones: 1, maxDrones: 2, sessionIdleTimeout: "1500ms", sessionMaxLifetime: "4s" },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const idle = await math.session();
    await idle.call("count", undefined);
    await waitFor("the idle session ended", () => hooks(drover.marks).includes(`disconnect ${idle.id} idle`));
    const counters = async () => (await drover.status()).services[0]?.counters;
    const before = await counters();
    const expired = await rejection(idle.call("count", undefined));
    assert.equal(expired.code, "DROVER_ERR_SESSION_EXPIRED");
    assert.match(expired.message, /sessionIdleTimeout/);
    // Answered, so counted: a call received, and failed.
    await waitFor("the refused call is counted", async () => {
      const after = await counters();
      return after?.calls === (before?.calls ?? 0) + 1 && after.failed === (before?.failed ?? 0) + 1;
    });

    // Calls every 100 ms keep a session from idling, but not past its lifetime.
    const busy = await math.session();
    const ended = await waitFor(
      "the session reached its lifetime",
      (): Promise<false | CallError> =>
        busy.call("count", undefined).then(
          () => false,
          (error: CallError) => error,
        ),
      10_000,
      100,
    );
    assert.equal(ended.code, "DROVER_ERR_SESSION_EXPIRED");
    assert.match(ended.message, /sessionMaxLifetime/);
    // onDisconnect runs in the drone as the session ends: its mark may follow the refusal.
    await waitFor("onDisconnect at the lifetime", () =>
      hooks(drover.marks).includes(`disconnect ${busy.id} lifetime`),
    );

    const lasting = await math.session({ reconnect: true });
    const firstId = lasting.id;
    await lasting.call("count", undefined);
    await waitFor("it idled out", () => hooks(drover.marks).includes(`disconnect ${firstId} idle`));
    const after = (await lasting.call("count", undefined)) as { count: number };
    assert.equal(after.count, 1, "a fresh session, with a fresh store");
    assert.notEqual(lasting.id, firstId);
  });

  it("end when the client goes away", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const client = await drover.client();
    const session = await client.service("math").session();
    await session.call("count", undefined);
    client.close();
    await waitFor("onDisconnect ran", () => hooks(drover.marks).includes(`disconnect ${session.id} gone`));
    // The drone is free again for others.
    const other = await drover.client();
    assert.equal(await other.service("math").call("add", { a: 1, b: 1 }), 2);
  });

  it("a drone that dies in onDisconnect is not taken for free: the next calls go to its replacement", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const session = await math.session();
    const pinned = await session.call("dieOnDisconnect", undefined);
    await session.close().catch(() => {});
    for (let i = 0; i < 3; i++) {
      const pid = await math.call("pid", undefined, { timeout: "5s" });
      assert.notEqual(pid, pinned, "a call sent to the dead drone would time out");
    }
  });

  it("a close waiting for the session's running call is answered once its drone dies under that call", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    // The close used to be answered only at this budget's end (DROVER_ERR_DISPATCH_TIMEOUT, from the client).
    const session = await math.session({ timeout: "20s" });
    const pinned = await session.call("pid", undefined);
    const running = rejection(session.call("sleep", { ms: 60_000, dir: drover.marks, tag: "held" }));
    await waitFor("the session's call to run", () => lines(drover.marks, "started").includes("held"));
    const closing = session.close().then(
      () => "closed",
      (error: CallError) => error.code,
    );
    await waitFor("the master to take the close", async () => {
      return (await drover.status()).services[0]?.sessionsOpen === 0;
    });
    process.kill(pinned as number, "SIGKILL");
    assert.equal((await running).code, "DROVER_ERR_DRONE_EXITED");
    assert.equal(await closing, "closed", "the session is over: its close succeeds");
    assert.notEqual(await math.call("pid", undefined, { timeout: "10s" }), pinned, "its replacement serves");
    assert.deepEqual(hooks(drover.marks), [`connect ${session.id}`], "a killed drone runs no onDisconnect");
  });

  it("an opening whose caller stopped waiting (its deadline, its connection closed) frees its drone at once", async (t) => {
    // One drone, which a session left open would hold (K) for all of sessionIdleTimeout.
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, sessionIdleTimeout: "5m" } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const hold = join(drover.marks, "hold-connect");
    const holding = async () => {
      const id = await waitFor("onConnect to be held", () => lines(drover.marks, "holding").at(-1));
      unlinkSync(join(drover.marks, "holding"));
      return id;
    };
    const freed = async (id: string) => {
      await waitFor("onDisconnect for the unwanted session", () =>
        hooks(drover.marks).includes(`disconnect ${id} gone`),
      );
      assert.equal(await math.call("add", { a: 1, b: 1 }, { timeout: "10s" }), 2, "the drone is free");
    };

    writeFileSync(hold, "");
    const late = await rejection(math.session({ timeout: "1s" }));
    assert.equal(late.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    const timedOut = await holding();
    // Let go within the 2 s a drone may run past a deadline before it counts as hung.
    unlinkSync(hold);
    await freed(timedOut);

    writeFileSync(hold, "");
    const leaving = await drover.client();
    const opening = rejection(leaving.service("math").session());
    const cancelled = await holding();
    await leaving.close();
    assert.equal((await opening).code, "DROVER_ERR_DISPATCH_CONNECTION");
    unlinkSync(hold);
    await freed(cancelled);
    assert.equal((await drover.status()).services[0]?.sessionsOpen, 0);
  });

  it("an opening waiting for a free drone holds up no call behind it (droneConcurrency 2)", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, droneConcurrency: 2 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const [first, second] = [join(drover.marks, "first"), join(drover.marks, "second")];
    const long = math.call("waitFor", { file: first });
    const short = math.call("waitFor", { file: second });
    await waitFor("the drone runs both", async () => (await drover.status()).services[0]?.backlog === 0);
    const opening = math.session();
    const behind = math.call("add", { a: 2, b: 3 }, { timeout: "8s" });
    await waitFor("both wait", async () => (await drover.status()).services[0]?.backlog === 2);
    // One place frees while the long call runs on: the call behind the opening takes it.
    writeFileSync(second, "");
    await short;
    assert.equal(await behind, 5);
    writeFileSync(first, "");
    await long;
    const session = await opening;
    assert.equal(((await session.call("count", undefined)) as { count: number }).count, 1);
    await session.close();
  });

  it("a drone opening a session takes no other call while its onConnect runs (droneConcurrency 2)", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, droneConcurrency: 2 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const release = join(drover.marks, "release");
    const running = math.call("waitFor", { file: release });
    await waitFor("the drone runs it", async () => (await drover.status()).services[0]?.counters.calls === 1);
    const holdConnect = join(drover.marks, "hold-connect");
    writeFileSync(holdConnect, "");
    // The opening waits for the drone to run nothing, then holds it in onConnect.
    const opening = math.session();
    await waitFor("the opening waiting", async () => (await drover.status()).services[0]?.backlog === 1);
    writeFileSync(release, "");
    await running;
    await waitFor("onConnect running", () => lines(drover.marks, "holding").length === 1);
    const behind = math.call("add", { a: 2, b: 3 }, { timeout: "20s" });
    await waitFor("the call waiting", async () => (await drover.status()).services[0]?.backlog === 1);
    unlinkSync(holdConnect);
    const session = await opening;
    assert.equal((await drover.status()).services[0]?.backlog, 1, "the pinned drone took no other call");
    await session.close();
    assert.equal(await behind, 5);
  });
});
