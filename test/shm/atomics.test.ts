// Atomics on the mapped ArrayBuffer are atomic across processes: the scoreboard relies on it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { createShm, removeShm } from "../../src/shm/index.ts";
import { type SpawnedProcess, spawnNode } from "../harness/process.ts";
import { assertGone, fixture, LAYOUT, testPath } from "./fixtures/support.ts";

const ITERATIONS = 1_000_000;

test("two processes doing Atomics.add 1,000,000 times each reach exactly 2,000,000", {
  timeout: 60_000,
}, async (t) => {
  const path = testPath("atomics");
  const segment = createShm(path, 64, LAYOUT);
  const i32 = new Int32Array(segment.buffer);
  const children: SpawnedProcess[] = [];
  try {
    const args = [path, `${LAYOUT.tag}`, `${LAYOUT.version}`, `${ITERATIONS}`];
    children.push(await spawnNode(fixture("adder.ts"), args), await spawnNode(fixture("adder.ts"), args));
    // Both adders are spinning on the start flag once both have announced themselves.
    while (Atomics.load(i32, 1) < 2) {
      for (const child of children) assert.equal(child.child.exitCode, null, child.output());
      await delay(5);
    }
    Atomics.store(i32, 2, 1);

    const results = [];
    for (const child of children) {
      const status = await child.waitForExit(50_000);
      assert.equal(status.code, 0, child.output());
      results.push(JSON.parse(child.output().trim()) as { interleaved: number });
    }
    assert.equal(Atomics.load(i32, 0), 2 * ITERATIONS);

    // Not asserted (scheduling decides them), but they show the test has teeth: the adds of the two
    // processes interleaved, and plain `+=` on the same memory loses updates that Atomics.add keeps.
    const interleaved = results.reduce((sum, result) => sum + result.interleaved, 0);
    t.diagnostic(`adds that found the other process's adds in between: ${interleaved}`);
    t.diagnostic(`plain read-modify-write counter: ${Atomics.load(i32, 4)} of ${2 * ITERATIONS}`);
  } finally {
    for (const child of children) await child.stop();
    segment.close();
    removeShm(path);
    for (const child of children) assertGone(child.pid);
  }
});
