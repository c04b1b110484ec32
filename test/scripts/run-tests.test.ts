import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";

const root = join(import.meta.dirname, "..", "..");

it("fails a run that leaves a process or a shared-memory file behind, and sweeps them", {
  timeout: 60_000,
}, async () => {
  const run = spawnSync(
    process.execPath,
    ["scripts/run-tests.ts", "test/scripts/fixtures/leaky.fixture.ts"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  const output = run.stdout + run.stderr;
  assert.equal(run.status, 1, output);
  assert.match(output, /left 2 thing\(s\) behind/);
  assert.match(output, /shared-memory file \/dev\/shm\/drover-test-\w+-leak-\w+/);
  assert.match(output, /tests: 1 passed, 1 failed/);
  const leakedPid = Number(output.match(/leaked (\d+)/)?.[1]);
  assert.ok(leakedPid > 0, output);
  assert.match(output, new RegExp(`process ${leakedPid}:`));
  await waitForPidsGone([leakedPid], 5_000);
  const shmFile = output.match(/\/dev\/shm\/(drover-test-\w+-leak-\w+)/)?.[1] ?? "";
  assert.equal(existsSync(`/dev/shm/${shmFile}`), false);
});
