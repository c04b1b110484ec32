// A hung child: its heartbeat gets older than heartbeatTimeout, so the master logs its JavaScript stack,
// kills it and replaces it, while the other children keep serving. With hungChildStack off, no child has
// an inspector port and a hung one is killed without its stack.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { httpGet, type RunningDrover } from "../support/drover.ts";
import { pids, servedBy, serving, startFixture } from "../support/pool.ts";

// Losing one child of two leaves 2 idle workers, below minSpareWorkers: it is replaced.
const POOL = { startServers: 2, workersPerChild: 2, minSpareWorkers: 3, heartbeatTimeout: "1s" };

/**
 * Sends a request that never gets a reply (its child spins until the master kills it), and waits for
 * the master's log line about the stuck child, matched by `line`.
 */
async function hangAChild(drover: RunningDrover, line: RegExp) {
  const hang = httpGet(drover.port, "/hang").then(
    () => "answered",
    () => "failed",
  );
  const stuck = await waitFor(
    "the master to find a stuck child",
    () => drover.proc.output().match(line),
    20_000,
  );
  return { hang, stuck };
}

it("logs a hung child's stack, kills it and replaces it while the others serve", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture(POOL);
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  assert.equal(before.length, 2);

  const { hang, stuck } = await hangAChild(
    drover,
    /"slot":\d+,"childPid":(\d+),[^\n]*"heartbeatAgeMs":(\d+),[^\n]*event loop is stuck/,
  );
  const hung = Number(stuck[1]);
  assert.ok(before.includes(hung));
  assert.ok(Number(stuck[2]) > 1_000, "its heartbeat was older than heartbeatTimeout");

  // Fresh connections keep being served by the other child while the master deals with it.
  let served = 0;
  const deadline = Date.now() + 20_000;
  while (!drover.proc.output().includes("stuckInALoop") || served < 5) {
    assert.ok(Date.now() < deadline, `no stack of the hung child in the log:\n${drover.proc.output()}`);
    const reply = await httpGet(drover.port, "/");
    assert.equal(reply.status, 200);
    assert.notEqual(servedBy(reply.body).pid, hung);
    served++;
    await delay(50);
  }
  assert.equal(await hang, "failed");
  await waitForPidsGone([hung], 10_000);

  const log = drover.proc.output();
  const stackAt = log.indexOf("stuckInALoop");
  const killedAt = log.indexOf("stuck: reading its JavaScript stack");
  assert.ok(killedAt >= 0 && stackAt > killedAt, "the stack is read before the kill");
  assert.match(log, /at stuckInALoop \(file:\/\/[^)]*fixtures\/generations\/app\.ts:\d+:\d+\)/);

  const recovered = await waitFor("a child in place of the hung one", async () => {
    const now = pids(serving(await drover.status()));
    return now.length >= 2 && !now.includes(hung) && now;
  });
  assert.ok(recovered.some((pid) => !before.includes(pid)));
  assert.equal((await drover.request("/")).status, 200);
});

it("with hungChildStack off, kills a hung child without opening its inspector", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startFixture({ ...POOL, hungChildStack: false });
  t.after(() => drover.stop());
  const before = pids(serving(await drover.status()));
  for (const pid of before) {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    assert.ok(!argv.some((arg) => arg.startsWith("--inspect")), `child ${pid}: ${argv.join(" ")}`);
  }

  const { hang, stuck } = await hangAChild(
    drover,
    /"childPid":(\d+),[^\n]*event loop is stuck: killing it \(hungChildStack is off/,
  );
  const hung = Number(stuck[1]);
  assert.equal(await hang, "failed");
  await waitForPidsGone([hung], 10_000);
  assert.doesNotMatch(drover.proc.output(), /stuckInALoop|reading its JavaScript stack/);
  await waitFor("a child in place of the hung one", async () => {
    const now = pids(serving(await drover.status()));
    return now.length >= 2 && !now.includes(hung);
  });
});
