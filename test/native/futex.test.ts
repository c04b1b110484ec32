// The addon's cross-process futex (native/futex.c, src/native/futex.ts): a watch sees another
// process's change as that process wakes it, ticks while nothing changes, ends its thread when
// closed, keeps the event loop alive only while it watches, and survives exits and terminations.
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { wake, watchWord } from "../../src/native/futex.ts";
import { createShm } from "../../src/shm/index.ts";
import { spawnNode } from "../harness/process.ts";
import { ownFdPath, testShmName } from "../harness/temp.ts";
import { futexThreads } from "../harness/threads.ts";
import { waitFor } from "../harness/wait.ts";

const USER = fileURLToPath(new URL("fixtures/word-user.ts", import.meta.url));
const LAYOUT = { tag: 0x574f5244, version: 1 };
const HOUR = 3_600_000;

describe("futex watches", { timeout: 60_000 }, () => {
  it("see another process's change as soon as it wakes them, not at a tick", async (t) => {
    const segment = createShm(testShmName("futex"), 64, LAYOUT);
    t.after(() => segment.close());
    let changed = 0;
    let ticks = 0;
    const watch = watchWord(segment.buffer, 0, 0, HOUR, {
      onChange: () => changed++,
      onTick: () => ticks++,
    });
    t.after(() => watch.close());
    // A wake while the word still holds 0 is spurious for the watcher: it sleeps on.
    await waitFor("the watcher to sleep on the word", () => wake(segment.buffer, 0) === 1);
    assert.equal(changed, 0);
    const setter = await spawnNode(USER, ["set", ownFdPath(segment.fd), "7"], {
      cleanup: (stop) => t.after(stop),
    });
    assert.equal((await setter.waitForExit()).code, 0, setter.output());
    await waitFor("the change to be seen", () => changed === 1);
    assert.equal(ticks, 0, "an hour's interval: it was the wake");
    await waitFor("the watch's thread to end", () => futexThreads() === 0);
  });

  it("tick while nothing changes, and say nothing more once closed; the thread ends", async (t) => {
    const buffer = new ArrayBuffer(8);
    let ticks = 0;
    const watch = watchWord(buffer, 4, 0, 10, {
      onChange: () => assert.fail("nothing changed"),
      onTick: () => ticks++,
    });
    t.after(() => watch.close());
    await waitFor("two ticks", () => ticks >= 2, 15_000, 5);
    watch.close();
    watch.close(); // idempotent
    const closedAt = ticks;
    Atomics.store(new Int32Array(buffer), 1, 1);
    wake(buffer, 4);
    await waitFor("the watch's thread to end", () => futexThreads() === 0);
    await new Promise((turn) => setImmediate(turn));
    assert.equal(ticks, closedAt, "no callback after close");
  });

  for (const [mode, last] of [
    ["tick-then-close", "tick 3"],
    ["tick-then-change", "changed"],
  ] as const) {
    it(`keep a process alive while they watch, and only then (${mode})`, async (t) => {
      const proc = await spawnNode(USER, [mode], { cleanup: (stop) => t.after(stop) });
      // Nothing else keeps that process up: the ticks came because the watch did.
      const status = await proc.waitForExit(15_000);
      assert.equal(status.code, 0, proc.output());
      assert.equal(proc.output().trim().split("\n").at(-1), last, proc.output());
    });
  }

  it("let a process exit in the middle of a watch", async (t) => {
    const proc = await spawnNode(USER, ["exit-while-watching"], { cleanup: (stop) => t.after(stop) });
    assert.deepEqual(await proc.waitForExit(15_000), { code: 0, signal: null }, proc.output());
  });

  it("let a worker thread that watches be terminated, its thread ended", async (t) => {
    const segment = createShm(testShmName("futex"), 64, LAYOUT);
    t.after(() => segment.close());
    const worker = new Worker(USER, { workerData: ["watch", ownFdPath(segment.fd)] });
    t.after(() => worker.terminate());
    assert.equal((await once(worker, "message"))[0], "watching");
    assert.equal(futexThreads(), 1);
    await worker.terminate();
    await waitFor("the watch's thread to end", () => futexThreads() === 0);
  });

  it("refuse what is not a word of an ArrayBuffer, and a watch without an interval", () => {
    const buffer = new ArrayBuffer(8);
    const handlers = { onChange: () => {}, onTick: () => {} };
    const refusals: Array<() => unknown> = [
      () => watchWord(new SharedArrayBuffer(8) as unknown as ArrayBuffer, 0, 0, 10, handlers),
      () => watchWord(buffer, 2, 0, 10, handlers),
      () => watchWord(buffer, 8, 0, 10, handlers),
      () => watchWord(buffer, -4, 0, 10, handlers),
      () => watchWord(buffer, 0, 0, 0, handlers),
      () => wake(buffer, 6),
      () => wake("buffer" as unknown as ArrayBuffer, 0),
    ];
    for (const refused of refusals) assert.throws(refused, { code: "EINVAL" });
    const detached = new ArrayBuffer(8);
    detached.transfer();
    assert.throws(() => wake(detached, 0), { code: "EINVAL" });
    assert.equal(futexThreads(), 0, "no thread was started for them");
  });
});
