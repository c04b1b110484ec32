// A second `drover start` in the run directory of a running master is refused with
// DROVER_ERR_ALREADY_RUNNING, and must leave the running master, its files and its control socket alone.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { isAlive, spawnNode } from "../harness/process.ts";
import { CLI, startDrover } from "../support/drover.ts";
import { SLEEPY_APP } from "../support/lifecycle.ts";

// One spare worker is enough: with the default (a whole child's worth), the test's own request could
// make maintenance fork a second child just before the count.
const CONFIG = { startServers: 1, workersPerChild: 2, minSpareWorkers: 1 };

/** Runs `drover start` in `cwd`, expecting it to fail: its exit status and output. */
async function refusedStart(cwd: string, t: { after: (fn: () => Promise<void>) => void }) {
  const second = await spawnNode(CLI, ["start"], { cwd, cleanup: (fn) => t.after(fn) });
  const status = await second.waitForExit(30_000);
  return { ...status, output: second.output() };
}

it("a second master in the same run directory exits non-zero with DROVER_ERR_ALREADY_RUNNING", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
  t.after(() => drover.stop());

  const second = await refusedStart(drover.dir.path, t);
  assert.notEqual(second.code, 0);
  assert.equal(second.signal, null);
  assert.match(second.output, /DROVER_ERR_ALREADY_RUNNING/);
  assert.match(second.output, new RegExp(`pid ${drover.proc.pid}`), "it names the running master");
  // The running master is untouched: it serves and its board is readable.
  assert.equal(isAlive(drover.proc.pid), true);
  assert.equal((await drover.request()).status, 200);
  assert.equal((await drover.status()).totals.children, 1);
});

it("a refused second master leaves the running master's pid file and control socket in place", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
  t.after(() => drover.stop());

  await refusedStart(drover.dir.path, t);
  assert.ok(existsSync(join(drover.runDir, "drover.pid")), "the pid file is still there");
  assert.ok(existsSync(join(drover.runDir, "control.sock")), "the control socket is still there");
  const stop = await drover.cli("stop");
  assert.equal(stop.status, 0, `drover stop still reaches the master: ${stop.stderr}`);
  assert.deepEqual(await drover.proc.waitForExit(20_000), { code: 0, signal: null });
});
