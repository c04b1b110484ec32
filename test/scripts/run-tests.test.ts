import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";

const root = join(import.meta.dirname, "..", "..");

function runSuite(fixture: string, env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, ["scripts/run-tests.ts", fixture], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

it("fails a run that leaves a process or a shared-memory file of its own behind, and sweeps them", {
  timeout: 60_000,
}, async () => {
  const { status, output } = runSuite("test/scripts/fixtures/leaky.fixture.ts");
  const untagged = output.match(/\/dev\/shm\/(drover-leak-\d+)/)?.[1] ?? "";
  try {
    assert.equal(status, 1, output);
    assert.match(output, /left 3 thing\(s\) behind/);
    assert.match(output, /shared-memory file \/dev\/shm\/drover-test-\w+-leak-\w+/);
    // Untagged, but made by a process of this run that still ran: this run's too.
    assert.match(output, new RegExp(`shared-memory file /dev/shm/${untagged}\\n`));
    assert.match(output, /^leftovers: 3$/m);
    assert.match(output, /^tests: 1 passed, 0 failed$/m, "the test itself passed");
    const leakedPid = Number(output.match(/leaked (\d+)/)?.[1]);
    assert.ok(leakedPid > 0, output);
    assert.match(output, new RegExp(`process ${leakedPid}:`));
    await waitForPidsGone([leakedPid], 5_000);
    const shmFile = output.match(/\/dev\/shm\/(drover-test-\w+-leak-\w+)/)?.[1] ?? "";
    assert.equal(existsSync(`/dev/shm/${shmFile}`), false);
  } finally {
    // Untagged files are never swept (one might be a real server's): this one is the fixture's.
    if (untagged) rmSync(`/dev/shm/${untagged}`, { force: true });
  }
});

it("notes drover files that another job made meanwhile, without failing the run", {
  timeout: 60_000,
}, () => {
  const tag = `foreign-${process.pid}`;
  try {
    const { status, output } = runSuite("test/scripts/fixtures/foreign.fixture.ts", {
      FOREIGN_CREATOR: String(process.pid),
      FOREIGN_TAG: tag,
    });
    assert.equal(status, 0, output);
    assert.match(output, /leftover check: no process, shared-memory file or socket file left behind/);
    const note = output.split("\n").filter((line) => line.startsWith("note:"));
    assert.equal(note.length, 1, output);
    assert.match(note[0] ?? "", new RegExp(`/dev/shm/drover-${tag}-alive\\.scoreboard`));
    assert.match(note[0] ?? "", new RegExp(`/dev/shm/drover-${tag}-dead\\.scoreboard`));
    assert.match(output, /^leftovers: 0$/m);
    assert.match(output, /^tests: 1 passed, 0 failed$/m);
  } finally {
    for (const end of ["alive", "dead"]) rmSync(`/dev/shm/drover-${tag}-${end}.scoreboard`, { force: true });
  }
});
