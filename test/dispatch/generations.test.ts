// Generations of drones: a reload starts the new drones first and the old ones finish what they run;
// ten reloads under a steady call load fail no call; a reload whose service fails keeps the old drones;
// sessions on old drones go on until sessionDrainTimeout; a graceful stop finishes the backlog.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { MATH_SERVICE, startServices } from "../support/services.ts";
import { rejection } from "./support.ts";

describe("generations of drones", { timeout: 240_000 }, () => {
  it("ten reloads under a steady call load fail no call", async (t) => {
    const drover = await startServices({ math: { minDrones: 2, maxDrones: 4 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    let running = true;
    let calls = 0;
    const failures: string[] = [];
    const caller = async () => {
      while (running) {
        try {
          await math.call("sleep", { ms: 5 }, { timeout: "30s" });
          calls++;
        } catch (error) {
          failures.push(`${(error as { code?: string }).code}: ${(error as Error).message}`);
        }
      }
    };
    const callers = Array.from({ length: 4 }, caller);
    for (let i = 0; i < 10; i++) {
      const reload = await drover.cli("reload");
      assert.equal(reload.status, 0, reload.stderr);
    }
    running = false;
    await Promise.all(callers);
    assert.deepEqual(failures, []);
    assert.ok(calls > 0);
    const status = await drover.status();
    assert.equal(status.generation, 10);
  });

  it("shows an old drone finishing its call as G until it exits", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const old = (await math.call("pid", undefined)) as number;
    // Held until released, however long the reload takes.
    const release = join(drover.marks, "release");
    const running = math.call("waitFor", { file: release }, { timeout: "60s" });
    assert.equal((await drover.cli("reload")).status, 0);
    const grid = async () =>
      (await drover.status()).services[0]?.droneProcesses.find((drone) => drone.pid === old)?.grid;
    // It is told as the new generation takes charge, and says so on its record.
    await waitFor("the old drone shows G while it runs its last call", async () => (await grid()) === "G");
    writeFileSync(release, "");
    assert.equal(await running, old);
    await waitForPidsGone([old]);
  });

  it("a reload whose service cannot start keeps the old drones serving", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const pid = await math.call("pid", undefined);
    const broken = join(drover.dir.path, "broken.ts");
    writeFileSync(broken, 'throw new Error("the service cannot load");\n');
    writeFileSync(
      join(drover.dir.path, "drover.config.json"),
      JSON.stringify({ runDir: "./run", services: [{ name: "math", module: "./broken.ts" }] }),
    );
    const reload = await drover.cli("reload");
    assert.notEqual(reload.status, 0);
    assert.match(reload.stderr, /cannot load|could not start/);
    assert.equal(await math.call("pid", undefined), pid, "the old drone serves on");
    drover.writeConfig({ minDrones: 1, maxDrones: 1 });
    assert.equal((await drover.cli("reload")).status, 0);
    await waitFor("a new drone serves", async () => (await math.call("pid", undefined)) !== pid);
  });

  it("a reload that removes a service lets its drones finish the calls running and waiting", async (t) => {
    // Two drones: one pinned to a session, one for the calls.
    const drover = await startServices({ math: { minDrones: 2, maxDrones: 2 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const session = await math.session();
    const pinned = ((await session.call("count", undefined)) as { pid: number }).pid;
    const pid = await math.call("pid", undefined);
    const started = Date.now();
    // Held until the reload is done, so that the three behind it are still waiting when it removes the service.
    const release = join(drover.marks, "release");
    const running = math.call("waitFor", { file: release }, { timeout: "30s" });
    const waiting = [1, 2, 3].map((ms) => math.call("sleep", { ms }, { timeout: "30s" }));
    const other = { name: "other", module: MATH_SERVICE };
    const config = (services: object[]) =>
      writeFileSync(
        join(drover.dir.path, "drover.config.json"),
        JSON.stringify({ runDir: "./run", services }),
      );
    config([other]);
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    writeFileSync(release, "");
    assert.deepEqual(
      await Promise.all([running, ...waiting]),
      [pid, pid, pid, pid],
      "its drone ran them all",
    );
    assert.ok(Date.now() - started < 20_000, "the waiting calls ran, not waited out their deadline");
    const gone = await rejection(math.call("pid", undefined));
    assert.equal(gone.code, "DROVER_ERR_NO_SUCH_SERVICE");
    const names = async () => (await drover.status()).services.map((service) => service.name);
    assert.ok((await names()).includes("math (removed)"), "listed apart while its drones finish");
    // Its open session goes on on its drone until it ends; then the service is forgotten.
    assert.deepEqual(await session.call("count", undefined), { count: 2, pid: pinned, opened: true });
    await session.close();
    await waitFor("the removed service is no longer listed", async () => (await names()).length === 1);
    config([other, { name: "math", module: MATH_SERVICE }]);
    assert.equal((await drover.cli("reload")).status, 0);
    assert.deepEqual((await names()).sort(), ["math", "other"], "listed once when it comes back");
  });

  it("a session of a removed service that ended says so: SESSION_EXPIRED and how, not NO_SUCH_SERVICE", async (t) => {
    const drover = await startServices({
      math: { minDrones: 1, maxDrones: 1, sessionDrainTimeout: "300ms" },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const session = await math.session();
    assert.equal(((await session.call("count", undefined)) as { count: number }).count, 1);
    writeFileSync(
      join(drover.dir.path, "drover.config.json"),
      JSON.stringify({ runDir: "./run", services: [{ name: "other", module: MATH_SERVICE }] }),
    );
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    // Past sessionDrainTimeout the session is told to reconnect: it ended with its service.
    const ended = await waitFor("the session to end", async () => {
      const error = await rejection(session.call("count", undefined));
      return error.code === "DROVER_ERR_SESSION_EXPIRED" ? error : undefined;
    });
    assert.match(ended.message, new RegExp(`session ${session.id}`));
  });

  it("a removed service fails at once a call run again after its drone died when no drone is left", async (t) => {
    const drover = await startServices({ math: { minDrones: 2, maxDrones: 2, sessionDrainTimeout: "60s" } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    // One drone pinned by a session that goes on after the reload, the other running an idempotent call.
    const session = await math.session();
    const pinned = ((await session.call("count", undefined)) as { pid: number }).pid;
    const running = rejection(
      math.call("waitForAgain", { file: join(drover.marks, "never") }, { timeout: "60s" }),
    );
    const pid = await waitFor("the call to run", async () => {
      const drones = (await drover.status()).services[0]?.droneProcesses ?? [];
      return drones.find((drone) => drone.pid !== pinned && drone.grid === "W")?.pid;
    });
    writeFileSync(
      join(drover.dir.path, "drover.config.json"),
      JSON.stringify({ runDir: "./run", services: [{ name: "other", module: MATH_SERVICE }] }),
    );
    assert.equal((await drover.cli("reload")).status, 0);
    process.kill(pid, "SIGKILL");
    const failed = await Promise.race([
      running,
      delay(15_000, undefined, { ref: false }).then(() => undefined),
    ]);
    assert.equal(failed?.code, "DROVER_ERR_NO_SUCH_SERVICE", failed?.message);
    assert.match(failed?.message ?? "", /no longer in the config: its drone died under the call/);
    await session.close();
  });

  it("lets a session on an old drone go on, then tells it to reconnect after sessionDrainTimeout", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 2, sessionDrainTimeout: "1s" } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const session = await math.session();
    const before = (await session.call("count", undefined)) as { pid: number };
    assert.equal((await drover.cli("reload")).status, 0);
    const during = (await session.call("count", undefined)) as { pid: number; count: number };
    assert.equal(during.pid, before.pid, "the session stays on its drone");
    assert.equal(during.count, 2);
    const marks = join(drover.marks, "sessions");
    await waitFor(
      "the session was drained",
      () => existsSync(marks) && readFileSync(marks, "utf8").includes(`disconnect ${session.id} drain`),
    );
    const late = await rejection(session.call("count", undefined));
    assert.equal(late.code, "DROVER_ERR_SESSION_EXPIRED");
    assert.match(late.message, /generation was replaced/);
    assert.notEqual(await math.call("pid", undefined), before.pid, "the new generation serves");
  });

  it("a hard restart fails the running calls with DRONE_EXITED, runs idempotent ones again, and the waiting ones on the new drones", async (t) => {
    const drover = await startServices({ math: { minDrones: 2, maxDrones: 2 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const dir = drover.marks;
    const before = (await drover.status()).services[0]?.droneProcesses.map((d) => d.pid) ?? [];
    const cut = rejection(math.call("sleep", { ms: 60_000, dir, tag: "cut" }));
    // Run again on a new drone, it sleeps on there until the test's end stops it.
    const again = math.call("sleepAgain", { ms: 60_000, dir, tag: "again" });
    again.catch(() => {});
    await waitFor("both drones busy", () => readMarks(dir, "started").length === 2);
    // Two calls wait in the backlog; the second would be rerun too if its drone were stopped under it.
    const waiting = [
      math.call("add", { a: 1, b: 2 }),
      math.call("sleepAgain", { ms: 10, dir, tag: "waited" }),
    ];
    await waitFor("two calls wait", async () => (await drover.status()).services[0]?.backlog === 2);
    const restarted = drover.cli("restart");

    const failure = await cut;
    assert.equal(failure.code, "DROVER_ERR_DRONE_EXITED", failure.message);
    assert.match(failure.message, /"sleep" of service "math" was stopped under it/);
    assert.equal(await waiting[0], 3);
    const waited = (await waiting[1]) as number;
    assert.ok(!before.includes(waited), "a waiting call ran on a new drone");
    assert.equal((await restarted).status, 0);
    // The idempotent call was run again, on a new drone; it still sleeps there: cut it short.
    await waitFor("the idempotent call started again", () =>
      readMarks(dir, "started").some(
        (line) => line.startsWith("again ") && !before.includes(Number(line.split(" ")[1])),
      ),
    );
    assert.equal(
      readMarks(dir, "started").filter((line) => line.startsWith("waited ")).length,
      1,
      "the waiting call ran once",
    );
  });

  it("a graceful stop finishes the running and waiting calls, and refuses new ones", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const release = join(drover.marks, "release");
    const running = math.call("waitFor", { file: release });
    const waiting = math.call("add", { a: 20, b: 22 });
    await waitFor("the backlog holds the second call", async () => {
      const status = await drover.status();
      return status.services[0]?.backlog === 1;
    });
    process.kill(drover.proc.pid, "SIGTERM");
    await waitFor("the stop began", () => /graceful stop/.test(drover.proc.output()));
    const refused = await rejection(math.call("add", { a: 1, b: 1 }));
    assert.ok(
      refused.code === "DROVER_ERR_STOPPING" || refused.code === "DROVER_ERR_DISPATCH_CONNECTION",
      `${refused.code}: ${refused.message}`,
    );
    writeFileSync(release, "");
    assert.equal(typeof (await running), "number");
    assert.equal(await waiting, 42);
    assert.equal((await drover.proc.waitForExit(30_000)).code, 0);
  });

  it("a graceful stop past its deadline fails the cut calls with DRONE_EXITED and those that never ran with STOPPING", async (t) => {
    const drover = await startServices({
      math: { minDrones: 2, maxDrones: 2 },
      config: { gracefulShutdownTimeout: "1s" },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const dir = drover.marks;
    const cut = rejection(math.call("sleep", { ms: 60_000, dir, tag: "cut" }));
    // Idempotent, but no drone is left to run it again: it fails as cut too.
    const cutAgain = rejection(math.call("sleepAgain", { ms: 60_000, dir, tag: "again" }));
    await waitFor("the calls run", () => readMarks(dir, "started").length === 2);
    const waiting = rejection(math.call("sleep", { ms: 10, dir, tag: "waiting" }));
    await waitFor("the second call waits", async () => (await drover.status()).services[0]?.backlog === 1);
    process.kill(drover.proc.pid, "SIGTERM");
    for (const ran of [await cut, await cutAgain]) {
      assert.equal(ran.code, "DROVER_ERR_DRONE_EXITED", ran.message);
      assert.match(ran.message, /was stopped under it/);
    }
    const never = await waiting;
    assert.ok(
      never.code === "DROVER_ERR_STOPPING" || never.code === "DROVER_ERR_DISPATCH_CONNECTION",
      `${never.code}: ${never.message}`,
    );
    assert.ok(!readMarks(dir, "started").includes("waiting"), "it never ran");
    assert.equal((await drover.proc.waitForExit(30_000)).code, 0);
  });

  it("a graceful stop lets an open session go on until it closes, refusing new sessions", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 2, sessionDrainTimeout: "20s" } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const session = await math.session();
    assert.deepEqual(await session.call("count", undefined).then((r) => (r as { count: number }).count), 1);
    process.kill(drover.proc.pid, "SIGTERM");
    await waitFor("the stop began", () => /graceful stop/.test(drover.proc.output()));
    const refused = await rejection(math.session());
    assert.equal(refused.code, "DROVER_ERR_STOPPING", refused.message);
    // Its work goes on where it was, its store kept, until its caller is done with it.
    for (const expected of [2, 3]) {
      const result = (await session.call("count", undefined)) as { count: number };
      assert.equal(result.count, expected);
    }
    await session.close();
    assert.equal((await drover.proc.waitForExit(30_000)).code, 0);
  });

  it("a graceful stop fails at once a call run again after its drone died when no drone is left", async (t) => {
    const drover = await startServices({
      math: { minDrones: 2, maxDrones: 2, sessionDrainTimeout: "60s" },
      config: { gracefulShutdownTimeout: "60s" },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    // One drone pinned by a session that goes on through the stop, the other running an idempotent call.
    const session = await math.session();
    const pinned = ((await session.call("count", undefined)) as { pid: number }).pid;
    const running = rejection(
      math.call("waitForAgain", { file: join(drover.marks, "never") }, { timeout: "60s" }),
    );
    const pid = await waitFor("the call to run", async () => {
      const drones = (await drover.status()).services[0]?.droneProcesses ?? [];
      return drones.find((drone) => drone.pid !== pinned && drone.grid === "W")?.pid;
    });
    process.kill(drover.proc.pid, "SIGTERM");
    await waitFor("the stop began", () => /graceful stop/.test(drover.proc.output()));
    process.kill(pid, "SIGKILL");
    // Not when the session ends or the stop gives up: as soon as the master knows no drone can run it again.
    const failed = await Promise.race([
      running,
      delay(15_000, undefined, { ref: false }).then(() => undefined),
    ]);
    assert.equal(failed?.code, "DROVER_ERR_STOPPING", failed?.message);
    assert.match(failed?.message ?? "", /no drone is left/);
    await session.close();
    assert.equal((await drover.proc.waitForExit(30_000)).code, 0);
  });
});

function readMarks(dir: string, name: string): string[] {
  const file = join(dir, name);
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
}
