// Races between a reload and what an old drone holds: an idempotent call whose old drone dies after
// the new generation took charge runs again at once on an idle new drone; a session whose opening was
// still running on an old drone when the reload promoted the new generation is drained like the
// sessions already open then.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { startServices } from "../support/services.ts";
import { rejection } from "./support.ts";

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);

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

  it("drains a session whose opening was running on an old drone when the reload took charge", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 2, sessionDrainTimeout: "1s" } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const oldPid = (await math.call("pid", undefined)) as number;
    const hold = join(drover.marks, "hold-connect");
    writeFileSync(hold, "");
    const opening = math.session();
    await waitFor("onConnect holds", () => lines(join(drover.marks, "holding")).length === 1);
    assert.equal((await drover.cli("reload")).status, 0);
    rmSync(hold);
    const session = await opening;
    const first = (await session.call("count", undefined)) as { pid: number };
    assert.equal(first.pid, oldPid, "the session opened on the old drone");
    await waitFor("the session was drained", () =>
      lines(join(drover.marks, "sessions")).includes(`disconnect ${session.id} drain`),
    );
    const late = await rejection(session.call("count", undefined));
    assert.equal(late.code, "DROVER_ERR_SESSION_EXPIRED");
    await waitForPidsGone([oldPid]);
  });
});
