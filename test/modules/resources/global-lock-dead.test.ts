// Owners of the global lock's tickets that died: a waiter SIGKILLed in the queue is passed over, a
// holder whose pid now names another process is recovered from (not waited on for ever), and a ticket
// taken by a process that died before it said whose it is does not stop the queue.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "../../../src/errors.ts";
import { abandonLock } from "../../../src/modules/resources/global-lock.ts";
import { ownerId } from "../../../src/modules/resources/lock-owner.ts";
import { TicketWords } from "../../../src/modules/resources/ticket-words.ts";
import { processStat } from "../../../src/util/process-alive.ts";
import { assertDroverError } from "../../harness/errors.ts";
import { spawnProcess } from "../../harness/process.ts";
import { LockRig } from "./lock-rig.ts";

const noWake = () => {};

describe("GlobalLock and dead owners", { timeout: 60_000 }, () => {
  it("passes over a waiter SIGKILLed in the queue: the waiters behind it find it dead", async (t) => {
    const rig = new LockRig(t);
    const memory = rig.memory();
    const holder = rig.lock(memory);
    assert.equal(holder.tryLock(), "acquired");
    const dead = await rig.user("wait", memory);
    const behind = await rig.user("wait", memory);
    process.kill(dead.pid, "SIGKILL");
    await dead.waitForExit();
    holder.unlock();
    // "acquired": the dead one never held the lock, so nothing it protects was left half-done.
    await behind.waitForOutput(/got acquired/);
    assert.equal((await behind.waitForExit()).code, 0, behind.output());
    assert.equal(holder.tryLock(), "acquired");
    holder.unlock();
  });

  it("passes over a waiter SIGKILLed in the queue once the master reaps it, with nobody else waiting", async (t) => {
    const rig = new LockRig(t);
    const memory = rig.memory();
    const holder = rig.lock(memory);
    assert.equal(holder.tryLock(), "acquired");
    const dead = await rig.user("wait", memory);
    process.kill(dead.pid, "SIGKILL");
    await dead.waitForExit();
    holder.unlock();
    assert.equal(holder.tryLock(), false, "its turn came: nobody takes it, nobody checks");
    assert.equal(abandonLock(memory.buffer, dead.pid), false, "it waited, it did not hold");
    assert.equal(holder.tryLock(), "acquired");
    holder.unlock();
  });

  it("recovers from a holder whose pid now belongs to another process, and waits for a live one", async (t) => {
    const rig = new LockRig(t);
    const memory = rig.memory();
    const lock = rig.lock(memory);
    const other = await spawnProcess("sleep", ["60"], { cleanup: (stop) => t.after(stop) });
    const started = processStat(other.pid)?.startTime;
    assert.ok(started !== undefined && started > 0);
    const tickets = new TicketWords(memory.buffer, noWake);

    // The holder's record names the sleep's pid and its own start time: a live holder, waited for.
    const live = tickets.takeTicket();
    assert.ok(live !== undefined && tickets.claim(live, ownerId(other.pid, started)));
    assert.equal(tickets.take(live), "acquired");
    assertDroverError(
      await lock.lock({ timeoutMs: 350 }).catch((error: unknown) => error),
      ErrorCode.LOCK_TIMEOUT,
    );
    assert.equal(abandonLock(memory.buffer, other.pid), false, "a live process's ticket is not given up");
    assert.ok(tickets.release(live));

    // The same pid with another start time: the process that held it is gone, its pid reused.
    const reused = tickets.takeTicket();
    assert.ok(reused !== undefined && tickets.claim(reused, ownerId(other.pid, started - 1)));
    assert.equal(tickets.take(reused), "acquired");
    assert.equal(await lock.lock({ timeoutMs: 10_000 }), "recovered");
    assert.equal(lock.recoveries, 1);
    lock.unlock();

    // And the master, reaping a child whose pid is in use again by now, gives up the dead one's ticket.
    const again = tickets.takeTicket();
    assert.ok(again !== undefined && tickets.claim(again, ownerId(other.pid, started - 1)));
    assert.equal(tickets.take(again), "acquired");
    assert.equal(abandonLock(memory.buffer, other.pid), true);
    assert.equal(lock.tryLock(), "recovered");
    lock.unlock();
  });

  it("goes on past a ticket whose taker died before it said whose it was", async (t) => {
    const rig = new LockRig(t);
    const memory = rig.memory();
    const lock = rig.lock(memory);
    const tickets = new TicketWords(memory.buffer, noWake);
    assert.ok(tickets.takeTicket() !== undefined, "taken, never claimed");
    assert.equal(lock.tryLock(), false, "someone is in the queue");
    // Not "recovered": nobody held the lock.
    assert.equal(await lock.lock({ timeoutMs: 10_000 }), "acquired");
    lock.unlock();
    assert.equal(lock.tryLock(), "acquired");
    lock.unlock();
  });
});
