// Signals to the master alone (never its process group), as Apache has them: TERM and INT stop, WINCH
// stops gracefully, USR1 restarts gracefully, HUP restarts hard.
import assert from "node:assert/strict";
import { it } from "node:test";
import { isAlive } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";
import {
  assertStoppedClean,
  request,
  SLEEPY_APP,
  startSleepy,
  statusPids,
  waitForBusy,
  waitForGeneration,
} from "../support/lifecycle.ts";

const CONFIG = { startServers: 2, workersPerChild: 2 };

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  it(`${signal} stops the master: exit 0, nothing left`, { timeout: 60_000 }, async (t) => {
    const { drover, scoreboard, pids } = await startSleepy(t);
    assert.equal((await drover.request()).status, 200);

    process.kill(drover.proc.pid, signal);
    await assertStoppedClean(drover, { scoreboard, pids });
  });
}

it("Ctrl-C at a terminal (SIGINT to the whole process group) stops cleanly: the children leave it to the master", {
  timeout: 60_000,
}, async (t) => {
  const { drover, scoreboard, pids } = await startSleepy(t);

  process.kill(-drover.proc.pid, "SIGINT");
  await assertStoppedClean(drover, { scoreboard, pids });
  assert.doesNotMatch(drover.proc.output(), /exited unexpectedly/, "no child died of the signal itself");
});

it("SIGWINCH stops gracefully: an in-flight request finishes with 200, then exit 0", {
  timeout: 60_000,
}, async (t) => {
  const { drover, scoreboard, pids } = await startSleepy(t);

  const slow = request({ port: drover.port }, "/?sleep=1500");
  await waitForBusy(drover);
  process.kill(drover.proc.pid, "SIGWINCH");
  const reply = await slow;
  assert.equal(reply.status, 200);
  await assertStoppedClean(drover, { scoreboard, pids });
});

it("SIGUSR1 restarts gracefully: generation 1, new children, in-flight request finishes", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
  t.after(() => drover.stop());
  const old = await statusPids(drover);

  const slow = request({ port: drover.port }, "/?sleep=1500");
  await waitForBusy(drover);
  process.kill(drover.proc.pid, "SIGUSR1");
  const status = await waitForGeneration(drover, 1, 2);
  assert.equal((await slow).status, 200, "the request the old generation was serving finishes");
  const fresh = status.children.map((c) => c.pid);
  for (const pid of fresh) assert.ok(!old.includes(pid), `child ${pid} is new`);
  await waitFor("the old generation to exit", () => old.every((pid) => !isAlive(pid)));
  assert.equal(isAlive(drover.proc.pid), true, "the master runs on");
  const reply = await drover.request();
  assert.equal(reply.status, 200);
  assert.ok(fresh.includes(Number(reply.body.split(" ")[1])), "the new generation serves");
});

it("SIGHUP restarts hard: generation 1, every pid new", { timeout: 60_000 }, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
  t.after(() => drover.stop());
  const old = await statusPids(drover);

  process.kill(drover.proc.pid, "SIGHUP");
  const status = await waitForGeneration(drover, 1, 2);
  for (const child of status.children) assert.ok(!old.includes(child.pid), `child ${child.pid} is new`);
  for (const pid of old) assert.equal(isAlive(pid), false, `old child ${pid} is gone`);
  assert.equal(isAlive(drover.proc.pid), true, "the master runs on");
  assert.equal((await drover.request()).status, 200);
});
