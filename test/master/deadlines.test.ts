// Deadlines everywhere (review D2, D3, D12): a child not ready within childStartTimeout is killed and
// counted failed wherever it was forked; a master-phase hook that never settles fails its reload at
// hookTimeout while the serving generation is still supervised, and the master takes commands after.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitForPidsGone } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { board } from "../support/lifecycle.ts";
import { pids, serving, startControlled } from "../support/pool.ts";

it("a replacement stuck in childInit is killed at childStartTimeout, counted failed, and replaced", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({
    startServers: 1,
    workersPerChild: 2,
    minSpareWorkers: 1,
    childStartTimeout: "1500ms",
  });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const [first] = pids(serving(await drover.status()));
  // Its replacement will wait for a database that never answers.
  controlled.set("hang-init", true);
  process.kill(first as number, "SIGKILL");
  const stuck = await waitFor("a replacement stuck starting", () =>
    board(drover.runDir).children.find((c) => c.pid > 0 && c.pid !== first && c.state === "starting"),
  );
  await waitForPidsGone([stuck.pid], 15_000);
  assert.match(
    drover.proc.output(),
    new RegExp(`"childPid":${stuck.pid},[^\\n]*was not ready within 1.5 s \\(childStartTimeout\\)`),
  );
  // The database answers again: the next replacement serves.
  controlled.set("hang-init", false);
  const back = await waitFor("a child serving again", async () => {
    const now = pids(serving(await drover.status()));
    return now.length === 1 && now[0] !== stuck.pid && now;
  });
  assert.notEqual(back[0], first);
  assert.equal((await drover.request("/")).status, 200);
  const { counters } = await drover.status();
  assert.ok(
    counters.childrenFailed >= 2,
    `the killed one and the stuck one count: ${counters.childrenFailed}`,
  );
});

it("a postConfig that never settles fails the reload at hookTimeout; the pool is kept whole meanwhile", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({
    startServers: 2,
    workersPerChild: 2,
    minSpareWorkers: 1,
    hookTimeout: "3s",
  });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const before = pids(serving(await drover.status()));
  controlled.set("hang-postconfig", true);
  const started = Date.now();
  let reloading = true;
  const reload = drover.cli("reload").finally(() => {
    reloading = false;
  });
  // While the hook hangs, a serving child dies: it is replaced (review D12).
  process.kill(before[0] as number, "SIGKILL");
  const refilled = await waitFor("the pool whole again", async () => {
    const now = pids(serving(await drover.status()));
    // pid 0: a slot claimed for a child not forked yet.
    return now.length === 2 && !now.includes(before[0] as number) && !now.includes(0) && now;
  });
  assert.ok(reloading, "the pool was whole again while the reload still waited on its hook");
  const failed = await reload;
  assert.equal(failed.status, 1);
  assert.match(
    failed.stderr,
    /postConfig hook did not finish within 3 s \(hookTimeout\)[^\n]*\[DROVER_ERR_HOOK_TIMEOUT\]/,
  );
  assert.ok(Date.now() - started < 20_000, "given up at its deadline, not never");
  const status = await drover.status();
  assert.equal(status.generation, 0, "generation 0 keeps serving");
  assert.deepEqual(pids(serving(status)), refilled);
  // The master takes commands again: no "restarting" refusal (review D3).
  controlled.set("hang-postconfig", false);
  const restart = await drover.cli("restart");
  assert.equal(restart.status, 0, restart.stderr);
});

it("`drover reload --timeout` gives up with DROVER_ERR_CONTROL_TIMEOUT; the master carries on", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({ startServers: 1, workersPerChild: 2, hookTimeout: "4s" });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  controlled.set("hang-postconfig", true);
  const impatient = await drover.cli("reload", "--timeout", "500ms");
  assert.equal(impatient.status, 1, impatient.stderr);
  assert.match(impatient.stderr, /did not answer[^\n]*within 0\.5 s[^\n]*\[DROVER_ERR_CONTROL_TIMEOUT\]/);
  // The reload went on in the master and failed at its own deadline; the master serves on.
  await waitFor("the reload to fail at hookTimeout", () =>
    /postConfig hook did not finish within 4 s \(hookTimeout\)/.test(drover.proc.output()),
  );
  assert.equal((await drover.request("/")).status, 200);
  controlled.set("hang-postconfig", false);
  const patient = await drover.cli("reload");
  assert.equal(patient.status, 0, patient.stderr);
});
