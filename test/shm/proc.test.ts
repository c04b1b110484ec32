// Reaching another process's segment from outside, as `drover status` does: findShmOf names its
// /proc/<pid>/fd/<n> link, openShm maps it; when the process dies, nothing is left anywhere.
import assert from "node:assert/strict";
import { test } from "node:test";
import { findShmOf, openShm } from "../../src/shm/index.ts";
import { spawnNode } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { assertGone, fixture, inDevShm, LAYOUT, LAYOUT_ARGS, testName } from "./fixtures/support.ts";

test("findShmOf and openShm reach a segment another process holds, both ways", {
  timeout: 20_000,
}, async () => {
  const name = testName("held");
  const holder = await spawnNode(fixture("holder.ts"), [name, ...LAYOUT_ARGS], { ready: /holding/ });
  try {
    const fd = Number(holder.output().match(/fd (\d+)/)?.[1]);
    assert.equal(findShmOf(holder.pid, name), `/proc/${holder.pid}/fd/${fd}`);
    assert.equal(findShmOf(holder.pid, `${name}-other`), undefined);
    assert.equal(findShmOf(process.pid, name), undefined, "it is not ours");
    assert.deepEqual(inDevShm(name), [], "nothing in /dev/shm while it lives");

    const segment = openShm(`/proc/${holder.pid}/fd/${fd}`, LAYOUT);
    try {
      assert.equal(segment.name, name);
      assert.equal(segment.owner, false);
      const words = new Int32Array(segment.buffer);
      assert.equal(Atomics.load(words, 0), 0xbeef, "we see its write");
      Atomics.store(words, 1, 77);
      await holder.waitForOutput(/saw 77/);
    } finally {
      segment.close();
    }
  } finally {
    await holder.stop();
    assertGone(holder.pid);
  }
  assert.equal(findShmOf(holder.pid, name), undefined, "a process that is gone holds nothing");
});

test("a process SIGKILLed holding a segment leaves nothing behind", { timeout: 20_000 }, async () => {
  const name = testName("killed");
  const holder = await spawnNode(fixture("holder.ts"), [name, ...LAYOUT_ARGS], { ready: /holding/ });
  try {
    assert.ok(findShmOf(holder.pid, name));
    process.kill(holder.pid, "SIGKILL");
    assert.equal((await holder.waitForExit()).signal, "SIGKILL");
  } finally {
    await holder.stop();
    assertGone(holder.pid);
  }
  await waitFor("its /proc entry to go", () => findShmOf(holder.pid, name) === undefined);
  assert.deepEqual(inDevShm(name), [], "no file anywhere to clean up");
});
