// `drover status` finds a master's scoreboard among the master's own descriptors: it tells a stale pid
// file (a dead pid, or a live process that is no master of this run) from a running master, and a user
// who may not look from one with nothing to see.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ErrorCode } from "../../src/errors.ts";
import { openMasterScoreboard } from "../../src/status/locate.ts";
import { throwsCode } from "../harness/errors.ts";
import { assertRoot } from "../harness/preconditions.ts";
import { isAlive, type SpawnedProcess, spawnNode } from "../harness/process.ts";
import { runTag } from "../harness/temp.ts";

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const runId = `test-${runTag}-locate`;

async function master(t: { after(fn: () => Promise<void>): void }): Promise<SpawnedProcess> {
  const proc = await spawnNode(fixture("board-holder.ts"), [runId], { ready: /holding/ });
  t.after(async () => {
    await proc.stop();
    assert.equal(isAlive(proc.pid), false);
  });
  return proc;
}

describe("openMasterScoreboard", { timeout: 30_000 }, () => {
  it("maps the scoreboard the master holds", async (t) => {
    const proc = await master(t);
    const board = openMasterScoreboard(proc.pid, runId);
    try {
      const snapshot = board.snapshot();
      assert.equal(snapshot.masterPid, proc.pid);
      assert.equal(snapshot.generation, 3);
    } finally {
      board.close();
    }
  });

  it("NOT_RUNNING for a pid that runs but holds no scoreboard of this run, or does not run", async (t) => {
    const proc = await master(t);
    const stale = throwsCode(() => openMasterScoreboard(process.pid, runId), ErrorCode.NOT_RUNNING);
    assert.match(stale.message, /holds no scoreboard named drover-test-.*-locate\.scoreboard.*stale/);
    throwsCode(() => openMasterScoreboard(proc.pid, `${runId}-other`), ErrorCode.NOT_RUNNING);
    const gone = throwsCode(() => openMasterScoreboard(4_194_304, runId), ErrorCode.NOT_RUNNING);
    assert.match(gone.message, /no such process/);
  });

  it("SHM_PERMISSION, not NOT_RUNNING, for a user who may not look at the master's descriptors", async (t) => {
    assertRoot("to drop to uid 65534");
    const proc = await master(t);
    const probe = await spawnNode(fixture("locate-as-nobody.ts"), [`${proc.pid}`, runId]);
    try {
      assert.equal((await probe.waitForExit(15_000)).code, 0, probe.output());
      const result = JSON.parse(probe.output().trim()) as { code: string; message: string };
      assert.equal(result.code, ErrorCode.SHM_PERMISSION, result.message);
      assert.match(
        result.message,
        /permission denied.*run as the user the drover master runs as, or as root/,
      );
    } finally {
      await probe.stop();
    }
    assert.equal(isAlive(probe.pid), false);
  });
});
