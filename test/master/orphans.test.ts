// No orphans, no zombies: a master killed by SIGKILL takes its children with it within a second or so,
// nothing keeps its port, and a new master can take the run directory and the port over; while a
// master runs, every child that dies (even by SIGKILL) is reaped and replaced.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { it } from "node:test";
import { isAlive, processStat, type SpawnedProcess, waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { type RunningDrover, startDrover } from "../support/drover.ts";
import {
  board,
  childrenOf,
  connectionRefused,
  devShmEntries,
  request,
  SLEEPY_APP,
  scoreboardName,
  startMasterIn,
  statusPids,
  waitForBusy,
  waitForGeneration,
  zombiesOf,
} from "../support/lifecycle.ts";

it("children of a master killed by SIGKILL exit at once; the port is free until a new master serves it", {
  timeout: 90_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: { startServers: 2, workersPerChild: 2 } });
  let second: SpawnedProcess | undefined;
  t.after(async () => {
    await second?.stop();
    await drover.stop();
  });
  const master = drover.proc.pid;
  const scoreboard = scoreboardName(drover.runDir);
  const pids = await statusPids(drover);
  assert.equal(pids.length, 2);
  assert.deepEqual(childrenOf(master).sort(), [...pids].sort(), "the children are the master's own");
  assert.equal((await drover.request()).status, 200);
  // A child busy with a long request does not outlive its master either.
  const slow = request({ port: drover.port }, "/?sleep=10000").then(
    (reply) => ({ reply }),
    (error: Error) => ({ error }),
  );
  await waitForBusy(drover);

  // The master alone, not its process group.
  process.kill(master, "SIGKILL");
  assert.deepEqual(await drover.proc.waitForExit(), { code: null, signal: "SIGKILL" });
  const killedAt = Date.now();
  // Bounded: each child exits within a second of its master; 2 s leaves room for a loaded machine.
  await waitForPidsGone(pids, 2_000);
  t.diagnostic(`children gone ${Date.now() - killedAt} ms after the master was killed`);
  assert.ok("error" in (await slow), "the long request died with its child");
  assert.equal(await connectionRefused(drover.port), true, "no orphan holds the port");

  // Nothing is left behind: its janitor removed the pid file, control socket and run directory, and
  // its shared memory went with it (memfds live only while a process holds them).
  // Bounded to fail, not to measure: the janitor loads its addon only now, on a machine that may be busy.
  await waitFor("the run directory removed by the janitor", () => !existsSync(drover.runDir), 15_000).catch(
    (error: Error) => assert.fail(`${error.message}; it holds: ${readdirSync(drover.runDir).join(", ")}`),
  );
  assert.deepEqual(devShmEntries(scoreboard), [], "the dead master left no shared memory");
  second = await startMasterIn(drover.dir.path);
  const fresh = await statusPids(drover);
  assert.equal(fresh.length, 2);
  for (const pid of fresh) assert.ok(!pids.includes(pid));
  const reply = await drover.request();
  assert.equal(reply.status, 200);
  assert.ok(fresh.includes(Number(reply.body.split(" ")[1])), "the new master's children serve the port");

  const stop = await drover.cli("stop");
  assert.equal(stop.status, 0, stop.stderr);
  assert.deepEqual(await second.waitForExit(20_000), { code: 0, signal: null });
  assert.equal(existsSync(drover.runDir), false);
  assert.deepEqual(devShmEntries(scoreboard), []);
  await waitForPidsGone(fresh, 2_000);
});

it("a child killed by SIGKILL is reaped and replaced: no zombie of the running master", {
  timeout: 60_000,
}, async (t) => {
  // minSpareWorkers 4 with 2 workers per child: losing a child drops the idle count below it.
  const drover = await startDrover({
    app: SLEEPY_APP,
    config: { startServers: 2, workersPerChild: 2, minSpareWorkers: 4 },
  });
  t.after(() => drover.stop());
  const master = drover.proc.pid;
  const [victim, survivor] = await statusPids(drover);
  assert.ok(victim !== undefined && survivor !== undefined);

  process.kill(victim, "SIGKILL");
  await waitFor("the victim off the board", () =>
    board(drover.runDir).children.every((c) => c.pid !== victim),
  );
  const replaced = (await waitForGeneration(drover, 0, 2)).children.map((c) => c.pid);
  assert.ok(!replaced.includes(victim), "the victim was replaced");
  await waitFor("no zombie of the master", () => zombiesOf(master).length === 0, 3_000);
  // Reaped, not merely dead: no /proc entry with the master as parent is left for the victim.
  assert.notEqual(processStat(victim)?.parent, master);
  for (const pid of replaced) {
    const stat = processStat(pid);
    assert.equal(stat?.parent, master, `child ${pid} is the master's`);
    assert.notEqual(stat?.state, "Z", `child ${pid} is not a zombie`);
  }
  assert.ok(replaced.includes(survivor));
  assert.equal((await drover.request()).status, 200);

  // A hard restart replaces every child at once: all of them are reaped too.
  process.kill(master, "SIGHUP");
  const after = await waitForGeneration(drover, 1, 2);
  await waitFor("no zombie of the master after the restart", () => zombiesOf(master).length === 0, 3_000);
  assert.deepEqual(
    childrenOf(master).sort(),
    after.children.map((c) => c.pid).sort(),
    "the master's only children are the new generation",
  );
  assert.equal(isAlive(master), true);
});

it("after its master is killed, drover stop and reload say no master runs (exit 3)", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startThenKillMaster(t);

  for (const command of ["stop", "reload"]) {
    const result = await drover.cli(command);
    assert.equal(result.status, 3, `${command}: ${result.stderr}`);
  }
});

it("after its master is killed, drover status says no master runs instead of showing the dead board", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startThenKillMaster(t);

  const result = await drover.cli("status", "--json");
  assert.equal(result.status, 3, `status of a dead master: ${result.stdout.slice(0, 300)}`);
  assert.match(result.stderr, /DROVER_ERR_NOT_RUNNING/);
});

/** A master with one child, killed by SIGKILL; its child gone after it. Cleans up after the test. */
async function startThenKillMaster(t: { after(fn: () => Promise<void>): void }): Promise<RunningDrover> {
  const drover = await startDrover({ app: SLEEPY_APP, config: { startServers: 1, workersPerChild: 2 } });
  t.after(() => drover.stop());
  const pids = await statusPids(drover);
  process.kill(drover.proc.pid, "SIGKILL");
  await drover.proc.waitForExit();
  await waitForPidsGone(pids, 2_000);
  return drover;
}
