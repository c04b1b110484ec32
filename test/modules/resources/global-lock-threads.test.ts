// Worker threads of one process each have lock objects of their own: one cannot release another's
// hold, they queue like processes do, and a thread that is terminated while it waits for the lock or
// holds it does not stop the others (its process lives on, so no liveness check would see it gone).

import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ErrorCode } from "../../../src/errors.ts";
import type { ShmSegment } from "../../../src/shm/index.ts";
import { throwsCode } from "../../harness/errors.ts";
import { ownFdPath } from "../../harness/temp.ts";
import { futexThreads } from "../../harness/threads.ts";
import { waitFor } from "../../harness/wait.ts";
import { LockRig } from "./lock-rig.ts";

const THREAD = fileURLToPath(new URL("fixtures/lock-thread.ts", import.meta.url));

interface Thread {
  readonly worker: Worker;
  /** Sends `command` and resolves with the next message. */
  ask(command: string): Promise<string>;
  /** The next message. */
  next(): Promise<string>;
}

async function thread(t: TestContext, memory: ShmSegment): Promise<Thread> {
  const worker = new Worker(THREAD, { workerData: { path: ownFdPath(memory.fd) } });
  t.after(() => worker.terminate());
  await once(worker, "online");
  const next = async () => String((await once(worker, "message"))[0]);
  return {
    worker,
    next,
    ask: (command) => {
      const reply = next();
      worker.postMessage(command);
      return reply;
    },
  };
}

describe("GlobalLock in worker threads", { timeout: 60_000 }, () => {
  it("gives each thread its own hold: another thread can neither release it nor barge in", async (t) => {
    const rig = new LockRig(t);
    const memory = rig.memory();
    const main = rig.lock(memory);
    const other = await thread(t, memory);
    assert.equal(main.tryLock(), "acquired");
    assert.equal(await other.ask("unlock"), ErrorCode.LOCK_NOT_HELD);
    assert.equal(await other.ask("tryLock"), "false");
    assert.equal(await other.ask("lock"), "waiting");
    const got = other.next();
    main.unlock();
    assert.equal(await got, "got acquired");
    throwsCode(() => main.unlock(), ErrorCode.LOCK_NOT_HELD);
    assert.equal(main.tryLock(), false, "the other thread holds it");
    assert.equal(await other.ask("unlock"), "unlocked");
    assert.equal(main.tryLock(), "acquired");
    main.unlock();
  });

  for (const when of ["waits", "holds"] as const) {
    it(`goes on when a thread that ${when} is terminated`, async (t) => {
      const rig = new LockRig(t);
      const memory = rig.memory();
      const main = rig.lock(memory);
      const behind = rig.lock(memory);
      const threadsBefore = futexThreads();
      const other = await thread(t, memory);
      if (when === "waits") {
        assert.equal(main.tryLock(), "acquired");
        assert.equal(await other.ask("lock"), "waiting");
      } else {
        assert.equal(await other.ask("tryLock"), "acquired");
      }
      const taking = behind.lock({ timeoutMs: 20_000 });
      await other.worker.terminate();
      await waitFor("the terminated thread's futex thread to end", () => futexThreads() <= threadsBefore + 1);
      if (when === "waits") main.unlock();
      // Held when its thread ended: what the lock protects may be half-done.
      assert.equal(await taking, when === "waits" ? "acquired" : "recovered");
      behind.unlock();
      assert.equal(main.tryLock(), "acquired");
      main.unlock();
    });
  }
});
