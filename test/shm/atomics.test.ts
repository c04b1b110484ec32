// Atomics on the mapped ArrayBuffer are atomic across processes: the scoreboard relies on it. The
// test proves that the two writers really raced: a plain read-modify-write counter beside the atomic
// one must lose updates (which needs them on two CPUs at once), or the attempt does not count.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createShm } from "../../src/shm/index.ts";
import { assertCpus } from "../harness/preconditions.ts";
import { inheritedFd, type SpawnedProcess, spawnNode } from "../harness/process.ts";
import { waitFor } from "../harness/wait.ts";
import { assertGone, fixture, LAYOUT, LAYOUT_ARGS, testName } from "./fixtures/support.ts";

const ITERATIONS = 1_000_000;
// Two adders on two CPUs overlap at once nearly always; a few attempts absorb a badly loaded machine.
const ATTEMPTS = 5;

async function race(): Promise<{ atomic: number; plain: number; interleaved: number }> {
  const segment = createShm(testName("atomics"), 64, LAYOUT);
  const i32 = new Int32Array(segment.buffer);
  const children: SpawnedProcess[] = [];
  try {
    const args = [`${inheritedFd(0)}`, ...LAYOUT_ARGS, `${ITERATIONS}`];
    for (let i = 0; i < 2; i++)
      children.push(await spawnNode(fixture("adder.ts"), args, { fds: [segment.fd] }));
    // Both adders spin on the start flag once both have announced themselves.
    await waitFor(
      "both adders ready",
      () => {
        for (const child of children) assert.equal(child.child.exitCode, null, child.output());
        return Atomics.load(i32, 1) === 2;
      },
      30_000,
      5,
    );
    Atomics.store(i32, 2, 1);
    let interleaved = 0;
    for (const child of children) {
      const status = await child.waitForExit(50_000);
      assert.equal(status.code, 0, child.output());
      interleaved += (JSON.parse(child.output().trim()) as { interleaved: number }).interleaved;
    }
    return { atomic: Atomics.load(i32, 0), plain: Atomics.load(i32, 4), interleaved };
  } finally {
    for (const child of children) await child.stop();
    segment.close();
    for (const child of children) assertGone(child.pid);
  }
}

test("two processes doing Atomics.add 1,000,000 times each, at the same time, reach exactly 2,000,000", {
  timeout: 300_000,
}, async (t) => {
  assertCpus(2, "for the adders to race");
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const { atomic, plain, interleaved } = await race();
    assert.equal(atomic, 2 * ITERATIONS, "no atomic add was lost");
    assert.ok(interleaved > 0, "the adds of the two processes interleaved");
    t.diagnostic(`attempt ${attempt}: plain counter ${plain} of ${atomic}, ${interleaved} interleavings`);
    // The plain `+=` lost updates: the two really ran read-modify-writes on the same memory at once.
    if (plain < atomic) return;
  }
  assert.fail(`in ${ATTEMPTS} attempts the two adders never ran at the same time: the test proved nothing`);
});
