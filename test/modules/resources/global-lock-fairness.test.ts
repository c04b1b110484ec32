// The global lock goes round the processes in turn: a process with one caller that asks again at
// once does not starve a process with four, nor the four the one (the turns both wanted split
// about evenly, not 4:1), and no caller waits longer than the turns ahead of it.
import assert from "node:assert/strict";
import { after, it } from "node:test";
import { fileURLToPath } from "node:url";
import { GlobalLock, LOCK_BYTES } from "../../../src/modules/resources/global-lock.ts";
import { RESOURCE_LAYOUT } from "../../../src/modules/resources/resource-spec.ts";
import { createShm } from "../../../src/shm/index.ts";
import { isAlive, type SpawnedProcess, spawnNode } from "../../harness/process.ts";
import { ownFdPath, testShmName } from "../../harness/temp.ts";

const HAMMER = fileURLToPath(new URL("fixtures/lock-hammer.ts", import.meta.url));
const TOTAL = 3000;

it("shares the lock fairly between a process with 4 callers and one with 1, each waiting its turn", {
  timeout: 90_000,
}, async () => {
  const lockShm = createShm(testShmName("lock"), LOCK_BYTES, RESOURCE_LAYOUT.lock);
  const data = createShm(testShmName("data"), 12, RESOURCE_LAYOUT.memory);
  const processes: SpawnedProcess[] = [];
  after(async () => {
    for (const proc of processes) {
      await proc.stop();
      assert.equal(isAlive(proc.pid), false);
    }
    lockShm.close();
    data.close();
  });
  // Held here until both processes have every caller asking, so that they start together.
  const gate = new GlobalLock("test", "lock", lockShm.buffer);
  assert.equal(gate.tryLock(), "acquired");
  const callers = { four: 4, one: 1 };
  const [four, one] = await Promise.all(
    Object.values(callers).map((count, side) =>
      spawnNode(
        HAMMER,
        [ownFdPath(lockShm.fd), ownFdPath(data.fd), String(count), String(TOTAL), String(side)],
        { ready: /ready/ },
      ),
    ),
  );
  assert.ok(four && one);
  processes.push(four, one);
  gate.unlock();

  const results = [];
  for (const [proc, count] of [
    [four, callers.four],
    [one, callers.one],
  ] as const) {
    assert.equal((await proc.waitForExit(60_000)).code, 0, proc.output());
    const line = proc.output().trim().split("\n").at(-1) ?? "";
    const result = JSON.parse(line) as { acquired: number; contended: number; worstWait: number };
    results.push({ ...result, count });
  }
  const [ofFour, ofOne] = results;
  assert.ok(ofFour && ofOne);
  assert.equal(ofFour.acquired + ofOne.acquired, TOTAL);
  // Shares of the turns taken while the other process had a caller waiting: a process that the
  // system deschedules between its release and its next ask is not waiting, and the other takes
  // turns alone meanwhile (hundreds, beside a busy CPU), so raw totals measure the scheduler.
  const shares = `contended turns of 4 callers: ${ofFour.contended}, of 1 caller: ${ofOne.contended}; all turns: ${ofFour.acquired}, ${ofOne.acquired}`;
  const contended = ofFour.contended + ofOne.contended;
  assert.ok(contended >= TOTAL / 3, `the processes mostly wanted the lock at once (${shares})`);
  assert.ok(ofFour.contended >= contended / 3, `each process gets a fair share (${shares})`);
  assert.ok(ofOne.contended >= contended / 3, `each process gets a fair share (${shares})`);
  // A caller waits for the callers of its own process ahead of it, each with one turn of every
  // process: at most callers x processes turns (plus the one in progress as it asked).
  for (const { count, worstWait } of results) {
    assert.ok(worstWait <= count * 2 + 1, `a caller of ${count} waited ${worstWait} turns (${shares})`);
  }
});
