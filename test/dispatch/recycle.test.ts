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

  it("keeps a drone at its limit serving while its replacement starts, then lets it go", async (t) => {
    const drover = await startServices({
      math: { minDrones: 1, maxDrones: 1, maxRequestsPerDrone: 5 },
      config: { recycleJitter: 0 },
    });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const first = (await math.call("pid", undefined)) as number;
    const hold = join(drover.marks, "hold-start");
    writeFileSync(hold, "");
    // Past its limit, with its replacement held starting, the first drone takes every call at once.
    for (let i = 0; i < 12; i++) assert.equal(await math.call("pid", undefined), first);
    const startingFile = join(drover.marks, "starting");
    await waitFor("its replacement is starting", () => existsSync(startingFile));
    for (let i = 0; i < 5; i++) assert.equal(await math.call("pid", undefined), first, "it serves on");
    const starting = readFileSync(startingFile, "utf8").trim();
    rmSync(hold);
    await waitForPidsGone([first]);
    assert.equal(String(await math.call("pid", undefined)), starting, "the replacement took over");
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
