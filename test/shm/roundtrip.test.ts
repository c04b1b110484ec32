// Create and open: bytes cross mappings and processes, the file has drover's header, options apply.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { test } from "node:test";
import { createShm, openShm, removeShm } from "../../src/shm/index.ts";
import { spawnNode } from "../harness/process.ts";
import { assertGone, fixture, LAYOUT, tempFiles, testPath } from "./fixtures/support.ts";

test("bytes written through one mapping are seen through another", { timeout: 10_000 }, () => {
  const path = testPath("roundtrip");
  try {
    const owner = createShm(path, 4096, LAYOUT);
    const reader = openShm(path, LAYOUT);
    assert.equal(owner.owner, true);
    assert.equal(reader.owner, false);
    assert.equal(owner.size, 4096);
    assert.equal(reader.size, 4096);
    assert.equal(owner.path, path);
    assert.equal(reader.buffer.byteLength, 4096);
    assert.ok(
      new Uint8Array(reader.buffer).every((byte) => byte === 0),
      "a new segment is zeroed",
    );

    new Uint8Array(owner.buffer).set([1, 2, 3], 4093);
    assert.deepEqual([...new Uint8Array(reader.buffer, 4093)], [1, 2, 3]);
    new Float64Array(reader.buffer)[0] = Math.PI;
    assert.equal(new Float64Array(owner.buffer)[0], Math.PI);
    reader.close();
    owner.close();
  } finally {
    removeShm(path);
  }
});

test("a child process sees our writes and we see its writes", { timeout: 20_000 }, async () => {
  const path = testPath("child");
  const segment = createShm(path, 64, LAYOUT);
  let pid: number | undefined;
  try {
    const words = new Uint32Array(segment.buffer);
    Atomics.store(words, 0, 0xc0ffee);
    const child = await spawnNode(fixture("peer.ts"), [path, `${LAYOUT.tag}`, `${LAYOUT.version}`, "4242"]);
    pid = child.pid;
    try {
      const status = await child.waitForExit(15_000);
      assert.equal(status.code, 0, child.output());
      assert.match(child.output(), new RegExp(`seen ${0xc0ffee} size 64 owner false`));
      assert.equal(Atomics.load(words, 1), 4242);
    } finally {
      await child.stop();
    }
  } finally {
    segment.close();
    removeShm(path);
    if (pid !== undefined) assertGone(pid);
  }
});

test("the file is a 64-byte drover header followed by the payload", { timeout: 10_000 }, () => {
  const path = testPath("header");
  try {
    const segment = createShm(path, 100, LAYOUT);
    const file = readFileSync(path);
    assert.equal(file.length, 64 + 100);
    assert.equal(file.subarray(0, 8).toString("latin1"), "DROVERSM");
    assert.equal(file.readUInt32LE(8), 64); // header size
    assert.equal(file.readUInt32LE(12), LAYOUT.tag);
    assert.equal(file.readUInt32LE(16), LAYOUT.version);
    assert.equal(file.readUInt32LE(20), process.pid);
    assert.equal(file.readBigUInt64LE(24), 100n);
    // The buffer covers the payload only.
    new Uint8Array(segment.buffer)[0] = 0xab;
    assert.equal(readFileSync(path)[64], 0xab);
    segment.close();
  } finally {
    removeShm(path);
  }
});

test("the mode is applied exactly (0600 by default), whatever the umask", { timeout: 10_000 }, () => {
  const first = testPath("mode-default");
  const second = testPath("mode-group");
  const umask = process.umask(0o077);
  try {
    const a = createShm(first, 64, LAYOUT);
    const b = createShm(second, 64, LAYOUT, { mode: 0o660 });
    assert.equal(statSync(first).mode & 0o777, 0o600);
    assert.equal(statSync(second).mode & 0o777, 0o660);
    a.close();
    b.close();
  } finally {
    process.umask(umask);
    removeShm(first);
    removeShm(second);
  }
});

test("replace swaps the file atomically; openers of the old one keep their memory", {
  timeout: 10_000,
}, () => {
  const path = testPath("replace");
  try {
    const old = createShm(path, 64, LAYOUT);
    const oldReader = openShm(path, LAYOUT);
    new Uint8Array(old.buffer)[0] = 1;
    const fresh = createShm(path, 128, { tag: LAYOUT.tag, version: LAYOUT.version + 1 }, { replace: true });
    new Uint8Array(fresh.buffer)[0] = 2;
    assert.equal(new Uint8Array(oldReader.buffer)[0], 1, "the old mapping still holds the old file");
    const reader = openShm(path, { tag: LAYOUT.tag, version: LAYOUT.version + 1 });
    assert.equal(reader.size, 128);
    assert.equal(new Uint8Array(reader.buffer)[0], 2);
    // The old owner's close must not remove the file that replaced its own.
    old.close();
    assert.equal(statSync(path).size, 64 + 128);
    for (const segment of [oldReader, reader, fresh]) segment.close();
    assert.deepEqual(tempFiles(dirname(path)), []);
  } finally {
    removeShm(path);
  }
});

test("creation leaves no temporary file behind, on success or on refusal", { timeout: 10_000 }, () => {
  const path = testPath("temp");
  try {
    const segment = createShm(path, 64, LAYOUT);
    assert.throws(() => createShm(path, 64, LAYOUT), { code: "DROVER_ERR_SHM_EXISTS" });
    assert.deepEqual(tempFiles(dirname(path)), []);
    segment.close();
  } finally {
    removeShm(path);
  }
});
