// Every call settles once with a stable code, whatever happens to it: its deadline passes (waiting or
// running), its drone dies (SIGKILL included), it kills two drones, its drone hangs, its caller cancels.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { startServices } from "../support/services.ts";
import { rejection } from "./support.ts";

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);

describe("a call's faults", { timeout: 120_000 }, () => {
  it("fails at its deadline: a running call's ctx.signal fires, a waiting one never runs", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const dir = drover.marks;
    const running = rejection(math.call("sleep", { ms: 60_000, dir, tag: "long" }, { timeout: 800 }));
    await waitFor("the long call runs", () => lines(join(dir, "started")).includes("long"));
    const waiting = await rejection(math.call("sleep", { ms: 10, dir, tag: "late" }, { timeout: 200 }));
    assert.equal(waiting.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    assert.match(waiting.message, /never ran/);
    const ran = await running;
    assert.equal(ran.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    await waitFor("ctx.signal fired in the drone", () =>
      lines(join(dir, "aborted")).includes("long DROVER_ERR_DISPATCH_TIMEOUT"),
    );
    assert.equal(await math.call("add", { a: 1, b: 1 }), 2);
    assert.ok(!lines(join(dir, "started")).includes("late"), "the expired call never ran");
  });

  it("says so when the service's requestTimeout cut the caller's budget, in the master's words either way", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1, requestTimeout: "700ms" } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    // Whichever timer fires first, the drone's (the method throws its signal's reason) or the master's.
    for (let i = 0; i < 3; i++) {
      const capped = await rejection(math.call("sleep", { ms: 60_000 }, { timeout: "30s" }));
      assert.equal(capped.code, "DROVER_ERR_DISPATCH_TIMEOUT");
      assert.equal(
        capped.message,
        'service "math": "sleep" ran past its deadline (700 ms: the service\'s requestTimeout, below the 30000 ms its caller gave); its ctx.signal was aborted',
      );
    }
    const own = await rejection(math.call("sleep", { ms: 60_000 }, { timeout: 300 }));
    assert.match(own.message, /ran past its deadline \(300 ms\); its ctx\.signal was aborted$/);
  });

  it("fails with DRONE_EXITED when its drone is SIGKILLed, and minDrones is restored with no traffic", async (t) => {
    const drover = await startServices({ math: { minDrones: 2, maxDrones: 2 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const dir = drover.marks;
    const pid = (await math.call("pid", undefined)) as number;
    // LIFO: the next call runs on the same drone.
    const call = rejection(math.call("sleep", { ms: 60_000, dir, tag: "victim" }, { timeout: "60s" }));
    await waitFor("the call runs", () => lines(join(dir, "started")).includes("victim"));
    process.kill(pid, "SIGKILL");
    const failed = await call;
    assert.equal(failed.code, "DROVER_ERR_DRONE_EXITED");
    assert.match(failed.message, /SIGKILL/);
    await waitForPidsGone([pid]);
    await waitFor("two drones again", async () => {
      const status = await drover.status();
      const drones = status.services[0]?.droneProcesses ?? [];
      return drones.filter((drone) => drone.pid !== pid && drone.state === "ready").length >= 2;
    });
    // The death and the replacement are counted.
    const { dronesStarted, dronesFailed } = (await drover.status()).services[0]?.counters ?? {};
    assert.deepEqual([dronesStarted, dronesFailed], [3, 1]);
    const other = await rejection(math.call("die", { dir }));
    assert.equal(other.code, "DROVER_ERR_DRONE_EXITED", "a method that is not idempotent is not retried");
    assert.equal(lines(join(dir, "died")).length, 1);
  });

  it("passes on a drover error the method met in a call of its own in its words, and no drone death", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const timeout = await rejection(
      math.call("rethrow", { code: "DROVER_ERR_DISPATCH_TIMEOUT" }, { timeout: "30s" }),
    );
    assert.equal(timeout.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    assert.equal(timeout.message, "the inner call failed", "not this call's deadline, 30 s away");
    const exited = await rejection(math.call("rethrow", { code: "DROVER_ERR_DRONE_EXITED" }));
    assert.equal(exited.code, "DROVER_ERR_METHOD_FAILED", "its own drone did not die");
  });

  it("logs a drone that exits by itself (process.exit() in a method) with its code, as a failure", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const exited = await rejection(math.call("exit", { code: 3 }));
    assert.equal(exited.code, "DROVER_ERR_DRONE_EXITED");
    assert.match(exited.message, /exited \(code 3\)/);
    await drover.proc.waitForOutput(
      /a drone of service \\"math\\" exited unexpectedly \(code 3\) while running 1 call/,
    );
    assert.doesNotMatch(drover.proc.output(), /killing it/, "it exited by itself: nobody killed it");
    assert.equal(await math.call("add", { a: 1, b: 2 }), 3, "its replacement serves");
  });

  it("runs an idempotent call again on another drone, and fails one that killed two drones as poison", async (t) => {
    const drover = await startServices({ math: { minDrones: 2, maxDrones: 3 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const dir = drover.marks;
    const pid = (await math.call("dieOnce", { dir, flag: "once" })) as number;
    assert.notEqual(String(pid), readFileSync(join(dir, "once"), "utf8"), "the second drone answered");
    const poison = await rejection(math.call("poison", { dir }));
    assert.equal(poison.code, "DROVER_ERR_POISON_MESSAGE");
    assert.equal(lines(join(dir, "died")).length, 2, "it ran twice, no more");
    assert.equal(await math.call("add", { a: 1, b: 2 }), 3, "the pool serves on");
  });

  it("logs the stack of a drone still running past its deadline, and replaces it", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const pid = (await math.call("pid", undefined)) as number;
    const hung = await rejection(math.call("spin", { ms: 60_000 }, { timeout: 300 }));
    assert.equal(hung.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    await waitForPidsGone([pid], 20_000);
    await waitFor("the stack was logged", () =>
      /still runs \\"spin\\" past its deadline/.test(drover.proc.output()),
    );
    await waitFor("its stack names the method", () => /math\.ts/.test(drover.proc.output()));
    assert.notEqual(await math.call("pid", undefined), pid, "a new drone serves");
  });

  it("cancels: an aborted signal removes a waiting call and aborts a running one's ctx.signal", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const client = await drover.client();
    const math = client.service("math");
    const dir = drover.marks;
    const first = new AbortController();
    const running = rejection(math.call("sleep", { ms: 60_000, dir, tag: "run" }, { signal: first.signal }));
    await waitFor("the call runs", () => lines(join(dir, "started")).includes("run"));
    const second = new AbortController();
    const waiting = rejection(math.call("sleep", { ms: 1, dir, tag: "queued" }, { signal: second.signal }));
    second.abort();
    assert.equal((await waiting).code, "DROVER_ERR_DISPATCH_CANCELLED");
    first.abort();
    assert.equal((await running).code, "DROVER_ERR_DISPATCH_CANCELLED");
    await waitFor("ctx.signal fired", () =>
      lines(join(dir, "aborted")).includes("run DROVER_ERR_DISPATCH_CANCELLED"),
    );
    assert.equal(await math.call("add", { a: 1, b: 1 }), 2);
    assert.ok(!lines(join(dir, "started")).includes("queued"), "the cancelled call never ran");

    // A client that goes away cancels its running calls too.
    const leaving = await drover.client();
    void leaving
      .service("math")
      .call("sleep", { ms: 60_000, dir, tag: "orphan" })
      .catch(() => {});
    await waitFor("the orphan runs", () => lines(join(dir, "started")).includes("orphan"));
    leaving.close();
    await waitFor("its ctx.signal fired", () =>
      lines(join(dir, "aborted")).some((line) => line.startsWith("orphan")),
    );
  });

  it("replaces a drone still running a cancelled call past that call's deadline", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const dir = drover.marks;
    const pid = (await math.call("pid", undefined)) as number;
    const controller = new AbortController();
    const deaf = rejection(
      math.call("deaf", { ms: 120_000, dir, tag: "deaf" }, { timeout: 500, signal: controller.signal }),
    );
    await waitFor("the call runs", () => lines(join(dir, "started")).includes("deaf"));
    controller.abort();
    assert.equal((await deaf).code, "DROVER_ERR_DISPATCH_CANCELLED");
    // Its drone does not let go of it: it is treated as one that ran past its deadline, not kept busy.
    await waitForPidsGone([pid], 15_000);
    assert.equal(await math.call("add", { a: 1, b: 1 }, { timeout: "20s" }), 2);
  });

  it("counts a call once, as expired, whose drone answers after the deadline its caller heard", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const late = await rejection(math.call("deaf", { ms: 1_000 }, { timeout: 300 }));
    assert.equal(late.code, "DROVER_ERR_DISPATCH_TIMEOUT");
    // Within its grace (DEADLINE_GRACE_MS) the drone answers at last, and is free again.
    assert.equal(await math.call("add", { a: 1, b: 1 }, { timeout: "20s" }), 2);
    const counters = (await drover.status()).services[0]?.counters;
    assert.equal(counters?.expired, 1);
    assert.equal(counters?.failed, 1);
    assert.equal(counters?.completed, 1);
  });
});
