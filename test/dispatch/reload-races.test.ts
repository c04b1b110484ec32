// Races between a reload and what an old drone holds: an idempotent call whose old drone dies after
// the new generation took charge runs again at once on an idle new drone.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { startServices } from "../support/services.ts";

describe("a reload racing an old drone", { timeout: 120_000 }, () => {
  it("runs an idempotent call whose old drone died again on an idle drone of the new generation", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 2 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const oldPid = (await math.call("pid", undefined)) as number;
    const release = join(drover.marks, "release");
    const call = math.call("waitForAgain", { file: release }, { timeout: "20s" });
    assert.equal((await drover.cli("reload")).status, 0);
    const newPid = (await math.call("pid", undefined)) as number;
    assert.notEqual(newPid, oldPid, "the new generation serves");
    // The old drone dies under its call, which goes back for the idle new drone.
    process.kill(oldPid, "SIGKILL");
    await waitForPidsGone([oldPid]);
    writeFileSync(release, "");
    const started = Date.now();
    assert.equal(await call, newPid, "the new drone ran it again");
    assert.ok(Date.now() - started < 10_000, "it ran at once, not at its deadline");
  });
});
