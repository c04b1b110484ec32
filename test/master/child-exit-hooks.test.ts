// A child's childExit hooks are bounded by hookTimeout like the master's own (review M2), and a hard
// restart waits for the old children to be gone before it forks the new ones, forking nothing for the
// stopped generation meanwhile (review H3).
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { pids, serving, startControlled } from "../support/pool.ts";

it("a hard restart whose old children take 2 s in childExit forks exactly one new child per slot", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({ startServers: 2, workersPerChild: 2, minSpareWorkers: 1 });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const before = await drover.status();
  assert.equal(before.counters.childrenStarted, 2);
  controlled.set("slow-exit", true, "2000");
  const restart = await drover.cli("restart");
  assert.equal(restart.status, 0, restart.stderr);
  const after = await drover.status();
  assert.equal(after.generation, 1);
  assert.deepEqual(
    after.children.map((c) => [c.slot, c.generation]),
    [
      [0, 1],
      [1, 1],
    ],
    "the new generation took the old one's slots, once they were given up",
  );
  assert.equal(after.counters.childrenStarted, 4, "nothing forked for generation 0 while it stopped");
  assert.equal(after.counters.childrenFailed, 0);
});

it("children whose childExit never finishes exit hookTimeout after their master is SIGKILLed", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({
    startServers: 2,
    workersPerChild: 2,
    minSpareWorkers: 1,
    hookTimeout: "2s",
  });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const children = pids(serving(await drover.status()));
  controlled.set("hang-exit", true);
  process.kill(drover.proc.pid, "SIGKILL");
  await drover.proc.waitForExit(10_000);
  // An orphan drains for under a second, then gives its hooks a second: never hookTimeout's 30 s default.
  await waitForPidsGone(children, 15_000);
});

it("a graceful stop of children whose childExit never finishes ends within hookTimeout", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({
    startServers: 2,
    workersPerChild: 2,
    minSpareWorkers: 1,
    hookTimeout: "2s",
    gracefulShutdownTimeout: "60s",
  });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const children = pids(serving(await drover.status()));
  controlled.set("hang-exit", true);
  const stop = await drover.cli("stop");
  assert.equal(stop.status, 0, stop.stderr);
  await waitForPidsGone(children, 15_000);
  assert.doesNotMatch(drover.proc.output(), /graceful stop: time is up/, "each child ended by itself");
});
