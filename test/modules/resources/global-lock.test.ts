// The global lock across real processes: mutual exclusion, the synchronous and timed forms, misuse,
// and recovery from a holder killed by SIGKILL.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ErrorCode, isDroverError } from "../../../src/errors.ts";
import { abandonLock, GlobalLock, LOCK_BYTES } from "../../../src/modules/resources/global-lock.ts";
import { RESOURCE_LAYOUT } from "../../../src/modules/resources/resource-spec.ts";
import { createShm, type ShmSegment } from "../../../src/shm/index.ts";
import { inheritedFd, isAlive, type SpawnedProcess, spawnNode } from "../../harness/process.ts";
import { testShmName } from "../../harness/temp.ts";

const USER = fileURLToPath(new URL("fixtures/lock-user.ts", import.meta.url));

let segments: ShmSegment[] = [];
let processes: SpawnedProcess[] = [];

afterEach(async () => {
  for (const proc of processes) {
    await proc.stop();
    assert.equal(isAlive(proc.pid), false);
  }
  for (const segment of segments) segment.close();
  processes = [];
  segments = [];
});

function makeLock(): { fd: number; buffer: ArrayBuffer; lock: GlobalLock } {
  const segment = createShm(testShmName("lock"), LOCK_BYTES, RESOURCE_LAYOUT.lock);
  segments.push(segment);
  return { fd: segment.fd, buffer: segment.buffer, lock: new GlobalLock("test", "lock", segment.buffer) };
}

async function holder(lockFd: number): Promise<SpawnedProcess> {
  const proc = await spawnNode(USER, ["hold", `${inheritedFd(0)}`], { ready: /holding \d+/, fds: [lockFd] });
  processes.push(proc);
  return proc;
}

function code(error: unknown): string | undefined {
  return isDroverError(error) ? error.code : undefined;
}

describe("GlobalLock", { timeout: 60_000 }, () => {
  it("lets one process at a time through: 3 processes x 300 yielding updates lose none", async () => {
    const { fd: lockFd } = makeLock();
    const data = createShm(testShmName("data"), 8, RESOURCE_LAYOUT.memory);
    segments.push(data);
    const args = ["count", `${inheritedFd(0)}`, `${inheritedFd(1)}`, "300"];
    const users = await Promise.all([1, 2, 3].map(() => spawnNode(USER, args, { fds: [lockFd, data.fd] })));
    processes.push(...users);
    for (const user of users) assert.equal((await user.waitForExit(50_000)).code, 0, user.output());
    assert.equal(new Int32Array(data.buffer)[0], 900);
  });

  it("refuses at once, or after a timeout, or on abort, while another process holds it", async () => {
    const { fd, lock } = makeLock();
    await holder(fd);
    assert.equal(lock.tryLock(), false);
    assert.equal(lock.held, false);
    await assert.rejects(lock.lock({ timeoutMs: 150 }), (error) => code(error) === ErrorCode.LOCK_TIMEOUT);
    const abort = new AbortController();
    const waiting = lock.lock({ signal: abort.signal });
    abort.abort(new Error("gave up"));
    await assert.rejects(waiting, /gave up/);
    assert.throws(
      () => lock.unlock(),
      (error) => code(error) === ErrorCode.LOCK_NOT_HELD,
    );
  });

  it("serves the waiters of one process in order, and is not reentrant", async () => {
    const { lock } = makeLock();
    assert.equal(lock.tryLock(), "acquired");
    assert.equal(lock.tryLock(), false, "a holder asking again does not get it twice");
    const order: number[] = [];
    const first = lock.lock().then(() => order.push(1));
    const second = lock.lock().then(() => order.push(2));
    lock.unlock();
    await first;
    assert.deepEqual(order, [1]);
    lock.unlock();
    await second;
    lock.unlock();
    assert.deepEqual(order, [1, 2]);
    assert.equal(lock.held, false);
  });

  it("is taken over, as recovered, from a holder killed by SIGKILL", async () => {
    const { fd, lock } = makeLock();
    const proc = await holder(fd);
    const waiting = lock.lock();
    process.kill(proc.pid, "SIGKILL");
    assert.equal(await waiting, "recovered");
    assert.equal(lock.recoveries, 1);
    lock.unlock();
    assert.equal(lock.tryLock(), "acquired", "after a recovery the lock is plain again");
    lock.unlock();
  });

  it("tells the next holder 'recovered' once the master marks a dead holder's lock abandoned", async () => {
    const { fd, buffer, lock } = makeLock();
    const proc = await holder(fd);
    process.kill(proc.pid, "SIGKILL");
    await proc.waitForExit();
    assert.equal(abandonLock(buffer, proc.pid + 1), false, "only the holder's own lock is marked");
    assert.equal(abandonLock(buffer, proc.pid), true);
    assert.equal(lock.tryLock(), "recovered");
    lock.unlock();
  });
});
