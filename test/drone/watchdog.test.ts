// What a drone shares with a listener child: signals meant for the master leave it be, and with
// hungChildStack its watchdog thread logs the JavaScript stack of a method that holds its main thread,
// when the master asks through the scoreboard.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { WorkerState } from "../../src/scoreboard/index.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { readyDrone, resultOf, SLOT } from "./test-drone.ts";

describe("a drone, like a child", () => {
  it("ignores SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2: the master decides when it stops", async (t) => {
    const drone = await readyDrone(t, { fixture: "echo-service.ts" });
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const) {
      process.kill(drone.pid, signal);
      // The call after each signal is answered by the same drone, so the signal was handled.
      assert.equal(resultOf(await drone.call("echo", signal)), signal);
    }
    assert.equal(drone.child.exitCode, null);
  });

  it("with hungChildStack, logs the stack of a method that holds the main thread, when asked", async (t) => {
    const dir = makeTempDir("drover-test-drone-");
    t.after(() => dir.remove());
    const drone = await readyDrone(t, { fixture: "echo-service.ts", spec: { hungChildStack: true } });
    const file = join(dir.path, "release");
    const id = drone.run("spin", { file });
    await waitFor("the call running", () => drone.worker(0).state === WorkerState.Writing);
    const request = drone.scoreboard.master.requestStack(SLOT);
    await waitFor("the watchdog's answer", () => drone.scoreboard.stackWords(SLOT).answered() === request);
    await drone.waitForOutput(/hung child's JavaScript stack/);
    const line = drone
      .output()
      .split("\n")
      .find((l) => l.includes("hung child's JavaScript stack"));
    const entry = JSON.parse(line ?? "{}") as {
      role?: string;
      service?: string;
      stack?: { function: string }[];
    };
    assert.deepEqual([entry.role, entry.service], ["drone", "test"]);
    assert.equal(entry.stack?.[0]?.function, "spin");
    writeFileSync(file, "");
    assert.equal(resultOf(await drone.done(id)), "spun");
  });
});
