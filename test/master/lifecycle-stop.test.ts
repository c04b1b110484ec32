// Stopping the master with the `drover stop` command: at once, gracefully (an in-flight request
// finishes), and gracefully with a timeout (a request that takes too long is cut off). Each time the
// master exits 0 and leaves no run directory, pid file, control socket, scoreboard or child behind.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import {
  assertStoppedClean,
  board,
  connectionRefused,
  memfdsOf,
  request,
  startSleepy,
  waitForBusy,
} from "../support/lifecycle.ts";

it("drover stop: exit 0, and no socket, pid file, scoreboard or child is left", {
  timeout: 60_000,
}, async (t) => {
  const { drover, scoreboard, pids } = await startSleepy(t);
  assert.equal(pids.length, 2);
  assert.deepEqual(memfdsOf(drover.proc.pid, scoreboard), [scoreboard], "the master holds its scoreboard");
  assert.ok(existsSync(join(drover.runDir, "drover.pid")));
  assert.ok(existsSync(join(drover.runDir, "control.sock")));
  assert.equal((await drover.request()).status, 200);

  const stop = await drover.cli("stop");
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, new RegExp(`master ${drover.proc.pid} stopped`));
  await assertStoppedClean(drover, { scoreboard, pids });
});

it("drover stop --graceful lets an in-flight request finish with 200, then exits 0", {
  timeout: 60_000,
}, async (t) => {
  const { drover, scoreboard, pids } = await startSleepy(t);

  const slow = request({ port: drover.port }, "/?sleep=1500");
  await waitForBusy(drover);
  const stop = drover.cli("stop", "--graceful");
  const reply = await slow;
  assert.equal(reply.status, 200);
  assert.match(reply.body, /^pid \d+$/);
  const stopped = await stop;
  assert.equal(stopped.status, 0, stopped.stderr);
  await assertStoppedClean(drover, { scoreboard, pids });
});

it("drover stop --graceful --timeout 1500ms (a duration, as everywhere) cuts off a request that would take 10 s", {
  timeout: 60_000,
}, async (t) => {
  const { drover, scoreboard, pids } = await startSleepy(t);

  const slow = request({ port: drover.port }, "/?sleep=10000").then(
    (reply) => ({ reply }),
    (error: Error) => ({ error }),
  );
  await waitForBusy(drover);
  const stop = await drover.cli("stop", "--graceful", "--timeout", "1500ms");
  assert.equal(stop.status, 0, stop.stderr);
  await assertStoppedClean(drover, { scoreboard, pids });
  // The master is gone with its children, so the request cannot have been answered.
  const outcome = await slow;
  assert.ok("error" in outcome, `the request was cut off, not answered: ${JSON.stringify(outcome)}`);
});

it("a graceful stop stops accepting at once: new connections are refused while in-flight requests drain", {
  timeout: 60_000,
}, async (t) => {
  const { drover, scoreboard, pids } = await startSleepy(t);

  const slow = request({ port: drover.port }, "/?sleep=3000");
  await waitForBusy(drover);
  process.kill(drover.proc.pid, "SIGTERM");
  await waitFor("the children to drain", () => board(drover.runDir).children.every((c) => c.quiescing));
  // The in-flight request is still running: a connection now must not be queued for a child that
  // will never accept it.
  assert.equal(await connectionRefused(drover.port), true, "a new connection is refused during the drain");
  assert.equal((await slow).status, 200);
  await assertStoppedClean(drover, { scoreboard, pids });
});
