// Module resources as the master keeps them across generations, and as a child attaches them.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { afterEach, describe, it } from "node:test";
import { ErrorCode, isDroverError } from "../../../src/errors.ts";
import { ChildResources } from "../../../src/modules/resources/child-resources.ts";
import { MasterResources } from "../../../src/modules/resources/master-resources.ts";
import { runTag } from "../../harness/temp.ts";

let resources: MasterResources | undefined;
afterEach(() => resources?.close());

function master(): MasterResources {
  resources = new MasterResources({ runId: `test-${runTag}-${Math.random().toString(36).slice(2, 8)}` });
  return resources;
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
      second.specs().map((spec) => spec.path),
      first.specs().map((spec) => spec.path),
      "the same files: old and new children share them",
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
    assert.ok(kept && dropped && existsSync(kept.path) && existsSync(dropped.path));

    const failed = owner.generation();
    failed.forModule("kept").shm.create("data", 8);
    failed.forModule("added").shm.create("data", 8);
    const added = failed.specs()[1];
    owner.rollback(failed);
    assert.ok(added && !existsSync(added.path), "a failed generation's new memory is gone");
    assert.ok(existsSync(kept.path) && existsSync(dropped.path), "the running generation's stay");

    const next = owner.generation();
    next.forModule("kept").shm.create("data", 8);
    owner.commit(next);
    assert.ok(existsSync(kept.path));
    assert.ok(!existsSync(dropped.path), "no module of the new generation creates it any more");

    owner.close();
    assert.ok(!existsSync(kept.path));
  });

  it("lets a child attach its module's resources, or another module's by name", () => {
    const owner = master();
    const generation = owner.generation();
    new Uint8Array(generation.forModule("counter").shm.create("hits", 8).buffer)[0] = 7;
    generation.forModule("counter").locks.create("hits");
    const child = new ChildResources(generation.specs());

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
});
