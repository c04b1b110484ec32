// close(), garbage collection and process exit: the memory is unmapped exactly once, never while
// JavaScript can still reach it; the owner's close also closes its descriptor, and the memory itself
// lives exactly as long as some process holds a descriptor or a mapping of it.
import assert from "node:assert/strict";
import { constants, fstatSync, openSync } from "node:fs";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { createShm, findShmOf, mapShm } from "../../src/shm/index.ts";
import { throwsCode } from "../harness/errors.ts";
import { inheritedFd, spawnNode, spawnProcess } from "../harness/process.ts";
import { assertGone, fixture, LAYOUT, LAYOUT_ARGS, mappings, testName } from "./fixtures/support.ts";

test("the owner's close unmaps and closes the descriptor; close is idempotent", { timeout: 10_000 }, () => {
  const name = testName("owner-close");
  const segment = createShm(name, 4096, LAYOUT);
  const buffer = segment.buffer;
  const view = new Int32Array(buffer);
  view[0] = 1;
  assert.equal(mappings(name), 1);

  segment.close();
  assert.equal(findShmOf(process.pid, name), undefined, "the owner's close closes the descriptor");
  assert.equal(mappings(name), 0, "the mapping is gone from /proc/self/maps");
  assert.equal(buffer.byteLength, 0, "the buffer is detached");
  assert.equal(buffer.detached, true);
  assert.equal(view.length, 0, "views over it are empty");
  assert.equal(view[0], undefined, "reads through an old view touch nothing");
  view[0] = 5; // writes through an old view are dropped, not a segfault
  throwsCode(() => segment.buffer, "DROVER_ERR_SHM_CLOSED");

  segment.close();
  segment.close();
  assert.equal(segment.size, 4096, "metadata stays readable");
});

test("a mapping's close leaves the descriptor, unless closeFd", { timeout: 10_000 }, () => {
  const name = testName("reader-close");
  const owner = createShm(name, 64, LAYOUT);
  try {
    const reader = mapShm(owner.fd, LAYOUT);
    const buffer = reader.buffer;
    assert.equal(mappings(name), 2);
    reader.close();
    reader.close();
    assert.equal(buffer.byteLength, 0);
    assert.equal(mappings(name), 1, "only the owner's mapping is left");
    assert.equal(fstatSync(owner.fd).size, 64 + 64, "the descriptor is still open");
    assert.equal(owner.buffer.byteLength, 64, "other mappings are untouched");

    const fd = openSync(`/proc/self/fd/${owner.fd}`, constants.O_RDWR);
    const own = mapShm(fd, LAYOUT, { closeFd: true });
    own.close();
    assert.throws(() => fstatSync(fd), { code: "EBADF" }, "closeFd closes it");
  } finally {
    owner.close();
  }
});

test("a mapping outlives every descriptor: the memory goes with the last of either", {
  timeout: 10_000,
}, () => {
  const name = testName("outlives");
  const owner = createShm(name, 64, LAYOUT);
  const reader = mapShm(owner.fd, LAYOUT);
  owner.close();
  assert.equal(findShmOf(process.pid, name), undefined);
  new Uint8Array(reader.buffer)[3] = 9;
  assert.equal(new Uint8Array(reader.buffer)[3], 9);
  assert.equal(mappings(name), 1);
  reader.close();
  assert.equal(mappings(name), 0);
});

async function runGcFixture(mode: "drop" | "transfer", expected: Record<string, number>, byte: number) {
  const owner = createShm(testName(`gc-${mode}`), 4096, LAYOUT);
  const args = ["--expose-gc", fixture("gc-unmap.ts"), `${inheritedFd(0)}`, ...LAYOUT_ARGS, mode];
  const child = await spawnProcess(process.execPath, args, { fds: [owner.fd] });
  try {
    const status = await child.waitForExit(15_000);
    assert.equal(status.code, 0, child.output());
    assert.deepEqual(JSON.parse(child.output().trim()), expected);
    assert.equal(
      new Uint8Array(owner.buffer)[mode === "drop" ? 0 : 1],
      byte,
      "the child wrote through its mapping",
    );
  } finally {
    await child.stop();
    owner.close();
    assertGone(child.pid);
  }
}

test("a segment dropped without close() is unmapped by the garbage collector", { timeout: 20_000 }, () =>
  runGcFixture("drop", { before: 1, after: 0 }, 7),
);

test(
  "memory moved by buffer.transfer() outlives close() and is unmapped by the garbage collector",
  { timeout: 20_000 },
  () => runGcFixture("transfer", { before: 1, afterClose: 1, after: 0 }, 8),
);

for (const how of ["natural", "exit"]) {
  test(`a process that ends (${how}) holding mappings in every state exits cleanly`, {
    timeout: 20_000,
  }, async () => {
    const owner = createShm(testName(`exit-${how}`), 64, LAYOUT);
    const child = await spawnNode(fixture("exit-mapped.ts"), [`${inheritedFd(0)}`, ...LAYOUT_ARGS, how], {
      fds: [owner.fd],
    });
    try {
      const status = await child.waitForExit(15_000);
      assert.deepEqual(status, { code: 0, signal: null }, child.output());
      assert.match(child.output(), /holding 5/);
      assert.equal(new Uint8Array(owner.buffer)[0], 1);
    } finally {
      await child.stop();
      owner.close();
      assertGone(child.pid);
    }
  });
}

test("a worker thread's mappings are its own, and are unmapped when it is terminated", {
  timeout: 20_000,
}, async () => {
  const name = testName("worker");
  const owner = createShm(name, 64, LAYOUT);
  try {
    for (let round = 1; round <= 2; round++) {
      const worker = new Worker(fixture("worker.ts"), { workerData: { fd: owner.fd, ...LAYOUT } });
      try {
        await new Promise((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
        });
        assert.equal(mappings(name), 2);
        assert.equal(Atomics.load(new Int32Array(owner.buffer), 0), 5 * round);
      } finally {
        await worker.terminate();
      }
      for (let turn = 0; turn < 50 && mappings(name) > 1; turn++) await new Promise(setImmediate);
      assert.equal(mappings(name), 1, "the worker's mapping went with it");
    }
  } finally {
    owner.close();
  }
});
