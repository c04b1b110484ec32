// A child that cannot initialise exits "fatal": at first start, when no child ever became healthy, the
// master stops forking and says why, instead of looping, and leaves nothing behind.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { startDrover } from "../support/drover.ts";
import { devShmEntries, scoreboardName } from "../support/lifecycle.ts";

// Notes each child that loads it, then fails as an app whose database is down would.
const FAILING_APP = `
import { appendFileSync } from "node:fs";
appendFileSync(new URL("./spawned.log", import.meta.url), process.pid + "\\n");
throw new Error("cannot reach the database at db.invalid:5432 (failing on purpose)");
`;

it("stops at first start when the app throws at import, says why, and does not loop", {
  timeout: 60_000,
}, async (t) => {
  const startServers = 3;
  const drover = await startDrover({
    app: FAILING_APP,
    config: { startServers, workersPerChild: 2, minSpareWorkers: 2 },
    waitReady: false,
  });
  t.after(() => drover.stop());
  const scoreboard = scoreboardName(drover.runDir);

  const exit = await drover.proc.waitForExit(30_000);
  assert.notEqual(exit.code, 0);
  assert.equal(exit.signal, null);
  const output = drover.proc.output();
  assert.match(output, /cannot reach the database at db\.invalid:5432 \(failing on purpose\)/);
  assert.doesNotMatch(output, /is served on/);

  // Once the master and every process of its group are gone, nothing can fork or note a child any
  // more: the log is the complete count of children the master started, and a loop would exceed it.
  await waitForPidsGone([-drover.proc.pid], 10_000);
  const spawned = readFileSync(join(drover.dir.path, "spawned.log"), "utf8").trim().split("\n").map(Number);
  assert.ok(spawned.length >= 1 && spawned.length <= startServers, `children spawned: ${spawned.length}`);
  assert.equal(existsSync(drover.runDir), false, "the run directory is gone");
  assert.deepEqual(devShmEntries(scoreboard), [], "no shared memory is left");
});
