// The global lock's queue at its edges: more waiters than its ring has tickets for (they wait for
// room, and every one still gets its turn), and the ticket counter wrapping round.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { GlobalLock } from "../../../src/modules/resources/global-lock.ts";
import { RESOURCE_LAYOUT } from "../../../src/modules/resources/resource-spec.ts";
import { MIN_LOCK_BYTES } from "../../../src/modules/resources/ticket-words.ts";
import { createShm } from "../../../src/shm/index.ts";
import { ownFdPath, testShmName } from "../../harness/temp.ts";
import { LockRig } from "./lock-rig.ts";

/** `rounds` times each, every lock takes the lock, yields holding it, and counts; returns the count. */
async function contend(locks: readonly GlobalLock[], rounds: number, counter: Int32Array): Promise<void> {
  let inside = 0;
  await Promise.all(
    locks.map(async (lock) => {
      for (let i = 0; i < rounds; i++) {
        await lock.lock({ timeoutMs: 30_000 });
        inside++;
        assert.equal(inside, 1, "one holder at a time");
        const value = Atomics.load(counter, 0);
        await yieldToLoop();
        Atomics.store(counter, 0, value + 1);
        inside--;
        lock.unlock();
      }
    }),
  );
}

describe("GlobalLock's queue", { timeout: 90_000 }, () => {
  it("lets waiters beyond the ring's room wait for it, in this process and others", async (t) => {
    const rig = new LockRig(t);
    // Room for two tickets: of the six waiters, four wait for room at any time.
    const memory = rig.memory(MIN_LOCK_BYTES + 16);
    const data = createShm(testShmName("data"), 8, RESOURCE_LAYOUT.memory);
    t.after(() => data.close());
    const counter = new Int32Array(data.buffer, 0, 1);
    const others = await Promise.all(
      [1, 2].map(() => rig.spawn(["count", ownFdPath(memory.fd), ownFdPath(data.fd), "40"])),
    );
    await contend(
      Array.from({ length: 4 }, () => rig.lock(memory)),
      20,
      counter,
    );
    for (const proc of others) assert.equal((await proc.waitForExit(60_000)).code, 0, proc.output());
    assert.equal(Atomics.load(counter, 0), 4 * 20 + 2 * 40);
  });

  it("goes on as the ticket counter wraps round", async (t) => {
    const rig = new LockRig(t);
    const memory = rig.memory();
    // Words 0 and 1 are the next ticket and the ticket served (ticket-words.ts): just short of 2^31.
    const words = new Int32Array(memory.buffer);
    words[0] = words[1] = 2 ** 31 - 3;
    const counter = new Int32Array(1);
    await contend(
      Array.from({ length: 3 }, () => rig.lock(memory)),
      4,
      counter,
    );
    assert.equal(counter[0], 12);
    assert.ok((words[1] ?? 0) < 0, "the ticket served wrapped round");
    const lock = rig.lock(memory);
    assert.equal(lock.tryLock(), "acquired");
    lock.unlock();
  });
});
