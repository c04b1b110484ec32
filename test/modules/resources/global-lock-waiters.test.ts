// Waiters of the global lock that give up (abort, timeout): they leave no abort listener and no
// thread behind, and the process queued behind them still gets the lock. Bad options are refused.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import { ErrorCode } from "../../../src/errors.ts";
import { GlobalLock } from "../../../src/modules/resources/global-lock.ts";
import { assertDroverError } from "../../harness/errors.ts";
import { futexThreads } from "../../harness/threads.ts";
import { waitFor } from "../../harness/wait.ts";
import { LockRig } from "./lock-rig.ts";

const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected the promise to reject");
}

describe("GlobalLock waiters that give up", { timeout: 60_000 }, () => {
  for (const how of ["abort", "timeout"] as const) {
    it(`on ${how}: remove their listener, end their thread, and let the process behind them through`, async (t) => {
      const rig = new LockRig(t);
      const memory = rig.memory();
      const holder = rig.lock(memory);
      const leaver = rig.lock(memory);
      assert.equal(holder.tryLock(), "acquired");
      const threadsBefore = futexThreads();

      // A long-lived signal, as a module would keep for its whole life.
      const life = new AbortController();
      const behind = await rig.user("wait-when-told", memory);
      const leaving = leaver.lock(
        how === "abort" ? { signal: life.signal } : { signal: life.signal, timeoutMs: 1_000 },
      );
      let left = false;
      const error = rejection(leaving).finally(() => {
        left = true;
      });
      assert.equal(listeners(life.signal), 1, "a waiter listens for the abort");
      const threadsWaiting = futexThreads();
      // Queued behind the leaver: its ticket is taken as its lock() returns.
      process.kill(behind.pid, "SIGUSR2");
      await behind.waitForOutput(/waiting/);
      assert.equal(left, false, "the process behind asked before the leaver gave up");

      if (how === "abort") life.abort(new Error("gave up"));
      if (how === "abort") assert.match(String(await error), /gave up/);
      else assertDroverError(await error, ErrorCode.LOCK_TIMEOUT);
      assert.equal(listeners(life.signal), 0, "the listener is removed");
      assert.equal(threadsWaiting, threadsBefore + 1, "it slept in a thread of its own");
      await waitFor("the leaver's thread to end", () => futexThreads() === threadsBefore);

      holder.unlock();
      await behind.waitForOutput(/got acquired/);
      assert.equal((await behind.waitForExit()).code, 0, behind.output());
      assert.equal(leaver.held, false);
      assert.equal(holder.tryLock(), "acquired", "nothing is left in the queue");
      holder.unlock();
    });
  }

  it("leave no listener on a long-lived signal after 50 waits that got the lock", async (t) => {
    const rig = new LockRig(t);
    const memory = rig.memory();
    const [first, second] = [rig.lock(memory), rig.lock(memory)] as [GlobalLock, GlobalLock];
    const life = new AbortController();
    assert.equal(first.tryLock(), "acquired");
    for (let i = 0; i < 50; i++) {
      const waiting = second.lock({ signal: life.signal, timeoutMs: 30_000 });
      assert.equal(listeners(life.signal), 1);
      first.unlock();
      assert.equal(await waiting, "acquired");
      const back = first.lock({ signal: life.signal });
      second.unlock();
      assert.equal(await back, "acquired");
    }
    first.unlock();
    assert.equal(listeners(life.signal), 0);
  });

  it("rejects at once for a signal already aborted, and changes nothing", async (t) => {
    const rig = new LockRig(t);
    const memory = rig.memory();
    const lock = rig.lock(memory);
    const error = await rejection(lock.lock({ signal: AbortSignal.abort(new Error("too late")) }));
    assert.match(String(error), /too late/);
    assert.equal(lock.held, false);
    assert.equal(lock.tryLock(), "acquired");
    lock.unlock();
  });

  it("refuses bad options with DROVER_ERR_LOCK_BAD_ARGUMENT, and bad memory", async (t) => {
    const rig = new LockRig(t);
    const memory = rig.memory();
    const lock = rig.lock(memory);
    for (const options of [
      { timeoutMs: -1 },
      { timeoutMs: Number.NaN },
      { timeoutMs: "5" },
      { signal: {} },
    ]) {
      const error = assertDroverError(
        await rejection(lock.lock(options as never)),
        ErrorCode.LOCK_BAD_ARGUMENT,
      );
      assert.match(error.message, /module "test" asked for its lock "lock"/);
    }
    assert.equal(lock.tryLock(), "acquired", "a refused call changes nothing");
    lock.unlock();
    for (const bad of [new ArrayBuffer(8), "memory", undefined]) {
      assert.throws(
        () => new GlobalLock("test", "small", bad as never),
        (error: unknown) => assertDroverError(error, ErrorCode.LOCK_BAD_ARGUMENT) !== undefined,
      );
    }
  });
});
