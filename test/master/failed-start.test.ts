// A child of a new generation that crashes before it is ready fails that generation's start at once,
// whichever way it ends (review H1): a reload fails and the serving generation carries on; a hard
// restart fails and the generation it stopped starts again. Before, the start waited for a child that
// would never come.
import assert from "node:assert/strict";
import { it } from "node:test";
import { waitFor } from "../harness/wait.ts";
import { pids, serving, startControlled } from "../support/pool.ts";

const POOL = { startServers: 2, workersPerChild: 2, minSpareWorkers: 1 };

it("a reload whose new child crashes before it is ready fails at once; generation 0 serves on", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled(POOL);
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const before = pids(serving(await drover.status()));
  controlled.set("crash-init", true, "1");
  const failed = await drover.cli("reload");
  assert.equal(failed.status, 1, failed.stderr);
  assert.match(
    failed.stderr,
    /graceful restart failed; generation 0 keeps serving: a child of generation 1 crashed on an uncaught exception \(logged above\) before it was ready[^\n]*\[DROVER_ERR_RELOAD_FAILED\]/,
  );
  // The master's log says the cause once: its own message already holds it, so the cause goes in a
  // field of its own (with its code), not appended to the message again.
  const logged = drover.proc
    .output()
    .split("\n")
    .find((line) => line.includes('"msg":') && line.includes("graceful restart failed"));
  assert.ok(logged, "the master logs the failed reload");
  const { err } = JSON.parse(logged) as { err: { message: string; cause: { code: string } } };
  assert.equal(err.message.split("crashed on an uncaught exception").length, 2, err.message);
  assert.equal(err.cause.code, "DROVER_ERR_CHILD_FATAL");
  const status = await drover.status();
  assert.equal(status.generation, 0);
  assert.deepEqual(pids(serving(status)), before, "generation 0's children were never touched");
  assert.equal((await drover.request("/")).status, 200);
  controlled.set("crash-init", false);
  const fixed = await drover.cli("reload");
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.equal((await drover.status()).generation, 2, "the failed reload's number is used up");
});

it("a hard restart whose new children crash before they are ready starts the previous generation again", {
  timeout: 90_000,
}, async (t) => {
  const controlled = await startControlled(POOL);
  t.after(() => controlled.stop());
  const { drover } = controlled;
  const before = pids(serving(await drover.status()));
  controlled.set("crash-init", true, "1");
  const failed = await drover.cli("restart");
  assert.equal(failed.status, 1, failed.stderr);
  assert.match(
    failed.stderr,
    /hard restart failed; generation 0 starts again: a child of generation 1 crashed[^\n]*\[DROVER_ERR_RELOAD_FAILED\]/,
  );
  const back = await waitFor("generation 0's pool whole again", async () => {
    const status = await drover.status();
    const ready = status.children.filter((c) => c.generation === 0 && c.state === "ready");
    return status.children.every((c) => c.generation === 0) && ready.length >= POOL.startServers && ready;
  });
  assert.ok(
    back.every((child) => !before.includes(child.pid)),
    "new children: the restart had stopped the old",
  );
  assert.equal((await drover.request("/")).status, 200);
  controlled.set("crash-init", false);
  const fixed = await drover.cli("restart");
  assert.equal(fixed.status, 0, fixed.stderr);
});
