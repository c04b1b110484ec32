// Create and map: bytes cross mappings and processes, the segment has drover's header, and it exists
// only as a descriptor (no file in /dev/shm), named in /proc/<pid>/fd.
import assert from "node:assert/strict";
import { fstatSync, readlinkSync, readSync } from "node:fs";
import { test } from "node:test";
import { createShm, findShmOf, mapShm, memfdLink } from "../../src/shm/index.ts";
import { inheritedFd, spawnNode } from "../harness/process.ts";
import { assertGone, fixture, inDevShm, LAYOUT, LAYOUT_ARGS, testName } from "./fixtures/support.ts";

test("bytes written through one mapping are seen through another", { timeout: 10_000 }, () => {
  const name = testName("roundtrip");
  const owner = createShm(name, 4096, LAYOUT);
  const reader = mapShm(owner.fd, LAYOUT);
  try {
    assert.equal(owner.owner, true);
    assert.equal(reader.owner, false);
    assert.equal(owner.size, 4096);
    assert.equal(reader.size, 4096);
    assert.equal(owner.name, name);
    assert.equal(reader.name, name, "a mapped descriptor is named after its memfd");
    assert.equal(reader.fd, owner.fd);
    assert.equal(reader.buffer.byteLength, 4096);
    assert.ok(
      new Uint8Array(reader.buffer).every((byte) => byte === 0),
      "a new segment is zeroed",
    );
    new Uint8Array(owner.buffer).set([1, 2, 3], 4093);
    assert.deepEqual([...new Uint8Array(reader.buffer, 4093)], [1, 2, 3]);
    new Float64Array(reader.buffer)[0] = Math.PI;
    assert.equal(new Float64Array(owner.buffer)[0], Math.PI);
  } finally {
    reader.close();
    owner.close();
  }
});

test("a child given the descriptor at spawn sees our writes and we see its writes", {
  timeout: 20_000,
}, async (t) => {
  const name = testName("child");
  const segment = createShm(name, 64, LAYOUT);
  t.after(() => segment.close());
  const words = new Uint32Array(segment.buffer);
  Atomics.store(words, 0, 0xc0ffee);
  const child = await spawnNode(fixture("peer.ts"), [`${inheritedFd(0)}`, ...LAYOUT_ARGS, "4242"], {
    fds: [segment.fd],
  });
  try {
    const status = await child.waitForExit(15_000);
    assert.equal(status.code, 0, child.output());
    assert.match(child.output(), new RegExp(`seen ${0xc0ffee} size 64 owner false name ${name}`));
    assert.equal(Atomics.load(words, 1), 4242);
  } finally {
    await child.stop();
    assertGone(child.pid);
  }
});

test("the memfd holds a 64-byte drover header, then the payload", { timeout: 10_000 }, () => {
  const segment = createShm(testName("header"), 100, LAYOUT);
  try {
    assert.equal(fstatSync(segment.fd).size, 64 + 100);
    const file = Buffer.alloc(64 + 100);
    assert.equal(readSync(segment.fd, file, 0, file.length, 0), file.length);
    assert.equal(file.subarray(0, 8).toString("latin1"), "DROVERSM");
    assert.equal(file.readUInt32LE(8), 64); // header size
    assert.equal(file.readUInt32LE(12), LAYOUT.tag);
    assert.equal(file.readUInt32LE(16), LAYOUT.version);
    assert.equal(file.readUInt32LE(20), process.pid);
    assert.equal(file.readBigUInt64LE(24), 100n);
    // The buffer covers the payload only.
    new Uint8Array(segment.buffer)[0] = 0xab;
    readSync(segment.fd, file, 0, 1, 64);
    assert.equal(file[0], 0xab);
  } finally {
    segment.close();
  }
});

test("a segment is a descriptor only: nothing in /dev/shm, its name in /proc/<pid>/fd", {
  timeout: 10_000,
}, () => {
  const name = testName("nowhere");
  const segment = createShm(name, 64, LAYOUT);
  try {
    assert.deepEqual(inDevShm(name), []);
    assert.equal(readlinkSync(`/proc/self/fd/${segment.fd}`), memfdLink(name));
    assert.equal(findShmOf(process.pid, name), `/proc/${process.pid}/fd/${segment.fd}`);
    // Names need not be unique: a second segment of the same name is another segment.
    const twin = createShm(name, 64, LAYOUT);
    new Uint8Array(twin.buffer)[0] = 1;
    assert.equal(new Uint8Array(segment.buffer)[0], 0);
    twin.close();
  } finally {
    segment.close();
  }
  assert.equal(findShmOf(process.pid, name), undefined, "closing lets it go");
  assert.deepEqual(inDevShm(name), []);
});
