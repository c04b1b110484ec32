// Word guards (native/word-guard.c): what a worker thread leaves in a word of shared memory when it is
// terminated: the replacement if the word still holds one of the guarded values, else nothing.
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { WordGuard } from "../../src/native/word-guard.ts";
import { createShm } from "../../src/shm/index.ts";
import { ownFdPath, testShmName } from "../harness/temp.ts";

const USER = fileURLToPath(new URL("fixtures/word-user.ts", import.meta.url));
const LAYOUT = { tag: 0x574f5244, version: 1 };

async function guardInWorker(t: TestContext, args: string[]): Promise<Worker> {
  const worker = new Worker(USER, { workerData: args });
  t.after(() => worker.terminate());
  assert.equal((await once(worker, "message"))[0], "guarded");
  return worker;
}

describe("word guards", { timeout: 60_000 }, () => {
  for (const [held, cleared, after] of [
    [5, false, 9],
    [6, false, 6],
    [5, true, 5],
  ] as const) {
    it(`leave ${after} when the word held ${held}${cleared ? ", cleared" : ""}, guarded for 4 or 5, as their thread ends`, async (t) => {
      const segment = createShm(testShmName("guard"), 64, LAYOUT);
      t.after(() => segment.close());
      const word = new Int32Array(segment.buffer);
      Atomics.store(word, 0, held);
      const worker = await guardInWorker(t, [
        cleared ? "guard-cleared" : "guard",
        ownFdPath(segment.fd),
        "9",
        "4",
        "5",
      ]);
      assert.equal(Atomics.load(word, 0), held, "nothing happens while the thread runs");
      await worker.terminate();
      assert.equal(Atomics.load(word, 0), after);
    });
  }

  it("write through their own mapping, after the memory they were given is closed", async (t) => {
    const segment = createShm(testShmName("guard"), 64, LAYOUT);
    t.after(() => segment.close());
    // The worker closes (detaches and unmaps) its mapping of the file once its guard is set.
    const worker = await guardInWorker(t, ["guard-closed", ownFdPath(segment.fd), "9", "0"]);
    await worker.terminate();
    assert.equal(Atomics.load(new Int32Array(segment.buffer), 0), 9);
  });

  it("do nothing over memory nobody else can see, and refuse what is not an ArrayBuffer", () => {
    const guard = new WordGuard(new ArrayBuffer(8));
    guard.set(4, [0], 1);
    guard.clear();
    assert.throws(() => new WordGuard({} as ArrayBuffer), { code: "EINVAL" });
    assert.throws(() => guard.set(6, [0], 1), { code: "EINVAL" });
    assert.throws(() => guard.set(8, [0], 1), { code: "EINVAL" });
  });
});
