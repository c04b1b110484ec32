// The master's life as one queue (review D5, D12; chaos D7, D9): reloads asked during a reload join one
// more reload, never refused, and each caller gets the generation that applied its config; a SIGUSR1
// then is not dropped; the serving generation is supervised throughout; and a stop during a restart
// wins, with nothing forked after it.
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { isAlive, waitForPidsGone } from "../harness/process.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { startDrover } from "../support/drover.ts";
import { board } from "../support/lifecycle.ts";
import { CONTROLLED_APP, CONTROLLED_MODULE, pids, serving, startControlled } from "../support/pool.ts";

const POOL = { startServers: 1, workersPerChild: 2, minSpareWorkers: 1, serverLimit: 8 };

it("reloads asked during a reload join one more reload; the SIGUSR1 too; each gets the config it wrote", {
  timeout: 120_000,
}, async (t) => {
  const controlled = await startControlled(POOL);
  t.after(() => controlled.stop());
  const { drover } = controlled;
  controlled.set("hold-init", true);
  const first = drover.cli("reload");
  await waitFor("the new generation starting", () =>
    board(drover.runDir).children.some((c) => c.generation === 1 && c.state === "starting"),
  );
  // chaos D9: meanwhile the generation serving is shown as serving, not as draining.
  assert.deepEqual(
    board(drover.runDir)
      .children.filter((c) => c.generation === 0)
      .map((c) => c.quiescing),
    [false],
  );
  // A deploy writes a new config and reloads while the first reload still starts.
  drover.writeConfig({
    app: CONTROLLED_APP,
    modules: [{ use: CONTROLLED_MODULE }],
    ...POOL,
    workersPerChild: 3,
  });
  const later = [1, 2, 3, 4].map(() => drover.cli("reload"));
  process.kill(drover.proc.pid, "SIGUSR1");
  await waitFor(
    "five reloads queued",
    () => (drover.proc.output().match(/a reload was asked while a reload runs/g) ?? []).length === 5,
  );
  controlled.set("hold-init", false);

  const firstDone = await first;
  assert.equal(firstDone.status, 0, firstDone.stderr);
  assert.match(firstDone.stdout, /generation 1 is serving/);
  for (const done of await Promise.all(later)) {
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /generation 2 is serving/, "each waits for the reload that read its config");
  }
  const status = await waitFor("generation 2 alone", async () => {
    const now = await drover.status();
    return now.children.every((c) => c.generation === 2) && now;
  });
  assert.equal(status.generation, 2, "the SIGUSR1 joined the same reload: no third one");
  assert.deepEqual(
    status.children.map((c) => c.grid.length),
    [3],
    "the newer config is the one applied",
  );
  assert.doesNotMatch(drover.proc.output(), /DROVER_ERR_STOPPING|"level":50/);
});

it("the serving generation is supervised during a reload: a child that dies is replaced at once", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled({ ...POOL, startServers: 2 });
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const before = pids(serving(await drover.status()));
  // Only the new generation is held: a replacement of generation 0 starts as usual.
  controlled.set("hold-init", true, "1");
  const reload = drover.cli("reload");
  await waitFor("the new generation starting", () =>
    board(drover.runDir).children.some((c) => c.generation === 1 && c.state === "starting"),
  );
  const victim = before[0] as number;
  process.kill(victim, "SIGKILL");
  await waitForPidsGone([victim], 5_000);
  const replaced = await waitFor("a generation 0 child in its place, the reload still starting", () => {
    const now = board(drover.runDir).children;
    const old = now.filter((c) => c.generation === 0 && c.state === "ready").map((c) => c.pid);
    return (
      old.length === 2 &&
      !old.includes(victim) &&
      now.some((c) => c.generation === 1 && c.state === "starting") &&
      old
    );
  });
  assert.ok(replaced.some((pid) => !before.includes(pid)));
  controlled.set("hold-init", false);
  const reloaded = await reload;
  assert.equal(
    reloaded.status,
    0,
    `drover reload: ${reloaded.stderr}${reloaded.stdout}\n${drover.proc.output()}`,
  );
});

it("a stop during a restart wins: the restart is abandoned, nothing is forked after, exit 0", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled(POOL);
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const old = pids(serving(await drover.status()));
  controlled.set("hold-init", true);
  const restart = drover.cli("restart");
  const held = await waitFor("the restart's child starting", () =>
    board(drover.runDir).children.find((c) => c.generation === 1 && c.state === "starting"),
  );
  process.kill(drover.proc.pid, "SIGTERM");
  const abandoned = await restart;
  assert.equal(abandoned.status, 1);
  assert.match(
    abandoned.stderr,
    /the master is stopping: this restart was abandoned \[DROVER_ERR_STOPPING\]/,
  );
  assert.deepEqual(await drover.proc.waitForExit(20_000), { code: 0, signal: null }, drover.proc.output());
  await waitForPidsGone([...old, held.pid], 5_000);
  // Review D5: the old code went on to fork generation 1 on descriptors the stop had closed.
  assert.doesNotMatch(drover.proc.output(), /EINVAL|could not initialise|"level":60/);
  assert.equal(isAlive(drover.proc.pid), false);
});

it("a SIGTERM while the first generation starts stops the master cleanly, exit 0", {
  timeout: 60_000,
}, async (t) => {
  const control = makeTempDir("drover-test-controlled-");
  t.after(control.remove);
  writeFileSync(join(control.path, "hold-init"), "");
  const drover = await startDrover({
    app: "",
    config: { app: CONTROLLED_APP, ...POOL },
    env: { CONTROLLED_DIR: control.path },
    waitReady: false,
  });
  t.after(() => drover.stop());
  // The control socket is up: the master has its signal handlers, and its first child is held.
  await waitFor("the master to be up, its first child starting", () => existsRunDir(drover.runDir));
  process.kill(drover.proc.pid, "SIGTERM");
  assert.deepEqual(await drover.proc.waitForExit(20_000), { code: 0, signal: null }, drover.proc.output());
  assert.doesNotMatch(drover.proc.output(), /"level":50|"level":60/);
});

function existsRunDir(runDir: string): boolean {
  try {
    return readdirSync(runDir).includes("control.sock");
  } catch {
    return false;
  }
}
