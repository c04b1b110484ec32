// Signals to the master alone (never its process group unless said), as drover maps them by default:
// TERM and INT stop gracefully (a second one hurries the stop), QUIT stops at once, HUP and USR1 reload
// gracefully, USR2 restarts hard. And Apache's mapping, for those who ask for it.
import assert from "node:assert/strict";
import { it } from "node:test";
import { isAlive } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";
import {
  assertStoppedClean,
  board,
  request,
  SLEEPY_APP,
  scoreboardName,
  startSleepy,
  statusPids,
  waitForBusy,
  waitForGeneration,
} from "../support/lifecycle.ts";

const CONFIG = { startServers: 2, workersPerChild: 2 };

/** A request of `ms` on a fresh connection: its reply, or the error that cut it. */
function slowRequest(port: number, ms: number) {
  return request({ port }, `/?sleep=${ms}`).then(
    (reply) => ({ reply }),
    (error: Error) => ({ error }),
  );
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  it(`${signal} stops gracefully: an in-flight request finishes with 200, then exit 0, nothing left`, {
    timeout: 60_000,
  }, async (t) => {
    const { drover, scoreboard, pids } = await startSleepy(t);
    const slow = request({ port: drover.port }, "/?sleep=1500");
    await waitForBusy(drover);
    process.kill(drover.proc.pid, signal);
    assert.equal((await slow).status, 200, "docker stop, systemctl stop and Kubernetes drop nothing");
    await assertStoppedClean(drover, { scoreboard, pids });
  });
}

it("a second SIGTERM during a graceful stop hurries it: the drain is cut short", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({
    app: SLEEPY_APP,
    config: { ...CONFIG, gracefulShutdownTimeout: "30s" },
  });
  t.after(() => drover.stop());
  const scoreboard = scoreboardName(drover.runDir);
  const pids = await statusPids(drover);
  const slow = slowRequest(drover.port, 20_000);
  await waitForBusy(drover);
  process.kill(drover.proc.pid, "SIGTERM");
  await waitFor("the children to drain", () => board(drover.runDir).children.every((c) => c.quiescing));
  process.kill(drover.proc.pid, "SIGTERM");
  // Well before the request (20 s) or the graceful timeout (30 s) would end the drain.
  await assertStoppedClean(drover, { scoreboard, pids }, 10_000);
  assert.ok("error" in (await slow), "the request was cut off");
  assert.match(drover.proc.output(), /graceful stop: hurried by a hard stop/);
});

it("SIGQUIT stops at once: an in-flight request is cut, exit 0, nothing left", {
  timeout: 60_000,
}, async (t) => {
  const { drover, scoreboard, pids } = await startSleepy(t);
  const slow = slowRequest(drover.port, 20_000);
  await waitForBusy(drover);
  process.kill(drover.proc.pid, "SIGQUIT");
  await assertStoppedClean(drover, { scoreboard, pids }, 10_000);
  assert.ok("error" in (await slow), "the request was cut off");
});

it("Ctrl-C at a terminal (SIGINT to the whole process group) stops gracefully: the children leave it to the master", {
  timeout: 60_000,
}, async (t) => {
  const { drover, scoreboard, pids } = await startSleepy(t);
  const slow = request({ port: drover.port }, "/?sleep=1500");
  await waitForBusy(drover);
  process.kill(-drover.proc.pid, "SIGINT");
  assert.equal((await slow).status, 200);
  await assertStoppedClean(drover, { scoreboard, pids });
  assert.doesNotMatch(drover.proc.output(), /exited unexpectedly/, "no child died of the signal itself");
});

it("SIGTERM to the whole process group (systemd's default) still drains: children ignore it", {
  timeout: 60_000,
}, async (t) => {
  const { drover, scoreboard, pids } = await startSleepy(t);
  const slow = request({ port: drover.port }, "/?sleep=1500");
  await waitForBusy(drover);
  process.kill(-drover.proc.pid, "SIGTERM");
  assert.equal((await slow).status, 200);
  await assertStoppedClean(drover, { scoreboard, pids });
});

it("SIGUSR2 to the whole process group restarts hard through the master: no child dies of the signal", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
  t.after(() => drover.stop());
  process.kill(-drover.proc.pid, "SIGUSR2");
  await waitForGeneration(drover, 1, 2);
  assert.doesNotMatch(drover.proc.output(), /exited unexpectedly/, "no child died of the signal itself");
  assert.equal((await drover.request()).status, 200);
});

for (const signal of ["SIGHUP", "SIGUSR1"] as const) {
  it(`${signal} reloads gracefully: generation 1, new children, the in-flight request finishes`, {
    timeout: 60_000,
  }, async (t) => {
    const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
    t.after(() => drover.stop());
    const old = await statusPids(drover);
    const slow = request({ port: drover.port }, "/?sleep=1500");
    await waitForBusy(drover);
    process.kill(drover.proc.pid, signal);
    const status = await waitForGeneration(drover, 1, 2);
    assert.equal((await slow).status, 200, "a terminal's hang-up resets no connection");
    const fresh = status.children.map((c) => c.pid);
    for (const pid of fresh) assert.ok(!old.includes(pid), `child ${pid} is new`);
    await waitFor("the old generation to exit", () => old.every((pid) => !isAlive(pid)));
    assert.equal(isAlive(drover.proc.pid), true, "the master runs on");
    const reply = await drover.request();
    assert.ok(fresh.includes(Number(reply.body.split(" ")[1])), "the new generation serves");
  });
}

it("SIGUSR2 restarts hard: generation 1, every pid new, the in-flight request cut", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({ app: SLEEPY_APP, config: CONFIG });
  t.after(() => drover.stop());
  const old = await statusPids(drover);
  const slow = slowRequest(drover.port, 20_000);
  await waitForBusy(drover);
  process.kill(drover.proc.pid, "SIGUSR2");
  const status = await waitForGeneration(drover, 1, 2);
  for (const child of status.children) assert.ok(!old.includes(child.pid), `child ${child.pid} is new`);
  for (const pid of old) assert.equal(isAlive(pid), false, `old child ${pid} is gone`);
  assert.ok("error" in (await slow), "a hard restart cuts what was in flight");
  assert.equal((await drover.request()).status, 200);
});

it('signals: "apache": TERM and QUIT stop at once, WINCH stops gracefully, HUP restarts hard, USR2 is ignored', {
  timeout: 120_000,
}, async (t) => {
  const config = { ...CONFIG, signals: "apache" };
  const first = await startDrover({ app: SLEEPY_APP, config });
  t.after(() => first.stop());
  const oldPids = await statusPids(first);
  process.kill(first.proc.pid, "SIGUSR2");
  await first.proc.waitForOutput(/SIGUSR2 means nothing under signals: \\"apache\\": ignored/);
  assert.deepEqual(await statusPids(first), oldPids, "USR2: the same children serve");
  const cut = slowRequest(first.port, 20_000);
  await waitForBusy(first);
  process.kill(first.proc.pid, "SIGHUP");
  await waitForGeneration(first, 1, 2);
  for (const pid of oldPids) assert.equal(isAlive(pid), false, `HUP: old child ${pid} is gone`);
  assert.ok("error" in (await cut), "HUP: a hard restart");
  const slow = request({ port: first.port }, "/?sleep=1500");
  await waitForBusy(first);
  process.kill(first.proc.pid, "SIGWINCH");
  assert.equal((await slow).status, 200, "WINCH: graceful");
  await assertStoppedClean(first, { scoreboard: scoreboardName(first.runDir), pids: [] });

  const second = await startDrover({ app: SLEEPY_APP, config });
  t.after(() => second.stop());
  const pids = await statusPids(second);
  const hard = slowRequest(second.port, 20_000);
  await waitForBusy(second);
  process.kill(second.proc.pid, "SIGTERM");
  await assertStoppedClean(second, { scoreboard: scoreboardName(second.runDir), pids }, 10_000);
  assert.ok("error" in (await hard), "TERM: at once");

  const third = await startDrover({ app: SLEEPY_APP, config });
  t.after(() => third.stop());
  const quitPids = await statusPids(third);
  process.kill(third.proc.pid, "SIGQUIT");
  await assertStoppedClean(third, { scoreboard: scoreboardName(third.runDir), pids: quitPids }, 10_000);
});
