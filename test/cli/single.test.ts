// `drover start --single`: one child's work in the foreground process, no master. It serves from its
// own pid, runs its modules' master phases itself, Ctrl-C (SIGINT) drains an in-flight request and exits
// 0, and its scoreboard and module memory go with it (nothing is ever in /dev/shm).
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { Scoreboard } from "../../src/scoreboard/index.ts";
import { findShmOf } from "../../src/shm/index.ts";
import { makeTempDir } from "../harness/temp.ts";
import { waitFor } from "../harness/wait.ts";
import { runCli, startDrover } from "../support/drover.ts";
import { childrenOf, devShmEntries, memfdsOf, request, SLEEPY_APP } from "../support/lifecycle.ts";
import { MATH_SERVICE } from "../support/services.ts";

it("start --single serves from its own pid; SIGINT drains and exits 0, leaving no scoreboard", {
  timeout: 60_000,
}, async (t) => {
  const drover = await startDrover({
    app: SLEEPY_APP,
    args: ["--single"],
    config: { workersPerChild: 4, modules: [{ use: "shmCounter" }] },
  });
  t.after(() => drover.stop());
  const pid = drover.proc.pid;
  const name = `drover-single-${pid}.scoreboard`;
  const scoreboard = findShmOf(pid, name);
  assert.ok(scoreboard, `the one-slot scoreboard ${name} is among its descriptors`);
  assert.deepEqual(childrenOf(pid), [], "no child process: the work is done in the foreground");

  for (let i = 0; i < 3; i++) {
    const reply = await drover.request();
    assert.equal(reply.status, 200);
    assert.equal(reply.body, `pid ${pid}`, "the foreground process answers itself");
  }
  // The modules' master phases ran here: shmCounter made its memory and lock, and counts.
  const moduleFiles = () => memfdsOf(pid, `drover-single-${pid}-`);
  assert.equal(moduleFiles().length, 2);
  assert.equal((await drover.request("/shm-counter")).body, "3\n");
  // No master, so no control socket and no pid file.
  assert.equal(existsSync(drover.runDir), false);

  const slow = request({ port: drover.port }, "/?sleep=1500");
  // The request is in flight once the single process's board shows it.
  await waitFor("the request on the board", () => {
    const board = Scoreboard.open(scoreboard);
    try {
      return board.snapshot().totals.busyWorkers >= 1;
    } finally {
      board.close();
    }
  });
  process.kill(pid, "SIGINT");
  const reply = await slow;
  assert.equal(reply.status, 200, "the in-flight request finishes");
  assert.equal(reply.body, `pid ${pid}`);
  assert.deepEqual(await drover.proc.waitForExit(10_000), { code: 0, signal: null });
  assert.equal(findShmOf(pid, name), undefined, "the scoreboard is gone");
  assert.deepEqual(moduleFiles(), [], "and so is the modules' memory");
  assert.deepEqual(devShmEntries(`drover-single-${pid}`), [], "nothing was ever in /dev/shm");
});

it("start --single refuses a config of services only, saying what to run instead", {
  timeout: 30_000,
}, async (t) => {
  const dir = makeTempDir("drover-test-single-services-");
  t.after(() => dir.remove());
  writeFileSync(
    join(dir.path, "drover.config.json"),
    JSON.stringify({ runDir: "./run", services: [{ name: "math", module: MATH_SERVICE }] }),
  );
  const result = await runCli(["start", "--single"], dir.path);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /services only: run `drover start` without --single/);
});
