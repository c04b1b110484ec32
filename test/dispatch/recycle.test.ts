// Recycling: a drone at maxRequestsPerDrone, or one whose method called ctx.retire(), is replaced,
// its replacement started first, and no call fails for it. A drone at its limit serves on until its
// replacement is up, so no call waits for a drone to start; ctx.retire() is kept at once.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { startServices } from "../support/services.ts";

describe("recycling drones", { timeout: 120_000 }, () => {
  it("replaces a drone after maxRequestsPerDrone calls without failing one", async (t) => {
    const drover = await startServices({
      math: { minDrones: 1, maxDrones: 2, maxRequestsPerDrone: 5 },
      config: { recycleJitter: 0 },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const pids: number[] = [];
    // Each call answered (none waits for a drone to start), until three drones have served.
    await waitFor("drones were recycled", async () => {
      pids.push((await math.call("pid", undefined)) as number);
      return new Set(pids).size >= 3;
    });
    const distinct = [...new Set(pids)];
    await waitForPidsGone(distinct.slice(0, -2));
    const counters = (await drover.status()).services[0]?.counters;
    assert.ok((counters?.dronesStarted ?? 0) >= 3, "each replacement is counted as started");
    assert.equal(counters?.dronesFailed, 0, "recycling is no failure");
  });

  it("keeps a drone at its limit serving while its replacement starts, a tenth of its limit at most", async (t) => {
    const drover = await startServices({
      math: { minDrones: 1, maxDrones: 1, maxRequestsPerDrone: 10 },
      config: { recycleJitter: 0 },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const first = (await math.call("pid", undefined)) as number;
    const hold = join(drover.marks, "hold-start");
    writeFileSync(hold, "");
    // Its replacement starts at the 9th call and is held starting; the 10th and one more (a tenth of
    // 10) still run on it at once.
    for (let i = 2; i <= 11; i++) assert.equal(await math.call("pid", undefined), first, `call ${i}`);
    // The 12th waits for the replacement.
    const twelfth = math.call("pid", undefined, { timeout: "60s" });
    const startingFile = join(drover.marks, "starting");
    await waitFor("its replacement is starting", () => existsSync(startingFile));
    const starting = readFileSync(startingFile, "utf8").trim();
    rmSync(hold);
    assert.equal(String(await twelfth), starting, "the replacement took it");
    await waitForPidsGone([first]);
  });

  it("lets a drone go once its replacement is up, though it has calls left, so the pool stays at maxDrones", async (t) => {
    const drover = await startServices({
      math: { minDrones: 1, maxDrones: 1, maxRequestsPerDrone: 10 },
      config: { recycleJitter: 0 },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    // The 9th call starts its replacement; no call follows to bring it to its limit.
    const first = (await math.call("pid", undefined)) as number;
    for (let i = 2; i <= 9; i++) assert.equal(await math.call("pid", undefined), first, `call ${i}`);
    await waitForPidsGone([first]);
    assert.notEqual(await math.call("pid", undefined), first, "its replacement serves");
    const counters = (await drover.status()).services[0]?.counters;
    assert.equal(counters?.dronesFailed, 0, "recycling is no failure");
  });

  it("lets a drone at its limit go at once when another drone has room", async (t) => {
    const drover = await startServices({
      math: { minDrones: 2, maxDrones: 3, maxRequestsPerDrone: 5 },
      config: { recycleJitter: 0 },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    // Calls come much faster than a drone starts: each drone's replacement is still starting when the
    // drone reaches its limit. With the other drone idle, it leaves at once; the last one left may
    // run one call more (a tenth of 5, rounded up) while it waits.
    const pids: number[] = [];
    for (let i = 0; i < 16; i++) pids.push((await math.call("pid", undefined)) as number);
    for (const pid of new Set(pids)) {
      const served = pids.filter((p) => p === pid).length;
      assert.ok(served <= 6, `${pid} served ${served} calls with a limit of 5: ${pids}`);
    }
  });

  it("replaces a drone whose method called ctx.retire()", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 2 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const retired = (await math.call("retire", undefined)) as number;
    const next = await math.call("pid", undefined);
    assert.notEqual(next, retired, "the retired drone took no further call");
    await waitForPidsGone([retired]);
  });
});
