// After a fork fails, a pool's upkeep pauses forks, but a reload does not wait the pause out: the
// operator asked for it, perhaps after fixing the cause, so it forks at once. The fork is made to
// fail for real: the master's open-file limit is lowered under it (prlimit), then put back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { waitForPidsGone } from "../../harness/process.ts";
import { servedBy, startFixture } from "../../support/pool.ts";
import { startServices } from "../../support/services.ts";

/** The soft open-file limit of `pid` (from /proc). */
function softNoFile(pid: number): string {
  const line = readFileSync(`/proc/${pid}/limits`, "utf8")
    .split("\n")
    .find((row) => row.startsWith("Max open files"));
  const soft = line?.split(/\s+/)[3];
  assert.ok(soft, `no open-file limit in /proc/${pid}/limits`);
  return soft;
}

/** Runs `fail` with no descriptor free in `pid` (so that every fork it tries fails), then restores the limit. */
async function withoutDescriptors(pid: number, fail: () => Promise<void>): Promise<void> {
  const soft = softNoFile(pid);
  execFileSync("prlimit", ["--pid", String(pid), "--nofile=3:"]);
  try {
    await fail();
  } finally {
    execFileSync("prlimit", ["--pid", String(pid), `--nofile=${soft}:`]);
  }
}

describe("a fork that failed", { timeout: 120_000 }, () => {
  it("does not keep a reload of drones from forking at once", async (t) => {
    const drover = await startServices({ math: { minDrones: 1, maxDrones: 1 } });
    t.after(() => drover.stop());
    const math = (await drover.client()).service("math");
    const first = (await math.call("pid", undefined)) as number;
    await withoutDescriptors(drover.proc.pid, async () => {
      process.kill(first, "SIGKILL");
      await waitForPidsGone([first]);
      await drover.proc.waitForOutput(/could not fork a drone/, 10_000);
    });
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    const second = (await math.call("pid", undefined)) as number;
    assert.notEqual(second, first);
  });

  it("does not keep a reload of children from forking at once", async (t) => {
    const drover = await startFixture({ startServers: 1 });
    t.after(() => drover.stop());
    const first = servedBy((await drover.request("/")).body);
    await withoutDescriptors(drover.proc.pid, async () => {
      process.kill(first.pid, "SIGKILL");
      await waitForPidsGone([first.pid]);
      await drover.proc.waitForOutput(/could not fork a child/, 10_000);
    });
    const reload = await drover.cli("reload");
    assert.equal(reload.status, 0, reload.stderr);
    const second = servedBy((await drover.request("/")).body);
    assert.equal(second.generation, 1, "a child of the new generation serves");
  });
});
