// A segment's size is sealed before anyone else sees it: no holder of its descriptor, the creator and
// root included, can shrink or grow it, so no mapping of it can ever fault (SIGBUS) on lost pages.
// This is what keeps the children's user from crashing the root master (review D9, chaos D1).
import assert from "node:assert/strict";
import { closeSync, constants, fstatSync, ftruncateSync, openSync } from "node:fs";
import { test } from "node:test";
import { createShm } from "../../src/shm/index.ts";
import { assertRoot } from "../harness/preconditions.ts";
import { inheritedFd, spawnNode } from "../harness/process.ts";
import { assertGone, fixture, LAYOUT, LAYOUT_ARGS, testName } from "./fixtures/support.ts";

const SIZE = 256 * 1024;

/** Reads every byte of `buffer` (a truncated mapping would SIGBUS on the first lost page). */
function sumOf(buffer: ArrayBuffer): number {
  let sum = 0;
  for (const byte of new Uint8Array(buffer)) sum += byte;
  return sum;
}

test("the owner can neither shrink nor grow it, not even through a reopened descriptor", {
  timeout: 10_000,
}, () => {
  const segment = createShm(testName("seal-owner"), SIZE, LAYOUT);
  const reopened = openSync(`/proc/self/fd/${segment.fd}`, constants.O_RDWR);
  try {
    new Uint8Array(segment.buffer).fill(1);
    for (const fd of [segment.fd, reopened]) {
      assert.throws(() => ftruncateSync(fd, 0), { code: "EPERM" }, "shrinking is sealed");
      assert.throws(() => ftruncateSync(fd, 64), { code: "EPERM" });
      assert.throws(() => ftruncateSync(fd, 64 + SIZE * 2), { code: "EPERM" }, "growing is sealed");
    }
    assert.equal(fstatSync(segment.fd).size, 64 + SIZE);
    assert.equal(sumOf(segment.buffer), SIZE, "every page is still there");
  } finally {
    closeSync(reopened);
    segment.close();
  }
});

test("a process running as uid 65534 that inherited it cannot resize it, yet maps and writes it", {
  timeout: 20_000,
}, async (t) => {
  assertRoot("to drop to uid 65534");
  const segment = createShm(testName("seal-nobody"), SIZE, LAYOUT);
  t.after(() => segment.close());
  new Uint8Array(segment.buffer).fill(1, 64);
  const child = await spawnNode(fixture("as-nobody.ts"), ["resize", `${inheritedFd(0)}`, ...LAYOUT_ARGS], {
    fds: [segment.fd],
  });
  try {
    const status = await child.waitForExit(15_000);
    assert.deepEqual(status, { code: 0, signal: null }, child.output());
    const result = JSON.parse(child.output().trim()) as Record<string, unknown>;
    assert.deepEqual(result, { uid: 65534, code: "none", shrink: "EPERM", grow: "EPERM", size: SIZE });
  } finally {
    await child.stop();
    assertGone(child.pid);
  }
  // The master's side: the whole mapping reads fine (no SIGBUS), and the child's write is in it.
  assert.equal(fstatSync(segment.fd).size, 64 + SIZE);
  assert.equal(Atomics.load(new Int32Array(segment.buffer), 2), 0x600d);
  assert.equal(sumOf(segment.buffer), SIZE - 64 + 0x0d + 0x60, "every page is still there");
});
