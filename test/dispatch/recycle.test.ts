// Recycling: a drone at maxRequestsPerDrone, or one whose method called ctx.retire(), is replaced,
// its replacement started first, and no call fails for it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
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
    for (let i = 0; i < 23; i++) pids.push((await math.call("pid", undefined)) as number);
    const distinct = [...new Set(pids)];
    assert.ok(distinct.length >= 4, `drones were recycled: ${distinct}`);
    for (const pid of distinct) {
      assert.ok(pids.filter((p) => p === pid).length <= 5, `no drone served more than 5: ${pids}`);
    }
    await waitForPidsGone(distinct.slice(0, -2));
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
