// close(), garbage collection and process exit: the memory is unmapped exactly once, never while
// JavaScript can still reach it, and the owner's file goes with the owner's close().
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { createShm, openShm, removeShm } from "../../src/shm/index.ts";
import { throwsCode } from "../harness/errors.ts";
import { spawnNode, spawnProcess } from "../harness/process.ts";
import { assertGone, fixture, LAYOUT, mappings, testPath } from "./fixtures/support.ts";

test("the owner's close unmaps and removes the file; close is idempotent", { timeout: 10_000 }, () => {
  const path = testPath("owner-close");
  try {
    const segment = createShm(path, 4096, LAYOUT);
    const buffer = segment.buffer;
    const view = new Int32Array(buffer);
    view[0] = 1;
    assert.equal(mappings(path), 1);

    segment.close();
    assert.equal(existsSync(path), false, "the owner's close removes the file");
    assert.equal(mappings(path), 0, "the mapping is gone from /proc/self/maps");
    assert.equal(buffer.byteLength, 0, "the buffer is detached");
    assert.equal(buffer.detached, true);
    assert.equal(view.length, 0, "views over it are empty");
    assert.equal(view[0], undefined, "reads through an old view touch nothing");
    view[0] = 5; // writes through an old view are dropped, not a segfault
    throwsCode(() => segment.buffer, "DROVER_ERR_SHM_CLOSED");

    segment.close();
    segment.close();
    assert.equal(segment.size, 4096, "metadata stays readable");
  } finally {
    removeShm(path);
  }
});

test("a non-owner's close unmaps but leaves the file", { timeout: 10_000 }, () => {
  const path = testPath("reader-close");
  try {
    const owner = createShm(path, 64, LAYOUT);
    const reader = openShm(path, LAYOUT);
    const buffer = reader.buffer;
    assert.equal(mappings(path), 2);
    reader.close();
    reader.close();
    assert.equal(buffer.byteLength, 0);
    assert.equal(mappings(path), 1, "only the owner's mapping is left");
    assert.equal(existsSync(path), true, "a reader never removes the file");
    assert.equal(owner.buffer.byteLength, 64, "other mappings are untouched");
    owner.close();
    assert.equal(mappings(path), 0);
  } finally {
    removeShm(path);
  }
});

test("removing the file keeps existing mappings valid", { timeout: 10_000 }, () => {
  const path = testPath("unlinked");
  try {
    const owner = createShm(path, 64, LAYOUT);
    const reader = openShm(path, LAYOUT);
    assert.equal(removeShm(path), true);
    assert.equal(removeShm(path), false);
    new Uint8Array(owner.buffer)[3] = 9;
    assert.equal(new Uint8Array(reader.buffer)[3], 9);
    reader.close();
    owner.close(); // the file is already gone: nothing to remove, no error
    assert.equal(mappings(path), 0);
  } finally {
    removeShm(path);
  }
});

async function runGcFixture(mode: "drop" | "transfer", expected: Record<string, number>, byte: number) {
  const path = testPath(`gc-${mode}`);
  const owner = createShm(path, 4096, LAYOUT);
  const args = ["--expose-gc", fixture("gc-unmap.ts"), path, `${LAYOUT.tag}`, `${LAYOUT.version}`, mode];
  const child = await spawnProcess(process.execPath, args);
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
    removeShm(path);
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
    const path = testPath(`exit-${how}`);
    const owner = createShm(path, 64, LAYOUT);
    const child = await spawnNode(fixture("exit-mapped.ts"), [
      path,
      `${LAYOUT.tag}`,
      `${LAYOUT.version}`,
      how,
    ]);
    try {
      const status = await child.waitForExit(15_000);
      assert.deepEqual(status, { code: 0, signal: null }, child.output());
      assert.match(child.output(), /holding 5/);
      assert.equal(new Uint8Array(owner.buffer)[0], 1);
      assert.equal(existsSync(path), true, "a reader's exit leaves the file");
    } finally {
      await child.stop();
      owner.close();
      removeShm(path);
      assertGone(child.pid);
    }
  });
}

test("a worker thread's mappings are its own, and are unmapped when it is terminated", {
  timeout: 20_000,
}, async () => {
  const path = testPath("worker");
  const owner = createShm(path, 64, LAYOUT);
  try {
    for (let round = 1; round <= 2; round++) {
      const worker = new Worker(fixture("worker.ts"), { workerData: { path, ...LAYOUT } });
      try {
        await new Promise((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
        });
        assert.equal(mappings(path), 2);
        assert.equal(Atomics.load(new Int32Array(owner.buffer), 0), 5 * round);
      } finally {
        await worker.terminate();
      }
      for (let turn = 0; turn < 50 && mappings(path) > 1; turn++) await new Promise(setImmediate);
      assert.equal(mappings(path), 1, "the worker's mapping went with it");
    }
  } finally {
    owner.close();
    removeShm(path);
  }
});
