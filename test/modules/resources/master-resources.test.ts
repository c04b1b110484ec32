// Module resources as the master keeps them across generations, and as a child attaches them.
import assert from "node:assert/strict";
import { readlinkSync } from "node:fs";
import { afterEach, describe, it } from "node:test";
import { ErrorCode, isDroverError } from "../../../src/errors.ts";
import { ChildResources } from "../../../src/modules/resources/child-resources.ts";
import { MasterResources } from "../../../src/modules/resources/master-resources.ts";
import { type ResourceSpec, resourceSegmentName } from "../../../src/modules/resources/resource-spec.ts";
import { findShmOf, memfdLink } from "../../../src/shm/index.ts";
import { runTag } from "../../harness/temp.ts";

let resources: MasterResources | undefined;
let runId = "";
afterEach(() => resources?.close());

function master(): MasterResources {
  runId = `test-${runTag}-${Math.random().toString(36).slice(2, 8)}`;
  resources = new MasterResources({ runId });
  return resources;
}

/** Whether the master still holds `spec`'s memfd (the name shows in /proc/self/fd). */
function live(owner: MasterResources, spec: ResourceSpec): boolean {
  const name = resourceSegmentName(runId, spec.kind, spec.module, spec.name);
  const found = findShmOf(process.pid, name) !== undefined;
  let fd: number | undefined;
  try {
    fd = owner.descriptorsOf([spec])[0];
  } catch (error) {
    assert.ok(isDroverError(error, ErrorCode.MODULE_RESOURCE));
  }
  assert.equal(fd !== undefined, found, `${name}: the master's table and its descriptors agree`);
  if (fd !== undefined) assert.equal(readlinkSync(`/proc/self/fd/${fd}`), memfdLink(name));
  return found;
}

function refusal(action: () => unknown, pattern: RegExp): void {
  assert.throws(
    action,
    (error) => isDroverError(error, ErrorCode.MODULE_RESOURCE) && pattern.test(error.message),
  );
}

describe("module resources", () => {
  it("finds the same memory and lock again in the next generation, contents intact", () => {
    const owner = master();
    const first = owner.generation();
    const memory = first.forModule("counter").shm.create("hits", 16);
    first.forModule("counter").locks.create("hits");
    assert.equal(memory.created, true);
    new Int32Array(memory.buffer)[0] = 42;
    owner.commit(first);

    const second = owner.generation();
    const again = second.forModule("counter").shm.create("hits", 16);
    second.forModule("counter").locks.create("hits");
    assert.equal(new Int32Array(again.buffer)[0], 42);
    assert.equal(again.created, false);
    assert.deepEqual(
      second.descriptors(),
      first.descriptors(),
      "the same memfds: old and new children share them",
    );
    assert.equal(second.created.size, 0);
  });

  it("refuses a second creation, a new size while running, and a bad name or size", () => {
    const owner = master();
    const first = owner.generation();
    const creators = first.forModule("m");
    creators.shm.create("data", 64);
    refusal(() => creators.shm.create("data", 64), /module "m"'s shared memory "data" is created twice/);
    refusal(() => creators.shm.create("a/b", 8), /use 1 to 64 letters/);
    refusal(() => creators.shm.create("zero", 0), /needs a size in bytes/);
    owner.commit(first);
    refusal(
      () => owner.generation().forModule("m").shm.create("data", 128),
      /has 64 bytes and the running children use it: its size cannot change while drover runs/,
    );
  });

  it("removes, on commit, what the new generation no longer creates, and on rollback what it made first", () => {
    const owner = master();
    const first = owner.generation();
    first.forModule("kept").shm.create("data", 8);
    first.forModule("dropped").locks.create("lock");
    owner.commit(first);
    const [kept, dropped] = first.specs();
    assert.ok(kept && dropped && live(owner, kept) && live(owner, dropped));

    const failed = owner.generation();
    failed.forModule("kept").shm.create("data", 8);
    failed.forModule("added").shm.create("data", 8);
    const added = failed.specs()[1];
    owner.rollback(failed);
    assert.ok(added && !live(owner, added), "a failed generation's new memory is gone");
    assert.ok(live(owner, kept) && live(owner, dropped), "the running generation's stay");

    const next = owner.generation();
    next.forModule("kept").shm.create("data", 8);
    owner.commit(next);
    assert.ok(live(owner, kept));
    assert.ok(!live(owner, dropped), "no module of the new generation creates it any more");

    owner.close();
    assert.ok(!live(owner, kept));
  });

  it("lets a child attach its module's resources, or another module's by name", () => {
    const owner = master();
    const generation = owner.generation();
    new Uint8Array(generation.forModule("counter").shm.create("hits", 8).buffer)[0] = 7;
    generation.forModule("counter").locks.create("hits");
    const specs = generation.specs();
    // The child's descriptors for them: here the master's own, as `drover --single` passes them.
    const child = new ChildResources(specs, owner.descriptorsOf(specs));

    assert.equal(new Uint8Array(child.forModule("counter").shm.attach("hits").buffer)[0], 7);
    const lock = child.forModule("reader").locks.attach("hits", { module: "counter" });
    assert.equal(lock.module, "counter");
    assert.equal(lock.tryLock(), "acquired");
    lock.unlock();
    refusal(
      () => child.forModule("reader").shm.attach("hits"),
      /module "reader" attached its own shared memory "hits", which no postConfig hook of this generation created/,
    );
  });

  it("names each memfd after its run, module and name, and hands a child one descriptor per spec", () => {
    const owner = master();
    const generation = owner.generation();
    generation.forModule("counter").shm.create("hits", 8);
    generation.forModule("counter").locks.create("hits");
    const specs = generation.specs();
    const fds = generation.descriptors();
    assert.deepEqual(fds, owner.descriptorsOf(specs));
    assert.deepEqual(
      fds.map((fd) => readlinkSync(`/proc/self/fd/${fd}`)),
      [memfdLink(`drover-${runId}-counter-hits`), memfdLink(`drover-${runId}-counter-hits.lock`)],
    );
    refusal(() => new ChildResources(specs, fds.slice(1)), /given 1 descriptors for 2 module resources/);
  });
});
